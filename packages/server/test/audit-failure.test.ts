/**
 * The audit log failing (spec §4, §9): a write that fails (the disk is full) leaves the log
 * refusing every append. While it is so, `/healthz` answers 503 with the reason and audited
 * actions 503 `audit-unavailable`; once the log can be written again, the next check repairs it
 * (the torn line moved aside, a `server.recover` entry), `/healthz` is 200 again, actions are
 * taken again, and the chain verifies.
 *
 * The full disk is simulated without root: the log's file handle takes half of one write then
 * fails with ENOSPC (the log's own failure path, as a real full disk takes it), and the log's
 * lock path is a directory while the disk stays "full", so a repair cannot take the lock.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { verifyAuditFile } from "@run-md/access";
import { describe, expect, it, vi } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, until, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "audit"] }] },
});

type Write = (b: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;

describe("an audit log that cannot be written", () => {
  it("makes /healthz 503 and audited actions 503 until it is repaired", async () => {
    expect((await call(`${t.url}/healthz`)).status).toBe(200);
    const failedLog = t.server.audit;
    // The log's open file (a private field of @run-md/access's AuditLog): checked, so a rename
    // there fails this test rather than letting it pass without a failed write.
    const fh = (failedLog as unknown as { fh?: { write: Write } }).fh;
    expect(fh?.write).toBeTypeOf("function");
    const write = fh!.write.bind(fh);
    const full = vi.spyOn(fh!, "write").mockImplementationOnce(async (b, offset, length) => {
      await write(b, offset, Math.floor(length / 2));
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
        code: "ENOSPC",
      });
    });
    const lock = `${t.config.audit}.lock`;
    try {
      const refused = await call(`${t.url}/api/runs`, {
        token: t.ops,
        body: { runbook: "iam-low" },
      });
      expect(full).toHaveBeenCalled();
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe("audit-unavailable");
      // The disk stays full: a repair cannot write either.
      await mkdir(lock);
      const health = await call(`${t.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: false, code: "audit-unavailable" });
      expect(health.body.reason).toContain("ENOSPC");
      const again = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
      expect([again.status, again.body.code]).toEqual([503, "audit-unavailable"]);
      expect((await call(`${t.url}/api/runs`, { token: t.ops })).body).toEqual([]);
    } finally {
      full.mockRestore();
      await rm(lock, { recursive: true, force: true });
    }

    // Room again: the next checks repair the log.
    await until(async () => ((await call(`${t.url}/healthz`)).status === 200 ? true : undefined));
    expect(t.server.audit).not.toBe(failedLog);
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    expect(r.status).toBe(202);
    expect((await waitForEnd(t, r.body.id, t.ops)).status).toBe("passed");

    const entries = await t.audit();
    // The reopening's entries: the torn line moved aside, then when and why the log failed.
    const recover = entries.filter((e) => e.action === "server.recover").map((e) => e.details);
    expect(recover).toEqual([
      expect.objectContaining({ tornBytes: expect.any(Number) }),
      expect.objectContaining({ auditFailed: expect.objectContaining({ error: "ENOSPC" }) }),
    ]);
    expect(entries.filter((e) => e.action === "run.request").length).toBe(1);
    expect(await verifyAuditFile(t.config.audit)).toMatchObject({
      ok: true,
      entries: entries.length,
    });
    // The torn half line was moved aside, not lost.
    const dir = path.dirname(t.config.audit);
    const torn = (await readdir(dir)).filter((n) =>
      n.startsWith(`${path.basename(t.config.audit)}.torn-`),
    );
    expect(torn.length).toBe(1);
  });
});
