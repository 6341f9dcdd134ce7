/**
 * Exports that hold the same events, collected: the store keeps one copy of the records alike in
 * every field (the raw files count each once per file), so its answer can differ from the raw
 * files'; the collect says so. Truth: the files' own lines, read here.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { createLocalEngine } from "@run-md/engine-local";
import { describe, expect, it } from "vitest";
import { datasetsDir, hasShared, tempDir } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";

const EXPORT = path.join(datasetsDir, "otrf-ec2-proxy-s3-exfiltration", "events.jsonl");

describe.skipIf(!hasShared)("two copies of one export, collected", () => {
  it("stores each event once, where the raw files count it twice, and says so", async () => {
    const root = await tempDir("run-md-collect-shared-");
    const [dir, store] = [path.join(root, "logs"), path.join(root, "store")];
    try {
      await fsp.mkdir(dir);
      const text = await fsp.readFile(EXPORT, "utf8");
      const lines = text.split("\n").filter((l) => l.trim() !== "");
      const ids = new Set(lines.map((l) => (JSON.parse(l) as { eventID: string }).eventID));
      await fsp.writeFile(path.join(dir, "export.jsonl"), text);
      await fsp.writeFile(path.join(dir, "export-copy.jsonl"), text);
      const r = await collectFromDir({ sourceDir: dir, store, window: null });
      expect(r.warnings).toContain(
        `${ids.size} events of export.jsonl are also in export-copy.jsonl (the same eventID and eventTime): the store keeps one copy of each alike in every field and one per file of the others, where a step over the files (and Athena) counts each once per file; keep one copy`,
      );
      const onStore = await createLocalEngine({ store, threads: 1 });
      try {
        const rows = await onStore.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", []);
        // The store's answer differs from the raw files' (twice the lines): hence the warning.
        expect(rows.rows).toEqual([[lines.length]]);
      } finally {
        await onStore.close();
      }
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });
});
