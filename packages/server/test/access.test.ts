/**
 * The access rules on every request and page (spec §3): a table of callers × requests with the
 * answer each must get, groups × actions × selectors, deny over allow, default deny, tokens that
 * expired or were revoked, and the audit entry every refusal leaves.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { RunMdError } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { parseServerConfig, startServer } from "../src/index.ts";
import { call, FIXTURES, startTestServer, type TestServer, waitForEnd } from "./helpers.ts";

const ACCESS = {
  rules: [
    { groups: ["oncall"], allow: ["view", "run", "run:params"], runbooks: { tags: ["iam"] } },
    { groups: ["leads"], allow: ["view", "run", "run:params", "audit", "admin"] },
    { groups: ["*"], allow: ["view"], runbooks: { severity: ["info", "low"] } },
    { groups: ["contractors"], deny: ["run"] },
    { groups: ["netops"], allow: ["view", "run"], runbooks: { ids: ["net-critical"] } },
    { groups: ["runners"], allow: ["view", "run"], runbooks: { ids: ["slow"] } },
  ],
};

/** A built site in miniature: the pages the rules gate, and the ones they do not. */
async function fakeSite(dir: string): Promise<string> {
  const site = path.join(dir, "site");
  const pages = [
    "index.html",
    "tags/iam/index.html",
    "runbooks/iam-low/index.html",
    "runbooks/net-critical/index.html",
    "runbooks/net-critical/runs/2026-11-30T00-00-00.000Z/index.html",
    "runbooks/slow/index.html",
    "reports/net-critical/2026-11-30T00-00-00.000Z.json",
    "pagefind/pagefind.js",
    "sitemap-index.xml",
    "sitemap-0.xml",
    // What a file system that ignores case (macOS, Windows) finds under another case.
    "Reports/net-critical/2026-11-30T00-00-00.000Z.json",
    "RUNBOOKS/net-critical/index.html",
    // What Windows reads as runbooks/net-critical/ (here a folder whose name holds a backslash).
    "runbooks\\net-critical/index.html",
  ];
  for (const p of pages) {
    await mkdir(path.dirname(path.join(site, p)), { recursive: true });
    await writeFile(path.join(site, p), p.endsWith(".json") ? `{"page": "${p}"}\n` : `page ${p}\n`);
  }
  await writeFile(path.join(site, "index.html"), INDEX);
  return site;
}

/** The index as the site's RunbookTable writes it (site/test/list-pages.test.ts: the real one). */
const row = (id: string) =>
  `<tr data-runbook="${id}" data-status="failed"><td><a href="/runbooks/${id}/">Title of ${id}</a></td><td><span class="rm-failing__value">(value of ${id})</span></td></tr>`;
const INDEX = `<p data-rm-counts>3 runbooks. <a>3 failed</a></p><button>All <span data-rm-count>3</span></button><table><tbody>${["iam-low", "net-critical", "slow"].map(row).join("")}</tbody></table>`;

let t: TestServer;
let siteRoot: string;
const tok: Record<string, string | undefined> = {};

beforeAll(async () => {
  siteRoot = await mkdtemp(path.join(tmpdir(), "run-md-site-"));
  t = await startTestServer({
    runbooks: [FIXTURES],
    access: ACCESS,
    server: { siteDir: await fakeSite(siteRoot) },
    tokens: {
      oncall: { groups: ["oncall"], user: "olive@example.com" },
      leads: { groups: ["leads"], user: "lee@example.com" },
      contractor: { groups: ["contractors", "oncall"], user: "cody@example.com" },
      netops: { groups: ["netops"], user: "nina@example.com" },
      nobody: { groups: ["visitors"], user: "val@example.com" },
      runner: { groups: ["runners"], user: "rita@example.com" },
      // The same person, her address written in other case (as a provider may give it).
      runnerCased: { groups: ["runners"], user: "Rita@Example.COM" },
      revoked: { groups: ["leads"] },
      expiring: { groups: ["leads"], expiresAt: new Date(Date.now() + 1500) },
    },
  });
  Object.assign(tok, t.tokens, { unknown: "rmd_not-a-token-at-all", anonymous: undefined });
  await t.tokenStore.revoke("revoked");
  // The expiring token's time passes.
  await new Promise((r) => setTimeout(r, 1600));
});
afterAll(async () => {
  await t?.close();
  await rm(siteRoot, { recursive: true, force: true });
});

