/**
 * Browser sign-in through a real OpenID Connect provider (test/oidc-harness.ts): the code flow
 * with PKCE driven over HTTP, the session cookie's attributes, CSRF on cookie requests, two users
 * whose groups come from the provider, sign-out, and the audit entries of each.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { MAX_PENDING, OidcSignIn, PENDING_PER_PEER } from "../src/identity/oidc.ts";
import { SessionStore } from "../src/identity/sessions.ts";
import { call, FIXTURES, startTestServer, type TestServer, waitForEnd } from "./helpers.ts";
import { freePort, HttpBrowser, type OidcProvider, startOidcProvider } from "./oidc-harness.ts";

let provider: OidcProvider;
let t: TestServer;

/** The server's sign-in through the test provider. */
const oidcAuth = () => ({
  mode: "oidc" as const,
  issuer: provider.issuer,
  clientId: provider.clientId,
  clientSecretEnv: provider.clientSecretEnv,
  scopes: ["openid", "email", "groups"],
});

beforeAll(async () => {
  const port = await freePort();
  provider = await startOidcProvider([`http://127.0.0.1:${port}/auth/callback`]);
  t = await startTestServer({
    runbooks: [FIXTURES],
    server: { port },
    auth: oidcAuth(),
    access: {
      rules: [
        {
          groups: ["security-oncall"],
          allow: ["view", "run", "run:params"],
          runbooks: { tags: ["iam"] },
        },
        { groups: ["*"], allow: ["view"], runbooks: { severity: ["low", "info"] } },
        { groups: ["contractors"], deny: ["run"] },
      ],
    },
    tokens: { ci: { groups: ["security-oncall"] } },
  });
});
afterAll(async () => {
  await t?.close();
  await provider?.close();
});

describe("signing in with OpenID Connect", () => {
  it("signs alice in with her provider groups, in an HttpOnly SameSite=Lax session cookie", async () => {
    const browser = new HttpBrowser();
    const landed = await browser.signIn(t.url, "alice", "/runbooks/iam-low/");
    expect(landed.url).toBe(`${t.url}/runbooks/iam-low/`);
    const session = browser.setCookies.find((c) => c.startsWith("run_md_session="))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Max-Age=28800/);
    expect(session).not.toMatch(/Secure/i); // loopback: plain http
    const me = await browser.go(`${t.url}/api/me`);
    const body = JSON.parse(me.text);
    expect(body).toMatchObject({
      user: "alice@example.com",
      groups: ["security-oncall"],
      via: "oidc",
    });
    expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
    const signin = (await t.audit()).filter((e) => e.action === "auth.signin").at(-1)!;
    expect(signin).toMatchObject({ actor: "alice@example.com", groups: ["security-oncall"] });
  });

  it("marks the cookies Secure behind an https publicUrl, though the server binds to loopback", async () => {
    const proxied = await startTestServer({
      runbooks: [FIXTURES],
      server: { port: await freePort(), publicUrl: "https://run-md.example.test" },
      auth: oidcAuth(),
    });
    try {
      const res = await fetch(`${proxied.url}/auth/login`, { redirect: "manual" });
      expect(res.status).toBe(302);
      const login = res.headers.getSetCookie().find((c) => c.startsWith("run_md_login="))!;
      expect(login).toMatch(/; Secure/i);
      expect(login).toMatch(/HttpOnly/i);
    } finally {
      await proxied.close();
    }
  });

  it("refuses a state-changing cookie request without the CSRF header, and takes it with", async () => {
    const browser = new HttpBrowser();
    await browser.signIn(t.url, "alice");
    const csrf = JSON.parse((await browser.go(`${t.url}/api/me`)).text).csrfToken as string;
    const post = (headers: Record<string, string>) =>
      browser.request(`${t.url}/api/runs`, {
        method: "POST",
        body: JSON.stringify({ runbook: "iam-low" }),
        headers: { "content-type": "application/json", ...headers },
      });
    const before = (await t.audit()).length;
    const without = await post({});
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: string }).error).toMatch(/x-csrf-token/);
    const wrong = await post({ "x-csrf-token": `${csrf}x` });
    expect(wrong.status).toBe(403);
    const refusals = (await t.audit()).slice(before).filter((e) => e.action === "auth.refused");
    expect(refusals.map((e) => [e.actor, e.details?.reason])).toEqual([
      ["alice@example.com", "csrf"],
      ["alice@example.com", "csrf"],
    ]);
    const ok = await post({ "x-csrf-token": csrf });
    expect(ok.status).toBe(202);
    const run = (await ok.json()) as { id: string };
    const request = (await t.audit()).find(
      (e) => e.action === "run.request" && e.details?.run === run.id,
    );
    expect(request).toMatchObject({
      actor: "alice@example.com",
      groups: ["security-oncall"],
      target: "iam-low",
    });
    await t.server.runs.settled(run.id);
  });

  it("takes API tokens beside browser sign-in: no session, no CSRF header (spec §2)", async () => {
    const token = t.tokens.ci!;
    const me = await call(`${t.url}/api/me`, { token });
    expect(me.body).toEqual({
      user: "token:ci",
      groups: ["security-oncall"],
      via: "token",
      actions: [],
    });
    const run = await call(`${t.url}/api/runs`, { token, body: { runbook: "iam-low" } });
    expect(run.status).toBe(202);
    await waitForEnd(t, run.body.id, token);
  });

  it("gives bob, a contractor, view but not run", async () => {
    const browser = new HttpBrowser();
    await browser.signIn(t.url, "bob");
    const me = JSON.parse((await browser.go(`${t.url}/api/me`)).text);
    expect(me).toMatchObject({ user: "bob@example.com", groups: ["contractors"] });
    expect((await browser.go(`${t.url}/runbooks/iam-low/`)).status).not.toBe(401);
    const r = await browser.request(`${t.url}/api/runs`, {
      method: "POST",
      body: JSON.stringify({ runbook: "iam-low" }),
      headers: { "content-type": "application/json", "x-csrf-token": me.csrfToken },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toMatch(/"run"/);
  });

  it("names a user by the provider's subject when the provider says the email is not verified", async () => {
    const browser = new HttpBrowser();
    await browser.signIn(t.url, "mallory");
    const me = JSON.parse((await browser.go(`${t.url}/api/me`)).text);
    // Not alice, whose address mallory claims: her runs and audit entries stay hers.
    expect(me).toMatchObject({ user: "mallory", groups: ["contractors"] });
    const signin = (await t.audit()).filter((e) => e.action === "auth.signin").at(-1)!;
    expect(signin).toMatchObject({ actor: "mallory" });
  });

  it("signs out: the session ends and the cookie is cleared", async () => {
    const browser = new HttpBrowser();
    await browser.signIn(t.url, "alice");
    const csrf = JSON.parse((await browser.go(`${t.url}/api/me`)).text).csrfToken as string;
    const out = await browser.request(`${t.url}/auth/logout`, {
      method: "POST",
      headers: { "x-csrf-token": csrf },
    });
    expect(out.status).toBe(204);
    const me = await browser.go(`${t.url}/api/me`);
    expect([me.status, JSON.parse(me.text).error]).toEqual([
      401,
      "not signed in: sign in at /auth/login or send Authorization: Bearer <token>",
    ]);
    expect((await t.audit()).at(-1)).toMatchObject({
      action: "auth.signout",
      actor: "alice@example.com",
    });
  });

  it("refuses a callback this browser did not start, and audits it", async () => {
    const browser = new HttpBrowser();
    const page = await browser.go(`${t.url}/auth/callback?code=forged&state=forged`);
    expect(page.status).toBe(401);
    expect(page.text).toMatch(/sign-in failed/);
    expect((await t.audit()).at(-1)).toMatchObject({ action: "auth.refused" });
  });

  it("never redirects off the server after sign-in", async () => {
    const browser = new HttpBrowser();
    const landed = await browser.signIn(t.url, "alice", "//evil.example.com/");
    expect(landed.url).toBe(`${t.url}/`);
  });
});

