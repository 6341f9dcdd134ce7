/** The header's session links (linkedom, `/api/me` stubbed): signed in, signed out, no server. */
import { parseHTML } from "linkedom";
import { afterEach, describe, expect, it, vi } from "vitest";

const PAGE = `<!doctype html><html><body><span data-rm-session hidden>
  <a href="/runs/" data-session-link="runs">My runs</a>
  <a href="/audit/" data-session-link="audit" hidden>Audit log</a>
  <a href="/query/" data-session-link="query" hidden>Query</a>
  <span data-session-user></span>
  <button type="button" data-session-signout>Sign out</button>
  <a href="/auth/login" data-session-signin hidden>Sign in</a>
</span><p data-needs-server>This copy of the site has no server.</p></body></html>`;

/** The page after its session script ran, `/api/me` answering `status` with `body`. */
async function pageWith(status: number, body: unknown) {
  vi.stubGlobal("location", {
    pathname: "/run/",
    search: "?id=0b7e8a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b",
  });
  vi.stubGlobal(
    "fetch",
    async () =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      }),
  );
  vi.resetModules(); // a fresh /api/me
  const { initSession } = await import("../src/scripts/session.ts");
  const { document } = parseHTML(PAGE);
  await initSession(document);
  const box = document.querySelector<HTMLElement>("[data-rm-session]")!;
  const signIn = box.querySelector<HTMLAnchorElement>("[data-session-signin]")!;
  const needs = document.querySelector<HTMLElement>("[data-needs-server]")!;
  return { box, signIn, needs };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the header's session links", () => {
  it("offers a signed-out visitor of a server with browser sign-in to sign in and come back", async () => {
    const { box, signIn, needs } = await pageWith(401, {
      error: "not signed in: sign in at /auth/login or send Authorization: Bearer <token>",
    });
    expect(box.hidden).toBe(false);
    expect(signIn.hidden).toBe(false);
    expect(signIn.getAttribute("href")).toBe(
      "/auth/login?return=%2Frun%2F%3Fid%3D0b7e8a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b",
    );
    expect(box.querySelector<HTMLElement>('[data-session-link="runs"]')!.hidden).toBe(true);
    expect(box.querySelector<HTMLElement>("[data-session-signout]")!.hidden).toBe(true);
    expect(needs.textContent).toBe("Sign in to see this page.");
  });

  it("offers nothing on the static site, nor where only API tokens are taken", async () => {
    for (const [status, error] of [
      [404, "not found"],
      [
        401,
        "not signed in: send Authorization: Bearer <token> (an API token from run-md token create)",
      ],
    ] as const) {
      const { box, signIn, needs } = await pageWith(status, { error });
      expect(box.hidden).toBe(true);
      expect(signIn.hidden).toBe(true);
      expect(needs.textContent).toBe("This copy of the site has no server.");
    }
  });

  it("shows the signed-in user without the sign-in link", async () => {
    const { box, signIn } = await pageWith(200, {
      user: "alice@example.com",
      groups: [],
      csrfToken: "t",
    });
    expect(box.hidden).toBe(false);
    expect(signIn.hidden).toBe(true);
    expect(box.querySelector("[data-session-user]")!.textContent).toBe("alice@example.com");
  });
});