type Who = keyof typeof tok | "anonymous" | "unknown";
type Case = [
  who: Who,
  method: string,
  url: string,
  body: object | undefined,
  status: number,
  audited?: string,
];

const run = (runbook: string, extra: object = {}) => ({ runbook, ...extra });

const TABLE: Case[] = [
  // Pages: view on the runbook, or 404 as if the page did not exist.
  ["oncall", "GET", "/runbooks/iam-low/", undefined, 200],
  ["oncall", "GET", "/runbooks/slow/", undefined, 200],
  ["oncall", "GET", "/runbooks/net-critical/", undefined, 404, "access.refused:view"],
  [
    "oncall",
    "GET",
    "/runbooks/net-critical/runs/2026-11-30T00-00-00.000Z/",
    undefined,
    404,
    "access.refused:view",
  ],
  [
    "oncall",
    "GET",
    "/reports/net-critical/2026-11-30T00-00-00.000Z.json",
    undefined,
    404,
    "access.refused:view",
  ],
  ["netops", "GET", "/reports/net-critical/2026-11-30T00-00-00.000Z.json", undefined, 200],
  ["netops", "GET", "/runbooks/net-critical/", undefined, 200],
  ["nobody", "GET", "/runbooks/slow/", undefined, 200],
  ["nobody", "GET", "/runbooks/net-critical/", undefined, 404, "access.refused:view"],
  ["anonymous", "GET", "/runbooks/slow/", undefined, 404, "auth.refused:not signed in"],
  // A runbook that does not exist is refused as one hidden from the caller, audited the same.
  ["oncall", "GET", "/runbooks/no-such-runbook/", undefined, 404, "access.refused:view"],
  ["anonymous", "GET", "/runbooks/no-such-runbook/", undefined, 404, "auth.refused:not signed in"],
  ["oncall", "POST", "/api/runs", run("no-such-runbook"), 404, "access.refused:view"],
  ["anonymous", "GET", "/", undefined, 200],
  ["anonymous", "GET", "/tags/iam/", undefined, 200],
  ["leads", "GET", "/runbooks/net-critical/", undefined, 200],
  ["leads", "GET", "/pagefind/pagefind.js", undefined, 200],
  ["oncall", "GET", "/pagefind/pagefind.js", undefined, 404, "access.refused:view"],
  ["anonymous", "GET", "/pagefind/pagefind.js", undefined, 404, "auth.refused:not signed in"],
  // The sitemap names every runbook's pages: only for callers who may view them all.
  ["oncall", "GET", "/sitemap-0.xml", undefined, 404, "access.refused:view"],
  ["anonymous", "GET", "/sitemap-index.xml", undefined, 404, "auth.refused:not signed in"],
  ["leads", "GET", "/sitemap-0.xml", undefined, 200],
  ["leads", "GET", "/../../etc/passwd", undefined, 404],
  // Runs: run as written, run:params for other parameters or windows.
  ["oncall", "POST", "/api/runs", run("iam-low"), 202, "run.request"],
  ["oncall", "POST", "/api/runs", run("iam-low", { params: { limit: 2 } }), 202, "run.request"],
  ["oncall", "POST", "/api/runs", run("iam-low", { since: "1d" }), 202, "run.request"],
  ["oncall", "POST", "/api/runs", run("slow"), 403, "access.refused:run"],
  ["oncall", "POST", "/api/runs", run("net-critical"), 404, "access.refused:view"],
  ["nobody", "POST", "/api/runs", run("slow"), 403, "access.refused:run"],
  [
    "nobody",
    "POST",
    "/api/runs",
    run("iam-low", { params: { limit: 2 } }),
    403,
    "access.refused:run",
  ],
  // Deny wins over allow: the contractor is in oncall too.
  ["contractor", "POST", "/api/runs", run("iam-low"), 403, "access.refused:run"],
  ["contractor", "GET", "/runbooks/iam-low/", undefined, 200],
  ["netops", "POST", "/api/runs", run("net-critical"), 202, "run.request"],
  [
    "netops",
    "POST",
    "/api/runs",
    run("net-critical", { since: "1d" }),
    403,
    "access.refused:run:params",
  ],
  ["netops", "POST", "/api/runs", run("iam-low"), 403, "access.refused:run"],
  // Naming an engine runs the runbook other than as written: run:params, as a parameter does.
  [
    "netops",
    "POST",
    "/api/runs",
    run("net-critical", { engine: "athena" }),
    403,
    "access.refused:run:params",
  ],
  ["oncall", "POST", "/api/runs", run("iam-low", { engine: "local" }), 202, "run.request"],
  // Its own 7d, but ending in the past: another window, whatever `since` says.
  [
    "netops",
    "POST",
    "/api/runs",
    run("net-critical", { since: "7d", to: "2025-01-01T00:00:00Z" }),
    403,
    "access.refused:run:params",
  ],
  ["netops", "POST", "/api/runs", run("net-critical", { since: "7d" }), 202, "run.request"],
  ["leads", "POST", "/api/runs", run("net-critical", { since: "1d" }), 202, "run.request"],
  // Runbook-less actions and identity.
  ["leads", "GET", "/api/audit?limit=5", undefined, 200, "audit.read"],
  ["oncall", "GET", "/api/audit", undefined, 403, "access.refused:audit"],
  ["nobody", "GET", "/api/audit", undefined, 403, "access.refused:audit"],
  // No credentials: refused and audited on every API route but the site's sign-in probe.
  ["anonymous", "GET", "/api/me", undefined, 401],
  ["anonymous", "GET", "/healthz", undefined, 200],
  ["anonymous", "POST", "/api/runs", run("slow"), 401, "auth.refused:not signed in"],
  ["anonymous", "GET", "/api/runbooks", undefined, 401, "auth.refused:not signed in"],
  ["anonymous", "GET", "/api/runs", undefined, 401, "auth.refused:not signed in"],
  ["anonymous", "GET", "/api/audit", undefined, 401, "auth.refused:not signed in"],
  ["revoked", "GET", "/api/me", undefined, 401, "auth.refused:token revoked"],
  ["expiring", "GET", "/api/me", undefined, 401, "auth.refused:token expired"],
  ["unknown", "GET", "/api/me", undefined, 401, "auth.refused:token unknown"],
  ["unknown", "POST", "/api/runs", run("slow"), 401, "auth.refused:token unknown"],
  ["nobody", "GET", "/api/me", undefined, 200],
];