/** A sign-in with the test provider, apart from the server's. */
function signInOfProvider(): Promise<OidcSignIn> {
  return OidcSignIn.discover(
    {
      mode: "oidc",
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecretEnv: provider.clientSecretEnv,
      scopes: ["openid"],
    } as Parameters<typeof OidcSignIn.discover>[0],
    `${t.url}/auth/callback`,
  );
}

describe("sign-ins started and not finished", () => {
  it("are kept up to a cap, the oldest dropped first: anonymous requests cannot fill the memory", async () => {
    const signIn = await signInOfProvider();
    const states: string[] = [];
    // From many peers (each under its own cap), so that the cap of all of them is reached.
    for (let i = 0; i <= MAX_PENDING; i++)
      states.push((await signIn.start("/", `p${i % 200}`)).state);
    const pending = (signIn as unknown as { pending: Map<string, unknown> }).pending;
    expect(pending.size).toBe(MAX_PENDING);
    expect(pending.has(states[0]!)).toBe(false);
    expect(pending.has(states[1]!)).toBe(true);
    expect(pending.has(states.at(-1)!)).toBe(true);
    await expect(signIn.finish(new URL(`${t.url}/auth/callback`), states[0])).rejects.toThrow(
      /no sign-in in progress/,
    );
  });

  it("of one peer, at most PENDING_PER_PEER: a flood from one address pushes out only its own", async () => {
    const signIn = await signInOfProvider();
    const user = (await signIn.start("/", "198.51.100.7")).state;
    const flood: string[] = [];
    for (let i = 0; i < PENDING_PER_PEER + 50; i++)
      flood.push((await signIn.start("/", "203.0.113.9")).state);
    const pending = (signIn as unknown as { pending: Map<string, unknown> }).pending;
    expect(pending.has(user)).toBe(true);
    expect(pending.size).toBe(PENDING_PER_PEER + 1);
    expect(flood.filter((s) => pending.has(s))).toEqual(flood.slice(50));
  });
});

describe("sessions", () => {
  it("expire after their time to live", () => {
    let now = 1_000;
    const store = new SessionStore(500, () => now);
    const s = store.create({ user: "a", groups: [], via: "oidc" });
    expect(store.get(s.id)?.caller.user).toBe("a");
    now = 1_499;
    expect(store.get(s.id)).toBeDefined();
    now = 1_500;
    expect(store.get(s.id)).toBeUndefined();
  });
});

describe("the client secret", () => {
  it("is read from the variable clientSecretEnv names; an empty one stops the start, naming it", async () => {
    const name = "RUN_MD_TEST_UNSET_OIDC_SECRET";
    delete process.env[name];
    await expect(
      OidcSignIn.discover(
        {
          mode: "oidc",
          issuer: "https://idp.example.com",
          clientId: "run-md",
          clientSecretEnv: name,
          groupsClaim: "groups",
          scopes: ["openid"],
          groups: [],
          sessionTtlMs: 1000,
        },
        "https://run-md.example.com/auth/callback",
      ),
    ).rejects.toThrow(`server.auth.clientSecretEnv: the environment variable ${name} is empty`);
  });
});
