/**
 * Browser sign-in (spec §2, `oidc` mode): `/auth/login` sends the browser to the provider,
 * `/auth/callback` completes the code flow and sets the session cookie (HttpOnly, SameSite=Lax,
 * Secure unless the server is on loopback, expiring with the session), `/auth/logout` ends it.
 */
import { serialize } from "cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLoopback } from "../config.ts";
import type { ServerContext } from "../context.ts";
import { clipped, HttpError } from "../http-error.ts";
import { cookiesOf } from "../identity/identify.ts";
import { peerOf } from "../identity/refusals.ts";
import { SESSION_COOKIE } from "../identity/sessions.ts";

/** The cookie binding a browser to the sign-in it started (its state). */
const LOGIN_COOKIE = "run_md_login";

/**
 * Only a path on this server: never an open redirect. A control character is refused outright
 * (browsers drop tabs and newlines from a URL, so `/\t/evil.example` becomes `//evil.example`,
 * and a newline in a Location header is a header injection); what remains must resolve to this
 * origin, and the path, query and fragment it resolves to are what is used (dot segments resolved,
 * so the path cannot start with two slashes either).
 */
export function localPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(raw))
    return "/";
  const base = "http://run-md.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  // A resolved path that starts with two slashes (`/.//evil.example`) is another host again.
  if (url.origin !== base || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Cookies are Secure unless users reach the server on loopback: a server bound to 127.0.0.1 behind
 * a TLS proxy on the same host (an https publicUrl) is reached over https (found by review).
 */
export function cookieOptions(ctx: ServerContext, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    secure: ctx.config.publicUrl?.startsWith("https:") === true || !isLoopback(ctx.config.host),
    sameSite: "lax" as const,
    path: "/",
    maxAge: maxAgeSeconds,
  };
}

/** The address the provider called back on, as the browser used it (behind a proxy: publicUrl). */
function callbackUrl(ctx: ServerContext, req: FastifyRequest): URL {
  const base = ctx.config.publicUrl ?? `${req.protocol}://${req.host}`;
  return new URL(req.url, base);
}

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const oidc = () => {
    if (ctx.oidc === undefined) {
      throw new HttpError(
        404,
        `browser sign-in is off (server.auth.mode is ${ctx.config.auth.mode})`,
        { code: "not-found" },
      );
    }
    return ctx.oidc;
  };

  app.get("/auth/login", async (req, reply) => {
    const { url, state } = await oidc().start(
      localPath((req.query as { return?: unknown }).return),
      peerOf(req.ip),
    );
    reply.header("set-cookie", serialize(LOGIN_COOKIE, state, cookieOptions(ctx, 600)));
    return reply.redirect(url.href, 302);
  });

  app.get("/auth/callback", async (req, reply) => {
    const state = cookiesOf(req)[LOGIN_COOKIE];
    const signIn = oidc(); // 404 when browser sign-in is off: no sign-in failed
    let signed: Awaited<ReturnType<typeof signIn.finish>>;
    try {
      signed = await signIn.finish(callbackUrl(ctx, req), state);
    } catch (e) {
      const reason = `sign-in failed: ${clipped((e as Error).message)}`;
      await ctx.refusals.refuse(req.ip, { reason });
      throw new HttpError(401, `sign-in failed: ${(e as Error).message}`, {
        code: "signin-failed",
      });
    }
    const caller = { user: signed.user, groups: signed.groups, via: "oidc" as const };
    await ctx.auditor.record(caller, "auth.signin", undefined, { peer: req.ip });
    const session = ctx.sessions.create(caller);
    reply.header("set-cookie", [
      serialize(
        SESSION_COOKIE,
        session.id,
        cookieOptions(ctx, Math.floor(ctx.config.auth.sessionTtlMs / 1000)),
      ),
      serialize(LOGIN_COOKIE, "", cookieOptions(ctx, 0)),
    ]);
    return reply.redirect(signed.returnTo, 302);
  });

  app.post("/auth/logout", async (req, reply) => signOut(ctx, req, reply));
}

async function signOut(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply) {
  const session = req.identity.session;
  if (session !== undefined) {
    await ctx.auditor.record(session.caller, "auth.signout");
    ctx.sessions.delete(session.id);
  }
  reply.header("set-cookie", serialize(SESSION_COOKIE, "", cookieOptions(ctx, 0)));
  return reply.code(204).send();
}
