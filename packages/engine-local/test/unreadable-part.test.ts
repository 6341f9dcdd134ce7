/**
 * A file the lenient reader takes (an export) and DuckDB then refuses (a lone surrogate in a
 * string): the warning names the file as the user knows it, never the reader's cache file.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine } from "../src/index.ts";

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-unreadable-part-"));
  // JSON.stringify would escape the lone surrogate as `\ud800` text; it is written as such here.
  const record = (id: string, agent: string) =>
    `{"eventTime":"2024-03-01T10:00:00Z","eventName":"A","eventID":"${id}","userAgent":"${agent}"}`;
  await fsp.writeFile(
    path.join(dir, "export.json"),
    `{"Records":[${record("e1", "x\\ud800y")},${record("e2", "ok")}]}`,
  );
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

it("names the export, not the cache file DuckDB read, and counts it unread", async () => {
  const e = await createLocalEngine({ logDir: dir, threads: 1 });
  try {
    const window = {
      start: new Date("2024-03-01T00:00:00Z"),
      end: new Date("2024-03-02T00:00:00Z"),
    };
    const r = await e.query(
      queryRequest("sql", "SELECT count(*) AS n FROM cloudtrail_logs", window),
    );
    expect(r.unread).toEqual(["export.json"]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^skipped export\.json: unreadable \(.*file "export\.json"/);
    expect(r.warnings[0]).not.toContain(os.tmpdir());
  } finally {
    await e.close();
  }
});
