/**
 * A real OpenID Connect provider for the tests (`oidc-provider`, on 127.0.0.1) with two users in
 * different groups, and a minimal HTTP "browser" (cookie jar, redirects, HTML forms) that signs
 * in through it. The site's Chromium test reuses `startOidcProvider` and `USERS`.
 *
 * The provider's development login form accepts any password: `USERS` are the logins it knows
 * (any other login fails at the provider).
 */
import type { Server } from "node:http";
import { createServer } from "node:net";
import Provider from "oidc-provider";

export const USERS: Record<string, { email: string; groups: string[]; unverified?: true }> = {
  alice: { email: "alice@example.com", groups: ["security-oncall"] },
  bob: { email: "bob@example.com", groups: ["contractors"] },
  // Some providers let a user set any address and say it is not verified.
  mallory: { email: "alice@example.com", groups: ["contractors"], unverified: true },
};

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The environment variable the server reads the secret from (set while the provider runs). */
  clientSecretEnv: string;
  close(): Promise<void>;
}

/** A port free on 127.0.0.1 now (the provider and the server need theirs before they start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the provider with one confidential client allowed to redirect to `redirectUris`. */
export async function startOidcProvider(redirectUris: string[]): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "run-md-test";
  const clientSecret = "test-secret-0123456789";
  const clientSecretEnv = "RUN_MD_TEST_OIDC_SECRET";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    async findAccount(_ctx, id) {
      const user = USERS[id];
      if (user === undefined) return undefined;
      return {
        accountId: id,
        async claims() {
          const verified = user.unverified !== true;
          return { sub: id, email: user.email, email_verified: verified, groups: user.groups };
        },
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
    cookies: { keys: ["run-md-test-cookie-key"] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, "127.0.0.1", () => resolve(s));
  });
  process.env[clientSecretEnv] = clientSecret;
  return {
    issuer,
    clientId,
    clientSecret,
    clientSecretEnv,
    close: () =>
      new Promise<void>((resolve) => {
        delete process.env[clientSecretEnv];
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

/** What a browser does, over plain HTTP: cookies per host, redirects followed, forms posted. */
export class HttpBrowser {
  /** host → cookie name → value. */
  readonly cookies = new Map<string, Map<string, string>>();
  /** Every Set-Cookie header received, as sent (for checking cookie attributes). */
  readonly setCookies: string[] = [];

  async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) {
    const u = new URL(url);
    const jar = this.cookies.get(u.host);
    const headers: Record<string, string> = { ...init.headers };
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, {
      method: init.method ?? "GET",
      headers,
      redirect: "manual",
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const host = this.cookies.get(u.host) ?? new Map<string, string>();
      if (value === "" || /max-age=0/i.test(c)) host.delete(name);
      else host.set(name, value);
      this.cookies.set(u.host, host);
    }
    return res;
  }

  /** Follows redirects (GET) up to 20 times; returns the page it stops at. */
  async go(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    let res = await this.request(url, init);
    let current = url;
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      current = new URL(res.headers.get("location")!, current).href;
      res = await this.request(current);
    }
    return { url: current, status: res.status, headers: res.headers, text: await res.text() };
  }

  /** Fills the page's first form (hidden inputs kept, `fields` added) and posts it. */
  async submit(page: Page, fields: Record<string, string> = {}): Promise<Page> {
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
    if (!form)
      throw new Error(`no form on ${page.url} (status ${page.status}): ${page.text.slice(0, 300)}`);
    const data = new URLSearchParams();
    for (const m of form[2]!.matchAll(
      /<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi,
    )) {
      data.set(m[1]!, m[2]!);
    }
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.go(new URL(form[1]!.replace(/&amp;/g, "&"), page.url).href, {
      method: "POST",
      body: data.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }

  /**
   * Signs in to a run-md server as `login`: `/auth/login` → the provider's login form → its
   * consent form → the server's callback. Returns the page the browser lands on.
   */
  async signIn(serverUrl: string, login: string, returnTo = "/"): Promise<Page> {
    const loginPage = await this.go(
      `${serverUrl}/auth/login?return=${encodeURIComponent(returnTo)}`,
    );
    let page = await this.submit(loginPage, { login, password: "any" });
    if (/name="prompt" value="consent"/.test(page.text)) page = await this.submit(page);
    return page;
  }
}