/** `access.refused:run` → the newest entries must include that action with that refused action. */
function matches(
  entry: { action: string; details?: Record<string, unknown> },
  audited: string,
): boolean {
  const [action, detail] = audited.split(/:(.*)/s);
  if (entry.action !== action) return false;
  if (detail === undefined) return true;
  return entry.details?.action === detail || entry.details?.reason === detail;
}

describe("the rule table", () => {
  it("has at least 30 cases", () => expect(TABLE.length).toBeGreaterThanOrEqual(30));

  it.each(TABLE)("%s %s %s %j → %i", async (who, method, url, body, status, audited) => {
    const before = (await t.audit()).length;
    const r = await call(`${t.url}${url}`, {
      method,
      ...(tok[who] === undefined ? {} : { token: tok[who] }),
      ...(body === undefined ? {} : { body }),
    });
    expect(r.status).toBe(status);
    if (status === 403)
      expect(r.body.error).toMatch(/refused: you may not "(run|run:params|audit)"/);
    const added = (await t.audit()).slice(before);
    if (audited !== undefined) expect(added.some((e) => matches(e, audited))).toBe(true);
    else expect(added.filter((e) => e.action.endsWith("refused"))).toEqual([]);
  });
});

describe("a refused request's audit entry", () => {
  it("keeps the first 256 characters of a long path: an anonymous caller cannot grow the log 15 KB a request", async () => {
    const long = `/${"a".repeat(15_000)}`;
    const before = (await t.audit()).length;
    const r = await call(`${t.url}${long}`, { token: tok.unknown! });
    expect(r.status).toBe(401);
    // An earlier case's run may end (run.end) meanwhile: the refusal is the one entry of its kind.
    const refused = (await t.audit()).slice(before).filter((e) => e.action === "auth.refused");
    expect(refused).toHaveLength(1);
    const entry = refused[0]!;
    expect(entry.details?.path).toBe(`${long.slice(0, 256)}… (15001 characters)`);
    expect(JSON.stringify(entry).length).toBeLessThan(1_000);
  });
});

