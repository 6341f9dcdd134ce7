/**
 * `run-md collect --prune`: the store keeps a retention. Truth is the raw files, read in plain
 * JavaScript (truth.ts); a pruned day must read as never collected (an error), never as empty.
 */
import { existsSync, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalEngine, readManifest } from "@run-md/engine-local";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";
import { inWindow, readGenerated } from "../../../test/truth/runbook-answers.ts";
import { collectFromDir, pruneStore } from "../src/index.ts";
import { storeContents, truth } from "./truth.ts";

let root: string;
let logs: string;
const window = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-06T00:00:00Z") };

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-prune-test-"));
  logs = path.join(root, "logs");
  await generateLogs({
    outDir: logs,
    start: window.start,
    end: window.end,
    eventsPerDay: 60,
    seed: 5,
    regions: ["us-east-1"],
  });
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe("pruning the store", () => {
  it("removes the days before the cutoff's day, their objects and coverage, and keeps the rest", async () => {
    const store = path.join(root, "store");
    await collectFromDir({ sourceDir: logs, store, window });
    const before = await readManifest(store);
    const gone = ["2024/03/01", "2024/03/02"];
    const goneFiles = gone.map((d) => path.join(store, before.days[d]!.file));
    const r = await pruneStore(store, new Date("2024-03-03T12:00:00Z"));
    expect(r.days).toEqual(gone);
    expect(r.events).toBe(gone.reduce((n, d) => n + before.days[d]!.events, 0));
    const m = await readManifest(store);
    expect(Object.keys(m.days).sort()).toEqual(["2024/03/03", "2024/03/04", "2024/03/05"]);
    for (const f of goneFiles) expect(existsSync(f)).toBe(false);
    expect(m.covered).toEqual([{ from: "2024-03-03T00:00:00Z", to: "2024-03-06T00:00:00Z" }]);
    expect(Object.keys(m.objects).some((k) => /2024\/03\/0[12]\//.test(k))).toBe(false);
    expect(Object.keys(m.objects).filter((k) => k.includes("2024/03/03/")).length).toBeGreaterThan(
      0,
    );
    // The kept days hold exactly the raw files' events.
    const want = await truth(logs);
    const got = await storeContents(store);
    expect([...got.keys()].sort()).toEqual(["2024/03/03", "2024/03/04", "2024/03/05"]);
    for (const [day, ids] of got) expect(ids).toEqual(want.get(day));

    // A window over a pruned day is an error that says to collect it, never an empty answer.
    const engine = await createLocalEngine({ store, threads: 1 });
    const query = (start: string, end: string) =>
      engine.query({
        stepId: "n",
        dialect: "sql",
        query: "SELECT count(*) AS n FROM cloudtrail_logs",
        params: {},
        window: { start: new Date(start), end: new Date(end) },
        attributes: { optional: false },
        signal: new AbortController().signal,
      });
    try {
      await expect(query("2024-03-02T00:00:00Z", "2024-03-04T00:00:00Z")).rejects.toMatchObject({
        code: "store-not-collected",
      });
      const kept = await query("2024-03-04T00:00:00Z", "2024-03-06T00:00:00Z");
      const raw = inWindow(
        readGenerated(logs),
        new Date("2024-03-04T00:00:00Z"),
        new Date("2024-03-06T00:00:00Z"),
      );
      expect(raw.length).toBeGreaterThan(50);
      expect(Number(kept.rows[0]?.[0])).toBe(raw.length);
    } finally {
      await engine.close();
    }

    // Collecting the pruned days again reads their objects again, as for days never collected.
    const again = await collectFromDir({ sourceDir: logs, store, window });
    expect(again.daysWritten).toEqual(gone);
    const all = await storeContents(store);
    for (const [day, ids] of want) expect(all.get(day)).toEqual(ids);
  });

  it("a manifest naming a file outside the store is refused: prune and collect remove nothing", async () => {
    const store = path.join(root, "store-hand-edited");
    await collectFromDir({ sourceDir: logs, store, window });
    const victim = path.join(root, "victim.parquet");
    await fsp.writeFile(victim, "someone else's file\n");
    const file = path.join(store, "manifest.json");
    const m = JSON.parse(await fsp.readFile(file, "utf8"));
    m.days["2024/03/01"].file = "../victim.parquet";
    await fsp.writeFile(file, JSON.stringify(m));
    await expect(pruneStore(store, new Date("2024-03-03T00:00:00Z"))).rejects.toThrow(
      /day 2024\/03\/01 names the file "\.\.\/victim\.parquet", outside its folder/,
    );
    const cli = await runMdHere([
      "collect",
      "--source",
      logs,
      "--store",
      store,
      "--since",
      "1d",
      "--prune",
      "30d",
    ]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain("changed by hand");
    expect(await fsp.readFile(victim, "utf8")).toBe("someone else's file\n");
    // Other shapes a collect never writes are the same clean error, not a crash.
    for (const text of [
      '{"version":3,"days":null,"covered":[],"objects":{}}',
      '{"version":3,"days":{},"covered":[]}',
      '{"version":3,"days":{"2024/03/01":null},"covered":[],"objects":{}}',
    ]) {
      await fsp.writeFile(file, text);
      const res = await runMdHere(["collect", "--source", logs, "--store", store, "--all"]);
      expect(res.code, text).toBe(2);
      expect(res.stderr, text).toMatch(/bad-store|changed by hand/);
      expect(res.stderr, text).not.toMatch(/\n\s+at /);
    }
  });

  it("a second prune with nothing older changes nothing", async () => {
    const store = path.join(root, "store-2");
    await collectFromDir({ sourceDir: logs, store, window });
    await pruneStore(store, new Date("2024-03-04T00:00:00Z"));
    const m = await fsp.readFile(path.join(store, "manifest.json"), "utf8");
    const r = await pruneStore(store, new Date("2024-03-04T00:00:00Z"));
    expect(r.days).toEqual([]);
    expect(await fsp.readFile(path.join(store, "manifest.json"), "utf8")).toBe(m);
  });

  it("run-md collect --prune refuses a retention shorter than the window, and --all", async () => {
    const store = path.join(root, "store-cli");
    const cli = (args: string[]) =>
      runMdHere(["collect", "--source", logs, "--store", store, ...args]);
    const short = await cli(["--since", "30d", "--prune", "7d"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("--prune 7d would remove days this collect brings");
    const all = await cli(["--all", "--prune", "90d"]);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("--prune cannot be combined with --all");
    const bad = await cli(["--prune", "a year"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--prune "a year" is not a duration');
    // Nothing was collected by the refused commands.
    expect(existsSync(path.join(store, "manifest.json"))).toBe(false);
  });

  it("knows each object's day when the source lies below AWSLogs/<account>/ (keys without the layout)", async () => {
    // The keys are then `CloudTrail/<region>/yyyy/mm/dd/...`: the day must come from the whole
    // path the collect read, or the prune keeps those objects and a later collect of the pruned
    // days skips them as collected (a window answered from nothing), and a corrupt object of a
    // day goes unreported.
    const [account] = await fsp.readdir(path.join(logs, "AWSLogs"));
    const source = path.join(root, "below", account!);
    await fsp.cp(path.join(logs, "AWSLogs", account!), source, { recursive: true });
    const dayDir = path.join(source, "CloudTrail/us-east-1/2024/03/04");
    await fsp.writeFile(path.join(dayDir, "truncated.json.gz"), Buffer.from([0x1f, 0x8b, 8, 0]));
    const store = path.join(root, "store-below");
    await collectFromDir({ sourceDir: source, store, window });
    const engine = await createLocalEngine({ store, threads: 1 });
    try {
      const r = await engine.query({
        stepId: "n",
        dialect: "sql",
        query: "SELECT count(*) AS n FROM cloudtrail_logs",
        params: {},
        window: { start: new Date("2024-03-04T00:00:00Z"), end: new Date("2024-03-05T00:00:00Z") },
        attributes: { optional: false },
        signal: new AbortController().signal,
      });
      expect(r.unread?.some((u) => u.includes("truncated.json.gz"))).toBe(true);
    } finally {
      await engine.close();
    }
    await pruneStore(store, new Date("2024-03-03T00:00:00Z"));
    const m = await readManifest(store);
    expect(Object.keys(m.objects).some((k) => /2024\/03\/0[12]\//.test(k))).toBe(false);
    const again = await collectFromDir({ sourceDir: source, store, window });
    expect(again.daysWritten).toEqual(["2024/03/01", "2024/03/02"]);
    const want = await truth(logs);
    const got = await storeContents(store);
    for (const day of ["2024/03/01", "2024/03/02"]) expect(got.get(day)).toEqual(want.get(day));
  });
});
