/**
 * Every kind of request leaves an audit entry (spec §9), written before what it records takes
 * effect, and the file's chain verifies. Sign-in and sign-out are in oidc.test.ts; recovery after
 * a kill in test/serve-crash.test.ts.
 */
import { copyFile, readFile, rename, truncate } from "node:fs/promises";
import { verifyAuditFile, verifyAuditFiles } from "@run-md/access";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  server: { concurrency: 1 },
  access: {
    rules: [
      { groups: ["ops"], allow: ["view", "run", "audit"] },
      { groups: ["ops"], deny: ["run"], runbooks: { ids: ["net-critical"] } },
    ],
  },
});

describe("the audit trail of the server", () => {
  it("records each kind of request, each before its effect, in a chain that verifies", async () => {
    const ops = t.ops;
    // Token failure, refusal, run request, cancel, audit read.
    expect((await call(`${t.url}/api/me`, { token: "rmd_wrong" })).status).toBe(401);
    expect(
      (await call(`${t.url}/api/runs`, { token: ops, body: { runbook: "net-critical" } })).status,
    ).toBe(403);
    const slow = (await call(`${t.url}/api/runs`, { token: ops, body: { runbook: "slow" } })).body;
    const quick = (await call(`${t.url}/api/runs`, { token: ops, body: { runbook: "iam-low" } }))
      .body;
    await readEvents(`${t.url}/api/runs/${slow.id}/events`, { token: ops, stopAfter: 3 });
    expect(
      (await call(`${t.url}/api/runs/${slow.id}/cancel`, { token: ops, method: "POST" })).status,
    ).toBe(202);
    expect((await waitForEnd(t, quick.id, ops)).status).toBe("passed");
    expect((await call(`${t.url}/api/audit?limit=1000`, { token: ops })).status).toBe(200);

    const entries = await t.audit();
    const kinds = new Set(entries.map((e) => e.action));
    for (const k of [
      "server.start",
      "auth.refused",
      "access.refused",
      "run.request",
      "run.start",
      "run.cancel",
      "run.end",
      "audit.read",
    ]) {
      expect(kinds, k).toContain(k);
    }
    expect(entries[0]).toMatchObject({ action: "server.start", actor: "run-md" });
    expect(entries.find((e) => e.action === "access.refused")).toMatchObject({
      actor: "ops@example.com",
      target: "net-critical",
      details: { action: "run" },
    });
    // Before the effect: each run's entries come in order, and the run's own events (queued,
    // run-end) are stamped no earlier than the entry that allowed them.
    for (const run of [slow, quick]) {
      const mine = entries.filter((e) => e.details?.run === run.id);
      const full = (await call(`${t.url}/api/runs/${run.id}`, { token: ops })).body;
      const first = (await readEvents(`${t.url}/api/runs/${run.id}/events`, { token: ops })).events;
      const request = mine.find((e) => e.action === "run.request")!;
      expect(first[0]!.event).toBe("queued");
      expect(Date.parse(first[0]!.data.time)).toBeGreaterThanOrEqual(Date.parse(request.time));
      expect(mine.map((e) => e.action)).toEqual(
        run === slow
          ? ["run.request", "run.start", "run.cancel", "run.end"]
          : ["run.request", "run.start", "run.end"],
      );
      expect(mine.at(-1)!.details).toMatchObject({ status: full.status, report: full.report });
    }
    // The read of the log is itself in the log, with who read it.
    expect(entries.at(-1)).toMatchObject({ action: "audit.read", actor: "ops@example.com" });
    expect(await verifyAuditFile(t.config.audit)).toMatchObject({
      ok: true,
      entries: entries.length,
    });
  });

  it("writes a lone surrogate of a caller's text as U+FFFD: every line stays well-formed (review)", async () => {
    // A parameter (name and value) with halves of a surrogate pair: refused, and audited with it.
    const r = await call(`${t.url}/api/runs`, {
      token: t.ops,
      body: { runbook: "iam-low", params: { limit: "7\ud800x", "a\udc00": "\ud83d\ude00" } },
    });
    expect(r.status).toBe(400);
    const text = await readFile(t.config.audit, "utf8");
    const line = text.trimEnd().split("\n").at(-1)!;
    expect(line).toContain('"run.request"');
    // Strict readers (jq) refuse a \udXXX escape of a lone surrogate; a pair stays as it is.
    // (An escape is a backslash after an even number of them: `\\ud800` is the text \ud800.)
    expect(line).not.toMatch(/(?<!\\)(?:\\\\)*\\ud[89a-f]/i);
    expect(line).not.toMatch(
      /[\ud800-\udfff](?<![\ud800-\udbff][\udc00-\udfff])(?![\udc00-\udfff])/,
    );
    const entry = JSON.parse(line);
    expect(entry.details.params).toEqual({ limit: "7\ufffdx", "a\ufffd": "\ud83d\ude00" });
    const entries = await t.audit();
    expect(await verifyAuditFile(t.config.audit)).toMatchObject({
      ok: true,
      entries: entries.length,
    });
  });

  it("answers GET /api/audit with the newest `limit` entries since an instant, in log order", async () => {
    const before = await t.audit();
    const since = before[1]!.time;
    const r = await call(`${t.url}/api/audit?since=${encodeURIComponent(since)}&limit=3`, {
      token: t.ops,
    });
    expect(r.status).toBe(200);
    // The read is in the log before the answer is taken from it, so the answer ends with it.
    const after = await t.audit();
    expect(r.body).toEqual(after.filter((e) => e.time >= since).slice(-3));
    expect(r.body.map((e: { seq: number }) => e.seq)).toEqual(
      [1, 2, 3].map((i) => after.length - 3 + i),
    );
    expect(r.body.at(-1)).toMatchObject({
      action: "audit.read",
      actor: "ops@example.com",
      groups: ["ops"],
      details: { since, limit: 3 },
      prev: after.at(-2)!.hash,
    });
    // Without a limit the newest 100; a bad instant or limit is a 400 naming the field.
    const bad = async (q: string) => (await call(`${t.url}/api/audit?${q}`, { token: t.ops })).body;
    expect(await bad("since=yesterday")).toMatchObject({ field: "since" });
    expect(await bad("limit=0")).toMatchObject({ field: "limit" });
    expect(await bad("limit=1001")).toMatchObject({ field: "limit" });
  });

  // Last: it rotates the fixture's log (docs/serve.md's logrotate example, both modes).
  it("keeps one chain over a log rotated while it runs (renamed, then copied and truncated)", async () => {
    const file = t.config.audit;
    const read = async () => (await call(`${t.url}/api/audit?limit=2`, { token: t.ops })).body;
    await rename(file, `${file}.2`); // logrotate's default: the file moved away, a new one made
    const afterMove = await read();
    await copyFile(file, `${file}.1`); // copytruncate
    await truncate(file, 0);
    const afterCopy = await read();
    const pieces = [`${file}.2`, `${file}.1`, file];
    const [older, old, now] = await Promise.all(
      pieces.map(async (f) =>
        (await readFile(f, "utf8"))
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l)),
      ),
    );
    // By hand: each piece starts with a server.recover continuing the piece before.
    for (const [before, piece] of [
      [older!, old!],
      [old!, now!],
    ] as const)
      expect(piece[0]).toMatchObject({
        action: "server.recover",
        seq: before.at(-1).seq + 1,
        prev: before.at(-1).hash,
        details: {
          cutAfterSeq: 0,
          lastWritten: { seq: before.at(-1).seq, hash: before.at(-1).hash },
        },
      });
    // GET /api/audit reads the current piece: the recovery, then the read itself.
    expect(afterMove.map((e: { action: string }) => e.action)).toEqual([
      "server.recover",
      "audit.read",
    ]);
    expect(afterCopy).toEqual(now);
    expect(await verifyAuditFiles(pieces)).toEqual({
      ok: true,
      entries: now!.at(-1).seq,
      last: now!.at(-1).hash,
    });
  });
});