/** A GET of `rawPath` exactly as written (fetch would resolve `.` and `..` before sending). */
function rawGet(rawPath: string, token?: string): Promise<number> {
  return rawRequest(
    t.url,
    rawPath,
    token === undefined ? {} : { authorization: `Bearer ${token}` },
  );
}

/** A GET with the headers as given, Host included (fetch sets its own). */
function rawRequest(
  base: string,
  rawPath: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("a gated page under another spelling of its path", () => {
  const report = "net-critical/2026-11-30T00-00-00.000Z.json";
  // Each names /runbooks/net-critical/ or /reports/net-critical/... once decoded and normalized.
  const spellings = [
    `/%72eports/${report}`,
    `/reports%2f${report}`,
    `/./reports/${report}`,
    `/x/../reports/${report}`,
    `//reports/${report}`,
    "/%72unbooks/net-critical/",
    "/runbooks/net%2Dcritical/",
    "/x/../runbooks/net-critical/",
  ];
  // On a file system that ignores case these are the same folders (the fake site has them so, as
  // such a file system would): gated all the same.
  const otherCase = [
    "/Reports/net-critical/2026-11-30T00-00-00.000Z.json",
    "/RUNBOOKS/net-critical/",
  ];

  it.each(spellings)(
    "%s is 404 to a caller without view, audited, and to nobody signed in",
    async (p) => {
      const before = (await t.audit()).length;
      expect(await rawGet(p, tok.oncall)).toBe(404);
      const added = (await t.audit()).slice(before);
      expect(added.some((e) => matches(e, "access.refused:view"))).toBe(true);
      expect(await rawGet(p)).toBe(404);
    },
  );

  it.each(spellings)("%s is served to a caller with view", async (p) => {
    expect(await rawGet(p, tok.netops)).toBe(200);
  });

  it.each(otherCase)("%s in another case is gated too", async (p) => {
    expect(await rawGet(p, tok.oncall)).toBe(404);
    expect(await rawGet(p)).toBe(404);
  });

  it("answers 404 to a backslash, which separates folders on Windows", async () => {
    expect(await rawGet("/runbooks%5Cnet-critical/", tok.netops)).toBe(404);
  });

  it("keeps the search index from a caller who may not view every runbook", async () => {
    expect(await rawGet("/%70agefind/pagefind.js", tok.oncall)).toBe(404);
    expect(await rawGet("/x/../pagefind/pagefind.js", tok.oncall)).toBe(404);
  });
});

describe("the list pages", () => {
  it.each([
    ["leads", ["iam-low", "net-critical", "slow"], true],
    ["oncall", ["iam-low", "slow"], false],
    ["nobody", ["iam-low", "slow"], false],
    ["anonymous", [], false],
  ] as const)(
    "show %s the rows of the runbooks they may view, counts only with all",
    async (who, ids, counts) => {
      const r = await call(`${t.url}/`, tok[who] === undefined ? {} : { token: tok[who] });
      expect(r.status).toBe(200);
      const html = String(r.body);
      const shown = [...html.matchAll(/data-runbook="([^"]+)"/g)].map((m) => m[1]);
      expect(shown).toEqual(ids);
      for (const id of ["iam-low", "net-critical", "slow"].filter(
        (x) => !(ids as readonly string[]).includes(x),
      ))
        expect(html).not.toContain(`of ${id}`);
      expect(html.includes("3 runbooks")).toBe(counts);
      expect(html.includes("data-rm-count>")).toBe(counts);
    },
  );
});

describe("what each caller is shown", () => {
  it("lists only the runbooks the caller may view, with the actions allowed on each", async () => {
    const list = async (who: string) =>
      (await call(`${t.url}/api/runbooks`, { token: tok[who]! })).body as Array<{
        id: string;
        actions: string[];
      }>;
    expect((await list("nobody")).map((r) => [r.id, r.actions])).toEqual([
      ["iam-low", ["view"]],
      ["slow", ["view"]],
    ]);
    expect((await list("oncall")).map((r) => [r.id, r.actions])).toEqual([
      ["iam-low", ["view", "run", "run:params"]],
      ["slow", ["view"]],
    ]);
    expect((await list("contractor")).find((r) => r.id === "iam-low")!.actions).toEqual(["view"]);
    // Each with what a run form needs (spec §4): title, severity, tags, params with their types.
    expect((await list("oncall"))[0]).toEqual({
      id: "iam-low",
      title: "IAM calls by name",
      description: "How often each IAM API was called (a test runbook of the server).",
      severity: "low",
      tags: ["iam"],
      window: "7d",
      params: [
        {
          name: "source",
          type: "string",
          description: "The eventsource to count",
          default: "iam.amazonaws.com",
        },
        { name: "limit", type: "integer", default: 5, min: 1, max: 50 },
      ],
      steps: [{ id: "calls_by_name", title: "IAM calls by name" }],
      actions: ["view", "run", "run:params"],
    });
    const netops = await list("netops");
    expect(netops.map((r) => r.id)).toEqual(["iam-low", "net-critical", "slow"]);
    const me = await call(`${t.url}/api/me`, { token: tok.leads! });
    expect(me.body).toMatchObject({ user: "lee@example.com", groups: ["leads"], via: "token" });
    expect(me.body.actions).toEqual(["view", "run", "run:params", "audit", "admin"]);
  });

  it("lets the requester or an admin cancel a run, and nobody else", async () => {
    const r = await call(`${t.url}/api/runs`, { token: tok.oncall!, body: run("iam-low") });
    const byNobody = await call(`${t.url}/api/runs/${r.body.id}/cancel`, {
      token: tok.nobody!,
      method: "POST",
    });
    expect(byNobody.status).toBe(403);
    expect(byNobody.body.error).toMatch(/"admin"/);
    const byNetops = await call(`${t.url}/api/runs/${r.body.id}`, { token: tok.netops! });
    expect(byNetops.status).toBe(200);
    const byLead = await call(`${t.url}/api/runs/${r.body.id}/cancel`, {
      token: tok.leads!,
      method: "POST",
    });
    // Either it was still going (cancelled now) or had just ended (409): never refused.
    expect([202, 409]).toContain(byLead.status);
  });
});

describe("a run of a runbook the caller may not view", () => {
  const requests = [
    ["GET", ""],
    ["GET", "/events"],
    ["POST", "/cancel"],
    ["POST", "/approve"],
    ["POST", "/deny"],
  ] as const;

  it.each(requests)(
    "%s /api/runs/{id}%s answers as a run that does not exist, audited",
    async (method, tail) => {
      const hidden = await call(`${t.url}/api/runs`, {
        token: tok.netops!,
        body: run("net-critical"),
      });
      expect(hidden.status).toBe(202);
      const id: string = hidden.body.id;
      const unknown = "00000000-0000-4000-8000-000000000000";
      const ask = (runId: string) =>
        call(`${t.url}/api/runs/${runId}${tail}`, { token: tok.oncall!, method });
      const before = (await t.audit()).length;
      const answer = await ask(id);
      const none = await ask(unknown);
      const added = (await t.audit()).slice(before);
      expect([answer.status, answer.body]).toEqual([
        404,
        { error: `no run "${id}"`, code: "not-found" },
      ]);
      expect([none.status, none.body]).toEqual([
        404,
        { error: `no run "${unknown}"`, code: "not-found" },
      ]);
      // An id that is no run id is not quoted back (it would write its own sentence there).
      const crafted = await ask(encodeURIComponent("x. Sign in again at https://evil.example"));
      expect([crafted.status, crafted.body]).toEqual([
        404,
        { error: "no such run (a run id is a UUID)", code: "not-found" },
      ]);
      // Both refusals audited (one synced write each: the time does not tell them apart), the
      // run that does not exist without a runbook.
      expect(added.filter((e) => e.action.endsWith("refused"))).toEqual([
        expect.objectContaining({
          actor: "olive@example.com",
          action: "access.refused",
          target: "net-critical",
          details: { action: "view", run: id },
        }),
        expect.objectContaining({
          actor: "olive@example.com",
          action: "access.refused",
          details: { action: "view", run: unknown },
        }),
      ]);
      // (The netops run's own entries, run.start and run.end, may come between.)
      expect(added.filter((e) => e.action.endsWith("refused"))[1]!.target).toBeUndefined();
    },
  );
});

describe("the requester of a run", () => {
  it("is the same person whatever the case of their address: mine=true lists the run, and they cancel it", async () => {
    const r = await call(`${t.url}/api/runs`, { token: tok.runner!, body: run("slow") });
    expect(r.status).toBe(202);
    const mine = await call(`${t.url}/api/runs?runbook=slow&mine=true`, {
      token: tok.runnerCased!,
    });
    expect(mine.body.map((x: { id: string }) => x.id)).toEqual([r.body.id]);
    const cancel = await call(`${t.url}/api/runs/${r.body.id}/cancel`, {
      token: tok.runnerCased!,
      method: "POST",
    });
    expect(cancel.status).toBe(202);
    const ended = await waitForEnd(t, r.body.id, tok.runner!, 30_000);
    expect([ended.status, ended.cancelledBy]).toEqual(["cancelled", "Rita@Example.COM"]);
  });
});

describe("a request without credentials", () => {
  it("cannot sign in with a browser in token mode: /auth/login is 404 not-found (spec §2)", async () => {
    const r = await call(`${t.url}/auth/login`);
    expect([r.status, r.body]).toEqual([
      404,
      { error: "browser sign-in is off (server.auth.mode is token)", code: "not-found" },
    ]);
  });

  it("to an API route is 401 and one auth.refused entry, whatever its body; GET /api/me is not audited", async () => {
    const before = (await t.audit()).length;
    // Token mode has no /auth/login: the 401 does not send anyone there.
    const tokenOnly = {
      error:
        "not signed in: send Authorization: Bearer <token> (an API token from run-md token create)",
      code: "unauthenticated",
    };
    const me = await call(`${t.url}/api/me`);
    expect([me.status, me.body]).toEqual([401, tokenOnly]);
    const r = await call(`${t.url}/api/runs?runbook=slow`, { body: "{not json" });
    expect([r.status, r.body]).toEqual([401, tokenOnly]);
    const refused = (await t.audit()).slice(before).filter((e) => e.action.endsWith("refused"));
    expect(refused).toEqual([
      expect.objectContaining({
        actor: "anonymous",
        groups: [],
        action: "auth.refused",
        details: { reason: "not signed in", method: "POST", path: "/api/runs", peer: "127.0.0.1" },
      }),
    ]);
  });
});

describe("a method or path no route serves", () => {
  it.each([
    ["OPTIONS", "/api/runs"],
    ["DELETE", "/api/runs/00000000-0000-4000-8000-000000000000"],
    ["PUT", "/"],
  ])("%s %s is 404 in the errors' shape", async (method, url) => {
    const r = await call(`${t.url}${url}`, { token: tok.leads!, method });
    expect([r.status, r.body]).toEqual([
      404,
      { error: `no route ${method} ${url}`, code: "not-found" },
    ]);
  });

  it("GET of an /api/ path no route serves is 404 not-found too (docs/serve.md: every error has its code)", async () => {
    const r = await call(`${t.url}/api/nope?x=1`, { token: tok.leads! });
    expect([r.status, r.body]).toEqual([404, { error: "no API /api/nope", code: "not-found" }]);
  });
});

describe("auth mode none", () => {
  it("refuses to start off loopback, behind a proxy or at a public address", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-none-"));
    // Behind a proxy, or at a public address, every client would be the local user.
    for (const [server, refusal] of [
      [{ host: "0.0.0.0" }, /server.auth.mode none is refused on 0.0.0.0/],
      [{ host: "127.0.0.1", trustProxy: true }, /none is refused with server.trustProxy/],
      [
        { host: "127.0.0.1", publicUrl: "https://run-md.example.com" },
        /none is refused with server.publicUrl/,
      ],
    ] as const) {
      const config = parseServerConfig(
        { port: 0, auth: { mode: "none" }, ...server },
        "run-md.config.yaml",
        dir,
      );
      await expect(
        startServer({
          config,
          access: { rules: [], approvals: [], masking: [], budgets: [], approvalTtlMs: 0 },
          runbooks: [FIXTURES],
          run: {
            getEngine: async () => Promise.reject(new Error("unused")),
            reportsDir: dir,
            toolVersion: "test",
          },
        }),
      ).rejects.toThrow(refusal);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("serves a loopback peer as the local user in the configured groups", async () => {
    const local = await startTestServer({
      runbooks: [FIXTURES],
      auth: { mode: "none", groups: ["leads"] },
      access: ACCESS,
    });
    try {
      const me = await call(`${local.url}/api/me`);
      expect(me.body).toMatchObject({ user: "local", groups: ["leads"], via: "none" });
      // Another site's page, its name pointed at 127.0.0.1 (DNS rebinding), is not the local user.
      const { port } = new URL(local.url);
      const as = (headers: Record<string, string>, method?: string) =>
        rawRequest(local.url, "/api/me", headers, method);
      expect(await as({ host: `localhost:${port}` })).toBe(200);
      expect(await as({ host: `127.0.0.1:${port}`, origin: `http://localhost:${port}` })).toBe(200);
      expect(await as({ host: `[::1]:${port}` })).toBe(200);
      const before = (await local.audit()).length;
      expect(await as({ host: `attacker.example:${port}` })).toBe(403);
      expect(
        await as({ host: `127.0.0.1:${port}`, origin: `http://attacker.example:${port}` }, "POST"),
      ).toBe(403);
      expect(await as({ host: `127.0.0.1:${port}`, origin: "null" })).toBe(403);
      const refused = (await local.audit())
        .slice(before)
        .filter((e) => e.action === "auth.refused");
      expect(refused).toHaveLength(3);
    } finally {
      await local.close();
    }
  });
});

describe("server configuration", () => {
  it("names the key at fault", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ prot: 1 }, /"server.prot" is not a key/],
      [{ port: "80" }, /"server.port" must be an integer/],
      [{ auth: { mode: "ldap" } }, /"server.auth.mode" must be one of oidc, token, none/],
      [{ auth: { mode: "oidc" } }, /"server.auth.issuer" is required/],
      [{ auth: { sessionTtl: "forever" } }, /"server.auth.sessionTtl" must be a duration/],
      [{ concurrency: 0 }, /"server.concurrency" must be an integer from 1/],
      [{ bodyLimit: "lots" }, /"server.bodyLimit" must be a size/],
      [{ trustProxy: "yes" }, /"server.trustProxy" must be false, true \(one load balancer/],
      [{ trustProxy: 0 }, /"server.trustProxy" must be false, true/],
      [{ trustProxy: ["10.0.0.0/33"] }, /"10.0.0.0\/33" is not an address or CIDR range/],
      [{ trustProxy: ["alb.internal"] }, /"alb.internal" is not an address or CIDR range/],
    ];
    for (const [raw, message] of bad) {
      expect(() => parseServerConfig(raw, "run-md.config.yaml", "/x")).toThrow(message);
      expect(() => parseServerConfig(raw, "run-md.config.yaml", "/x")).toThrow(RunMdError);
    }
    const proxies = ["10.0.0.0/16", "fd00::1"];
    expect(parseServerConfig({ trustProxy: proxies }, "x", "/x").trustProxy).toEqual(proxies);
    expect(parseServerConfig({ trustProxy: 2 }, "x", "/x").trustProxy).toBe(2);
    const d = parseServerConfig(undefined, "x", "/srv");
    expect(d).toMatchObject({
      host: "127.0.0.1",
      port: 4600,
      concurrency: 2,
      tokens: "/srv/.run-md/tokens.json",
      audit: "/srv/.run-md/audit.log",
      runsDir: "/srv/.run-md/runs",
      // Spec §2: the groups are in the `groups` claim unless the configuration says otherwise.
      auth: { mode: "token", groupsClaim: "groups", groups: [], sessionTtlMs: 8 * 3600_000 },
      siteDir: "/srv/site/dist",
      budgets: "/srv/.run-md/budgets.json",
      trustProxy: false,
      bodyLimit: 64_000,
    });
    // The documented default, written out, is the default; the least limit it takes is 1KB.
    expect(parseServerConfig({ bodyLimit: "64KB" }, "x", "/x").bodyLimit).toBe(d.bodyLimit);
    expect(parseServerConfig({ bodyLimit: "1KB" }, "x", "/x").bodyLimit).toBe(1000);
  });
});
