/**
 * OpenID Connect sign-in (spec §2): authorization code flow with PKCE through `openid-client`.
 * `start` makes the provider's address for one browser; `finish` checks the callback (state,
 * PKCE verifier, ID token) and returns the user and their groups.
 */

import { RunMdError } from "@run-md/core";
import * as client from "openid-client";
import type { AuthConfig } from "../config.ts";

/** How long a browser has to come back from the provider. */
const LOGIN_TTL_MS = 10 * 60_000;
/** Sign-ins started and not finished that are kept at most, and of one peer (identity/refusals). */
export const MAX_PENDING = 10_000;
export const PENDING_PER_PEER = 100;
/** The least time between two sweeps of expired sign-ins. */
const SWEEP_MS = 1000;

interface PendingLogin {
  verifier: string;
  nonce: string;
  returnTo: string;
  expiresAt: number;
}

export interface SignedIn {
  user: string;
  groups: string[];
}

export class OidcSignIn {
  private readonly pending = new Map<string, PendingLogin>();
  /** The states of each peer's sign-ins, oldest first (some may be gone from `pending`). */
  private readonly byPeer = new Map<string, string[]>();
  private lastSweep = 0;

  private constructor(
    private readonly config: client.Configuration,
    private readonly auth: AuthConfig,
    private readonly redirectUri: string,
  ) {}

  /** Discovers the provider; a plain-http issuer is accepted only on loopback (tests). */
  static async discover(auth: AuthConfig, redirectUri: string): Promise<OidcSignIn> {
    const issuer = new URL(auth.issuer!);
    const secretEnv = auth.clientSecretEnv;
    const secret = secretEnv === undefined ? undefined : process.env[secretEnv];
    if (secretEnv !== undefined && !secret) {
      throw new RunMdError(
        "bad-config",
        `server.auth.clientSecretEnv: the environment variable ${secretEnv} is empty`,
        {
          hint: `Export ${secretEnv} with the client secret the provider gave the application.`,
        },
      );
    }
    const insecure =
      issuer.protocol === "http:" && /^(127\.|localhost$|\[::1\]$)/.test(issuer.hostname);
    if (issuer.protocol === "http:" && !insecure) {
      throw new RunMdError("bad-config", `server.auth.issuer ${issuer.href} must be https`);
    }
    let config: client.Configuration;
    try {
      config = await client.discovery(
        issuer,
        auth.clientId!,
        secret,
        secret === undefined ? client.None() : client.ClientSecretPost(secret),
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    } catch (e) {
      throw new RunMdError(
        "oidc-discovery",
        `cannot read the OpenID configuration of ${issuer.href}: ${(e as Error).message}`,
      );
    }
    return new OidcSignIn(config, auth, redirectUri);
  }

  /**
   * The provider's authorization URL and the state that binds this browser to it. Anyone may
   * start a sign-in: past `PENDING_PER_PEER` of the peer's, or `MAX_PENDING` in all, the oldest
   * pending one is dropped (its browser signs in again) rather than the server's memory growing
   * with each anonymous request, and one peer cannot push out everybody's sign-ins.
   */
  async start(returnTo: string, peer = ""): Promise<{ url: URL; state: string }> {
    this.sweep();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    this.pending.set(state, { verifier, nonce, returnTo, expiresAt: Date.now() + LOGIN_TTL_MS });
    const mine = (this.byPeer.get(peer) ?? []).filter((s) => this.pending.has(s));
    mine.push(state);
    if (mine.length > PENDING_PER_PEER) this.pending.delete(mine.shift()!);
    this.byPeer.set(peer, mine);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const url = client.buildAuthorizationUrl(this.config, {
      redirect_uri: this.redirectUri,
      scope: this.auth.scopes.join(" "),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return { url, state };
  }

  /**
   * Completes a sign-in from the callback URL; `state` is the one the browser's cookie holds.
   * Throws (a message for the audit log) when anything does not match.
   */
  async finish(
    callbackUrl: URL,
    state: string | undefined,
  ): Promise<SignedIn & { returnTo: string }> {
    const login = state === undefined ? undefined : this.pending.get(state);
    if (state === undefined || login === undefined || login.expiresAt < Date.now()) {
      throw new Error("no sign-in in progress for this browser (state unknown or expired)");
    }
    this.pending.delete(state);
    const tokens = await client.authorizationCodeGrant(this.config, callbackUrl, {
      pkceCodeVerifier: login.verifier,
      expectedState: state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    let groups = claims[this.auth.groupsClaim];
    let email = claims.email;
    let verified = claims.email_verified;
    if (groups === undefined || email === undefined) {
      // Some providers put groups (or the email) only in the userinfo answer.
      const info = await client.fetchUserInfo(this.config, tokens.access_token, claims.sub);
      groups ??= info[this.auth.groupsClaim];
      if (email === undefined) [email, verified] = [info.email, info.email_verified];
    }
    // An address the provider says it did not verify may be anyone's: the user is then named by
    // the provider's subject, so they cannot take another's name in the audit log or cancel
    // another's runs (providers that send no email_verified are trusted, as they always were).
    const user =
      typeof email === "string" && email !== "" && verified !== false ? email : claims.sub;
    return {
      user,
      // A list of groups, or one string (Google's `hd`, the Workspace domain, as one group).
      groups: Array.isArray(groups)
        ? groups.filter((g): g is string => typeof g === "string")
        : typeof groups === "string"
          ? [groups]
          : [],
      returnTo: login.returnTo,
    };
  }

  /** Forgets expired sign-ins, and peers with none left (at most once a second). */
  private sweep(): void {
    const t = Date.now();
    if (t - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = t;
    for (const [k, p] of this.pending) if (p.expiresAt < t) this.pending.delete(k);
    for (const [peer, states] of this.byPeer) {
      if (!states.some((s) => this.pending.has(s))) this.byPeer.delete(peer);
    }
  }
}
