/**
 * No cache keeps an API answer: `Cache-Control: no-store` on every `/api/` answer, refusals and
 * errors too (red-team: `/api/me` holds the CSRF token, a run its rows, `/api/audit` the log),
 * except the event stream, which says `no-cache` itself.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "audit"] }] },
});

describe("Cache-Control on the API", () => {
  it("is no-store on every answer, and no-cache on the event stream", async () => {
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    expect(r.status).toBe(202);
    await waitForEnd(t, r.body.id, t.ops);
    const answers = {
      me: await call(`${t.url}/api/me`, { token: t.ops }),
      request: r,
      run: await call(`${t.url}/api/runs/${r.body.id}`, { token: t.ops }),
      runs: await call(`${t.url}/api/runs`, { token: t.ops }),
      audit: await call(`${t.url}/api/audit`, { token: t.ops }),
      notFound: await call(`${t.url}/api/runs/00000000-0000-4000-8000-000000000000`, {
        token: t.ops,
      }),
      unsigned: await call(`${t.url}/api/runs`),
      noRoute: await call(`${t.url}/api/nothing-here`, { token: t.ops }),
    };
    const seen = Object.fromEntries(
      Object.entries(answers).map(([k, a]) => [k, [a.status, a.headers.get("cache-control")]]),
    );
    expect(seen).toEqual({
      me: [200, "no-store"],
      request: [202, "no-store"],
      run: [200, "no-store"],
      runs: [200, "no-store"],
      audit: [200, "no-store"],
      notFound: [404, "no-store"],
      unsigned: [401, "no-store"],
      noRoute: [404, "no-store"],
    });
    const controller = new AbortController();
    const stream = await fetch(`${t.url}/api/runs/${r.body.id}/events`, {
      headers: { authorization: `Bearer ${t.ops}` },
      signal: controller.signal,
    });
    expect(stream.headers.get("cache-control")).toBe("no-cache, no-transform");
    // A hijacked answer: the stream writes the security headers itself.
    expect([
      stream.headers.get("content-security-policy"),
      stream.headers.get("x-frame-options"),
      stream.headers.get("x-content-type-options"),
      stream.headers.get("referrer-policy"),
    ]).toEqual([
      "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
      "DENY",
      "nosniff",
      "same-origin",
    ]);
    controller.abort();
  });

  it("every page and answer says: never in a frame, no plugin, no type guessed (red-team)", async () => {
    const answers = [
      await call(`${t.url}/api/me`, { token: t.ops }),
      await call(`${t.url}/api/runs`),
      await fetch(`${t.url}/`, { headers: { authorization: `Bearer ${t.ops}` } }),
      await fetch(`${t.url}/no-such-page/`, { headers: { authorization: `Bearer ${t.ops}` } }),
    ];
    for (const a of answers) {
      const h = "headers" in a ? a.headers : (a as Response).headers;
      expect([
        h.get("content-security-policy"),
        h.get("x-frame-options"),
        h.get("x-content-type-options"),
      ]).toEqual(["frame-ancestors 'none'; object-src 'none'; base-uri 'self'", "DENY", "nosniff"]);
    }
  });
});
