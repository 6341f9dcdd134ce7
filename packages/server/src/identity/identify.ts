/**
 * Who a request comes from (spec §2): a bearer token (`TokenStore.verify`), a session cookie
 * (with the CSRF header on state-changing requests), or, in `none` mode, the local user (loopback
 * peers only). A refusal is audited before the 401/403 goes out.
 */
import type { Caller, TokenStore, VerifyTokenResult } from "@run-md/access";
import { isRunMdError } from "@run-md/core";
import { parse as parseCookies } from "cookie";
import type { FastifyRequest } from "fastify";
import { type AuthConfig, isLoopback } from "../config.ts";
import { clipped, HttpError } from "../http-error.ts";
import { ANONYMOUS, type RefusalAudit } from "./refusals.ts";
import {
  CSRF_HEADER,
  csrfMatches,
  SESSION_COOKIE,
  type Session,
  type SessionStore,
} from "./sessions.ts";

export interface Identity {
  caller?: Caller;
  session?: Session;
}

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];
/** An Authorization header that presents a token. */
const BEARER = /^Bearer\s+(\S+)$/i;

export function cookiesOf(req: FastifyRequest): Record<string, string | undefined> {
  const header = req.headers.cookie;
  return header === undefined ? {} : parseCookies(header);
}

/** The host name of a Host header (`127.0.0.1:4600`) or an Origin (`http://localhost:4600`). */
function hostName(value: string, isOrigin: boolean): string | undefined {
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined;
  }
}

export class Identifier {
  constructor(
    private readonly auth: AuthConfig,
    private readonly tokens: TokenStore,
    private readonly sessions: SessionStore,
    private readonly refusals: RefusalAudit,
    /** server.publicUrl: its host is, besides loopback names, one `none` mode answers to. */
    private readonly publicUrl?: string,
    /** The server's warnings: where a tokens file that cannot be read is said, with its path. */
    private readonly warn: (msg: string) => void = () => {},
  ) {}

  /** The problem of the tokens file last warned of, until it can be read again. */
  private tokensProblem: string | undefined;

  async identify(req: FastifyRequest): Promise<Identity> {
    if (this.auth.mode === "none") return this.local(req);
    const authz = req.headers.authorization;
    if (authz !== undefined) return { caller: await this.bearer(req, authz) };
    if (this.auth.mode !== "oidc") return {};
    const session = this.sessions.get(cookiesOf(req)[SESSION_COOKIE]);
    if (session === undefined) return {};
    if (!SAFE_METHODS.includes(req.method) && !csrfMatches(session, req.headers[CSRF_HEADER])) {
      await this.refuse(req, "csrf", session.caller);
      throw new HttpError(
        403,
        `missing or wrong ${CSRF_HEADER} header (take it from GET /api/me)`,
        {
          code: "csrf",
        },
      );
    }
    return { caller: session.caller, session };
  }

  /**
   * Why the credentials a request came in with are no longer good (its token revoked or expired
   * since, its session ended), or undefined while they are: a response that lasts (a run's event
   * stream) asks again as it goes, so that `token revoke` takes effect on it too.
   */
  async lapsed(req: FastifyRequest): Promise<string | undefined> {
    if (this.auth.mode === "none") return undefined;
    const authz = req.headers.authorization;
    if (authz !== undefined) {
      const token = BEARER.exec(authz)?.[1];
      if (token === undefined) return "token malformed";
      try {
        const v = await this.verify(token);
        return v.ok ? undefined : `token ${v.reason}`;
      } catch (e) {
        // The token cannot be checked: the stream ends, as for a revoked one.
        if (e instanceof HttpError) return `token not checked: ${e.extra.code}`;
        throw e;
      }
    }
    const session = this.sessions.get(cookiesOf(req)[SESSION_COOKIE]);
    return session === undefined ? "session ended" : undefined;
  }

