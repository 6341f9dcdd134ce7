/**
 * Ad-hoc queries (spec §7) through `POST /api/query` on the real local engine: answers checked
 * against a JavaScript count over the raw records, the full text audited, callers without
 * `query` refused, answers masked per caller, and every statement of the hardening sandbox
 * corpus (shared with packages/engine-local/test/sandbox.test.ts) refused with a 4xx while the
 * log directory stays byte-for-byte the same.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inWindow, readGenerated } from "../../../test/truth/runbook-answers.ts";
import {
  listTableFunctions,
  sandboxCorpus,
  snapshot,
} from "../../engine-local/test/sandbox-corpus.ts";
import { call, FIXTURES, startTestServer, type TestServer, until } from "./helpers.ts";

let root: string;
let logDir: string;
let t: TestServer;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "run-md-query-"));
  logDir = path.join(root, "logs");
  const end = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
  await generateLogs({
    outDir: logDir,
    start: new Date(end.getTime() - 24 * 3600_000),
    end,
    eventsPerDay: 300,
    seed: "adhoc",
  });
  await writeFile(path.join(logDir, "notes.csv"), "a,b\n1,2\n");
  t = await startTestServer({
    logDir,
    access: {
      rules: [
        { groups: ["analysts", "contractors"], allow: ["query"] },
        { groups: ["viewers"], allow: ["view"] },
      ],
      masking: [{ groups: ["contractors"], columns: ["sourceipaddress"], strategy: "redact" }],
    },
    tokens: {
      ana: { groups: ["analysts"], user: "ana@example.com" },
      con: { groups: ["contractors"], user: "con@example.com" },
      vic: { groups: ["viewers"], user: "vic@example.com" },
    },
  });
});
afterAll(async () => {
  await t?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const query = (token: string, body: unknown) => call(`${t.url}/api/query`, { token, body });

describe("POST /api/query", () => {
  it("answers what the raw records say, for SQL and for Logs Insights, and audits the full text", async () => {
    const sql =
      "SELECT eventsource, count(*) AS n FROM cloudtrail_logs GROUP BY eventsource ORDER BY n DESC, eventsource";
    const r = await query(t.tokens.ana!, { sql, since: "2d" });
    expect(r.status).toBe(200);
    const events = inWindow(
      readGenerated(logDir),
      new Date(r.body.window.start),
      new Date(r.body.window.end),
    );
    expect(events.length).toBeGreaterThan(100);
    const counts = new Map<string, number>();
    for (const e of events)
      counts.set(e.eventSource as string, (counts.get(e.eventSource as string) ?? 0) + 1);
    const truth = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(r.body.columns.map((c: { name: string }) => c.name)).toEqual(["eventsource", "n"]);
    expect(r.body.rows).toEqual(truth.map(([s, n]) => [s, n]));

    const ins = await query(t.tokens.ana!, { insights: "stats count(*) as n", since: "2d" });
    expect(ins.status).toBe(200);
    expect(ins.body.rows[0].map(Number)).toEqual([events.length]);

    const audited = (await t.audit()).filter((e) => e.action === "query.request");
    expect(audited.map((e) => (e.details as { text: string }).text)).toEqual(
      expect.arrayContaining([sql, "stats count(*) as n"]),
    );
    expect(audited[0]).toMatchObject({ actor: "ana@example.com", details: { dialect: "sql" } });
  });

  it("answers the last 24 hours without a window, with the answer's fields", async () => {
    const r = await query(t.tokens.ana!, { sql: "SELECT count(*) AS n FROM cloudtrail_logs" });
    expect(r.status).toBe(200);
    const { start, end } = r.body.window;
    expect(Date.parse(end) - Date.parse(start)).toBe(24 * 3600_000);
    expect(Math.abs(Date.parse(end) - Date.now())).toBeLessThan(60_000);
    const fields = ["id", "status", "engine", "query", "stats", "columns", "rows", "rowCount"];
    for (const k of [...fields, "durationMs"]) expect(r.body, k).toHaveProperty(k);
    expect(r.body.warnings).toEqual(expect.any(Array));
  });

  it("refuses a masked group, which could read a masked column under another name, audited", async () => {
    // Masking goes by column name: an alias carried the address out unmasked (a review found it).
    const before = (await t.audit()).filter((e) => e.action === "query.request").length;
    for (const body of [
      { sql: "SELECT sourceipaddress AS ip FROM cloudtrail_logs LIMIT 5", since: "2d" },
      { sql: "SELECT sourceipaddress FROM cloudtrail_logs LIMIT 5", since: "2d" },
      { insights: "fields @message | limit 5", since: "2d" },
    ]) {
      const r = await query(t.tokens.con!, body);
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 403]);
      expect(r.body.error).toMatch(/"query"/);
      expect(JSON.stringify(r.body)).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    }
    const audit = await t.audit();
    expect(audit.filter((e) => e.action === "query.request").length).toBe(before);
    const refused = audit.filter(
      (e) => e.action === "access.refused" && (e.details as { action: string }).action === "query",
    );
    expect(refused.filter((e) => e.actor === "con@example.com")).toHaveLength(3);
    // What the caller is told it may do no longer lists query.
    const me = await call(`${t.url}/api/me`, { token: t.tokens.con! });
    expect(me.body.actions).not.toContain("query");
  });

  it("refuses callers without query, and bad bodies before anything runs, auditing each query refused", async () => {
    const before = (await t.audit()).filter((e) => e.action === "query.request").length;
    const r = await query(t.tokens.vic!, { sql: "SELECT 1" });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/"query"/);
    for (const body of [
      { sql: "SELECT 1", insights: "stats count(*)" },
      {},
      { sql: "" },
      { sql: "SELECT 1", table: "x" },
      { sql: "SELECT 1", to: "2999-01-01T00:00:00Z", from: "2998-01-01T00:00:00Z" },
      { sql: "SELECT 1", to: "2999-01-01T00:00+05", from: "2020-01-01T00:00+05" },
      { sql: "SELECT 1", engine: "postgres" },
      // Before year 1 (past JavaScript's dates, this was a 500).
      { sql: "SELECT 1", since: "300000000d" },
    ]) {
      const bad = await query(t.tokens.ana!, body);
      expect([JSON.stringify(body), bad.status]).toEqual([JSON.stringify(body), 400]);
    }
    // Each body with a query in it is audited with its text and why it was refused (spec §9:
    // every ad-hoc query is one entry); `{}` and an empty query hold nothing to audit.
    const audited = (await t.audit()).filter((e) => e.action === "query.request").slice(before);
    expect(audited).toHaveLength(6);
    for (const e of audited) {
      expect(e.actor).toBe("ana@example.com");
      expect(e.details).toMatchObject({
        text: expect.stringMatching(/^(SELECT 1|stats count)/),
        refused: { status: 400, code: expect.any(String), error: expect.any(String) },
      });
    }
    const window = audited.find((e) => JSON.stringify(e.details).includes("300000000d"));
    expect(window?.details).toMatchObject({ refused: { code: "bad-window" } });
    // A query Athena would reject: its hint is for an API caller, not a runbook's author.
    const syntax = await query(t.tokens.ana!, { sql: "SELEC 1" });
    expect([syntax.status, syntax.body.code]).toEqual([400, "sql-invalid"]);
    expect(syntax.body.hint).toMatch(/^Athena would reject this query: the line and column/);
    expect(syntax.body.hint).not.toMatch(/run-md check|dialect=duckdb/);
    const refused = (await t.audit()).filter(
      (e) => e.action === "access.refused" && (e.details as { action: string }).action === "query",
    );
    expect(refused.map((e) => e.actor)).toContain("vic@example.com");
  });

  it("refuses every statement of the sandbox corpus with a 4xx, and the log directory is unchanged", async () => {
    const before = await snapshot(logDir);
    const statements = sandboxCorpus(logDir, root, await listTableFunctions());
    expect(statements.length).toBeGreaterThanOrEqual(60);
    const answered: string[] = [];
    for (const sql of statements) {
      const r = await query(t.tokens.ana!, { sql, since: "2d" });
      if (r.status < 400 || r.status >= 500) answered.push(`${r.status} ${sql}`);
    }
    expect(answered).toEqual([]);
    expect(await snapshot(logDir)).toEqual(before);
    const texts = new Set(
      (await t.audit())
        .filter((e) => e.action === "query.request")
        .map((e) => (e.details as { text: string }).text),
    );
    expect(statements.filter((s) => !texts.has(s))).toEqual([]);
  });

  it("waits for a slot under server.concurrency, as runs do", async () => {
    const one = await startTestServer({
      runbooks: [FIXTURES],
      server: { concurrency: 1 },
      access: { rules: [{ groups: ["ops"], allow: ["view", "run", "query"] }] },
      tokens: { ops: { groups: ["ops"], user: "ops@example.com" } },
    });
    try {
      const token = one.tokens.ops!;
      const slow = await call(`${one.url}/api/runs`, { token, body: { runbook: "slow" } });
      const running = Date.now() + 30_000;
      while (one.server.runs.store.get(slow.body.id)!.status !== "running") {
        if (Date.now() > running) throw new Error("the slow run did not start");
        await new Promise((r) => setTimeout(r, 50));
      }
      let answered = false;
      const q = call(`${one.url}/api/query`, {
        token,
        body: { sql: "SELECT count(*) AS n FROM cloudtrail_logs", since: "1d" },
      }).then((r) => {
        answered = true;
        return r;
      });
      // Queued behind the run once the server has the request: a condition, not a fixed 1.5 s
      // standing for "the request has arrived" (a request later than that failed the test).
      await until(() => (one.server.runs.queueSize().waiting === 1 ? true : undefined), 30_000);
      expect(answered).toBe(false);
      expect(one.server.runs.queueSize()).toEqual({ waiting: 1, running: 1 });
      expect(one.server.runs.store.get(slow.body.id)!.status).toBe("running");
      await call(`${one.url}/api/runs/${slow.body.id}/cancel`, { token, method: "POST" });
      const r = await q;
      expect(r.status).toBe(200);
      expect(r.body.rows[0][0]).toBeGreaterThan(0);
    } finally {
      await one.close();
    }
  });
});
