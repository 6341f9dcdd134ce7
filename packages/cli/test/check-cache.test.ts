/**
 * The checked queries kept between processes (src/check-cache.ts): what a file holds comes back,
 * what is not a list of problems is a miss, the folders of other builds go, an unwritable folder
 * is no cache; and the built `run-md` reads its folder (a planted entry for a query of this test
 * alone is what `run-md check` reports). RE2's verdicts on patterns are kept there too, so that a
 * check whose patterns were all asked before loads no DuckDB.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadRunbook } from "@run-md/core";
import { type SqlProblem, TableResolver } from "@run-md/sql";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, runMd } from "../../../test/helpers.ts";
import { fileCheckCache, fileRe2Verdicts } from "../src/check-cache.ts";
import { loadConfig, tableConfig } from "../src/config.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function temp(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "run-md-check-cache-"));
  dirs.push(d);
  return d;
}

const problem: SqlProblem = {
  line: 2,
  column: 3,
  severity: "error",
  rule: "sql-table",
  message: "no such table",
};

describe("the checked queries kept in files", () => {
  it("gives back what was kept, and a miss for anything else", async () => {
    const root = await temp();
    const cache = fileCheckCache(root, "b1");
    expect(cache.get("k")).toBeUndefined();
    cache.set("k", [problem]);
    expect(cache.get("k")).toEqual([problem]);
    expect(fileCheckCache(root, "b1").get("k")).toEqual([problem]);
    // Another build does not read it.
    expect(fileCheckCache(root, "b2").get("k")).toBeUndefined();
    const file = (key: string) =>
      path.join(root, "sql-check-b1", `${createHash("sha256").update(key).digest("hex")}.json`);
    for (const [key, text] of [
      ["broken", "{not json"],
      ["object", JSON.stringify({ line: 1 })],
      ["shape", JSON.stringify([{ ...problem, line: "2" }])],
      ["severity", JSON.stringify([{ ...problem, severity: "fatal" }])],
    ]) {
      writeFileSync(file(key as string), text as string);
      expect(cache.get(key as string), key).toBeUndefined();
    }
  });

  it("removes the folders of other builds when it makes its own, and survives a read-only place", async () => {
    const root = await temp();
    mkdirSync(path.join(root, "sql-check-old"), { recursive: true });
    writeFileSync(path.join(root, "sql-check-old", "x.json"), "[]");
    writeFileSync(path.join(root, "unrelated"), "kept");
    fileCheckCache(root, "new").set("k", []);
    expect(readdirSync(root).sort()).toEqual(["sql-check-new", "unrelated"]);
    // A file where the folder should be: nothing kept, nothing thrown.
    const blocked = path.join(root, "blocked");
    writeFileSync(blocked, "");
    const cache = fileCheckCache(blocked, "b");
    expect(() => cache.set("k", [problem])).not.toThrow();
    expect(cache.get("k")).toBeUndefined();
  });

  it("is read by the built run-md: a planted entry is what `run-md check` reports", async () => {
    const work = await temp();
    const marker = `probe_${process.pid}_${Date.now()}`;
    const query = `SELECT 1 AS ${marker}\n`;
    await writeFile(path.join(work, "run-md.config.yaml"), "reportsDir: reports\n");
    await writeFile(
      path.join(work, "probe.md"),
      `---\ntitle: Probe\n---\n\n\`\`\`sql s\n${query}\`\`\`\n`,
    );
    const first = await runMd(["check", "probe.md"], { cwd: work });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    // The folder of the build the tests run (packages/cli/node_modules/.cache/run-md).
    const root = path.join(path.dirname(path.dirname(BIN)), "node_modules/.cache/run-md");
    const builds = readdirSync(root).filter((d) => d.startsWith("sql-check-"));
    expect(builds).toHaveLength(1);
    // The key as `run-md check` makes it: the step's query and the configuration's tables.
    const parsed = await loadRunbook(path.join(work, "probe.md"));
    const step = parsed.runbook!.steps[0]!;
    const tables = tableConfig(loadConfig(path.join(work, "run-md.config.yaml")));
    const key = JSON.stringify([step.query, new TableResolver(tables).config]);
    const entry = path.join(
      root,
      builds[0]!,
      `${createHash("sha256").update(key).digest("hex")}.json`,
    );
    expect(existsSync(entry)).toBe(true);
    writeFileSync(entry, JSON.stringify([{ ...problem, message: `planted for ${marker}` }]));
    const second = await runMd(["check", "probe.md"], { cwd: work });
    expect(second.code).toBe(2);
    expect(second.stdout + second.stderr).toContain(`planted for ${marker}`);
  });

  it("keeps RE2's verdicts per pattern: a refusal's words, or null for a pattern RE2 compiles", async () => {
    const root = await temp();
    const verdicts = fileRe2Verdicts(root, "b1");
    expect(verdicts.get("[\\b]")).toBeUndefined();
    verdicts.set("[\\b]", "invalid escape sequence: \\b");
    verdicts.set("^a", null);
    expect(fileRe2Verdicts(root, "b1").get("[\\b]")).toBe("invalid escape sequence: \\b");
    expect(fileRe2Verdicts(root, "b1").get("^a")).toBeNull();
    expect(fileRe2Verdicts(root, "b2").get("^a")).toBeUndefined();
    const file = path.join(
      root,
      "sql-check-b1",
      `re2-${createHash("sha256").update("^a").digest("hex")}.json`,
    );
    for (const text of ["{not json", JSON.stringify({ re2: 3 }), "[]"]) {
      writeFileSync(file, text);
      expect(verdicts.get("^a"), text).toBeUndefined();
    }
  });

  it("is read by the built run-md for RE2's verdicts: a planted one is what `run-md check` says", async () => {
    const work = await temp();
    const pattern = `probe_${process.pid}_${Date.now()}`;
    await writeFile(path.join(work, "run-md.config.yaml"), "reportsDir: reports\n");
    await writeFile(
      path.join(work, "probe.md"),
      `---\ntitle: Probe\n---\n\n\`\`\`sql s\nSELECT 1 AS n FROM cloudtrail_logs WHERE regexp_like(eventname, '${pattern}')\n\`\`\`\n`,
    );
    const first = await runMd(["check", "probe.md"], { cwd: work });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const root = path.join(path.dirname(path.dirname(BIN)), "node_modules/.cache/run-md");
    const [build] = readdirSync(root).filter((d) => d.startsWith("sql-check-"));
    const entry = path.join(
      root,
      build!,
      `re2-${createHash("sha256").update(pattern).digest("hex")}.json`,
    );
    expect(JSON.parse(await readFile(entry, "utf8"))).toEqual({ re2: null });
    writeFileSync(entry, JSON.stringify({ re2: `planted for ${pattern}` }));
    const second = await runMd(["check", "probe.md"], { cwd: work });
    expect(second.code).toBe(2);
    expect(second.stdout + second.stderr).toContain(`compiles: planted for ${pattern}`);
  });
});