  /**
   * `none` mode: the local user, for a loopback peer that addressed this server by a loopback
   * name (or server.publicUrl's host), from no other site's page. A page whose own name its DNS
   * points at 127.0.0.1 (DNS rebinding) reached the server from the user's browser as the local
   * user (found by a red-team review): its Host and Origin name that site.
   */
  private async local(req: FastifyRequest): Promise<Identity> {
    if (!isLoopback(req.socket.remoteAddress)) {
      await this.refuse(req, "auth mode none serves loopback peers only", ANONYMOUS);
      throw new HttpError(403, "this server (auth mode none) answers only on loopback");
    }
    const publicHost = this.publicUrl === undefined ? undefined : hostName(this.publicUrl, true);
    const named = [
      [req.headers.host, false],
      [req.headers.origin, true],
    ] as const;
    for (const [value, isOrigin] of named) {
      if (value === undefined) continue;
      const host = hostName(value, isOrigin);
      if (host !== undefined && (isLoopback(host) || host === publicHost)) continue;
      const header = isOrigin ? "Origin" : "Host";
      await this.refuse(
        req,
        `auth mode none: ${header} ${clipped(value)} is not this server`,
        ANONYMOUS,
      );
      throw new HttpError(
        403,
        `this server (auth mode none) answers only to requests for localhost or 127.0.0.1, not ${header}: ${value}`,
      );
    }
    return { caller: { user: "local", groups: this.auth.groups, via: "none" } };
  }

  private async bearer(req: FastifyRequest, header: string): Promise<Caller> {
    const m = BEARER.exec(header);
    if (!m) {
      await this.refuse(req, "malformed Authorization header", ANONYMOUS);
      throw new HttpError(401, "the Authorization header must be: Bearer <token>");
    }
    let v: VerifyTokenResult;
    try {
      v = await this.verify(m[1]!);
    } catch (e) {
      // Audited as the refusals before sign-in are (bounded): one per request would fill the log.
      if (e instanceof HttpError)
        await this.refuse(req, `token not checked: ${e.extra.code}`, ANONYMOUS);
      throw e;
    }
    if (!v.ok) {
      await this.refuse(req, `token ${v.reason}`, ANONYMOUS);
      throw new HttpError(401, `the token is ${v.reason === "unknown" ? "not valid" : v.reason}`, {
        code: `token-${v.reason}`,
      });
    }
    return v.caller;
  }

  /**
   * The token store's answer. A tokens file that cannot be read (or is no tokens file) is 503
   * with its error's code and why, without its path (any client reads this); the server's
   * warning names the file, once per problem, and once more when it can be read again.
   */
  private async verify(token: string): Promise<VerifyTokenResult> {
    try {
      const v = await this.tokens.verify(token);
      if (this.tokensProblem !== undefined) {
        this.tokensProblem = undefined;
        this.warn(`the tokens file ${this.tokens.file} can be read again: tokens are accepted`);
      }
      return v;
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      if (this.tokensProblem !== e.message) {
        this.tokensProblem = e.message;
        this.warn(`${e.message}: every request with a token is answered 503 until it can be read`);
      }
      const reason = typeof e.details?.reason === "string" ? e.details.reason : e.code;
      throw new HttpError(
        503,
        `the server cannot check tokens now: its tokens file ${e.code === "tokens-invalid" ? "is invalid" : "cannot be read"} (${reason}), so the request was not served; its operator has been told: try again later`,
        { code: e.code },
      );
    }
  }

  private async refuse(
    req: FastifyRequest,
    reason: string,
    who: { user: string; groups: string[] },
  ) {
    await this.refusals.refuse(req.ip, refusalDetails(req, reason), who);
  }
}

/** What a refusal before sign-in's entry says of the request: why, its method and path (clipped). */
export function refusalDetails(req: FastifyRequest, reason: string) {
  return { reason, method: req.method, path: clipped(req.url.split("?")[0] ?? "") };
}
