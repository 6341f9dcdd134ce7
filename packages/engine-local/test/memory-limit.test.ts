/**
 * A `local.memoryLimit` too small for DuckDB's JSON reader: each thread reading CloudTrail files
 * reserves twice the largest object (MAX_OBJECT, 256 MiB) against the limit, so `threads: 2` with
 * `memoryLimit: 1GB` (953.6 MiB) fails queries over raw files, however small (a read by one thread
 * alone passes now and then; below one thread's reserve, every read fails), with DuckDB's bare
 * "Out of Memory Error". The error must say which setting to change.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_OBJECT } from "../src/engine.ts";
import { createLocalEngine } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

let logDir: string;
beforeAll(async () => {
  logDir = await tempDir("run-md-memory-limit-");
  // A few small files.
  for (let i = 0; i < 8; i++) {
    const record = {
      eventVersion: "1.08",
      eventTime: `2026-11-23T10:0${i}:00Z`,
      eventSource: "iam.amazonaws.com",
      eventName: "ListUsers",
      awsRegion: "us-east-1",
      eventID: `id-${i}`,
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice" },
    };
    await fsp.writeFile(path.join(logDir, `f${i}.json`), JSON.stringify({ Records: [record] }));
  }
});
afterAll(async () => {
  await fsp.rm(logDir, { recursive: true, force: true });
});

describe("a memoryLimit below what the JSON reader reserves", () => {
  it("fails with a hint naming local.memoryLimit, local.threads and the reserve", async () => {
    // The reserve per reading thread is twice the largest object.
    expect((2 * MAX_OBJECT) / 2 ** 20).toBe(512);
    // Below one reading thread's reserve, so that every read fails (with two threads and 1GB,
    // the documented example, a read of a few small files by one thread alone passed now and then).
    const engine = await createLocalEngine({ logDir, threads: 1, memoryLimit: "400MB" });
    try {
      const err = await engine
        .runAthenaSql("SELECT count(*) FROM cloudtrail_logs", [])
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "sql-error" });
      expect((err as Error).message).toMatch(/Out of Memory/i);
      const hint = (err as { hint?: string }).hint ?? "";
      expect(hint).toContain("local.memoryLimit");
      expect(hint).toContain("local.threads");
      expect(hint).toContain("512 MiB");
    } finally {
      await engine.close();
    }
  });

  it("is no error with the same threads and a limit that leaves room for the reserve", async () => {
    const engine = await createLocalEngine({ logDir, threads: 2, memoryLimit: "2GB" });
    try {
      const r = await engine.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", []);
      expect(r.rows).toEqual([[8]]);
    } finally {
      await engine.close();
    }
  });
});
