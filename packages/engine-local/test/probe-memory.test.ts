/**
 * The "no events" probe's answers remembered per engine (probe-memory.ts): the same answers as
 * an engine that probes after every step (`rememberProbes: false`), one probe per view and
 * window, and a file rewritten in place (size and modification time put back) probed again.
 */
import { promises as fsp, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  type Engine,
  type JsonValue,
  parseRunbook,
  type QueryRequest,
  type QueryResult,
  type RunReport,
  runRunbook,
} from "@run-md/core";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event } from "../../../test/truth/published-answers.ts";
import { inWindow, RUNBOOK_ANSWERS, readGenerated } from "../../../test/truth/runbook-answers.ts";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { repoRoot, tempDir, window } from "./helpers.ts";

const START = new Date("2026-03-09T18:00:00Z");
const END = new Date("2026-03-10T18:00:00Z");
/** The data's window, and one inside the data's last day where no event lies (files are read). */
const FULL = { from: START.toISOString(), to: "2026-03-10T19:00:00.000Z" };
const EMPTY = { from: "2026-03-10T19:00:00.000Z", to: "2026-03-10T21:00:00.000Z" };

let root: string;
let logDir: string;
let events: Event[];
const engines: LocalEngine[] = [];

beforeAll(async () => {
  root = await tempDir("run-md-probe-memory-");
  logDir = path.join(root, "logs");
  await generateLogs({
    outDir: logDir,
    start: START,
    end: END,
    totalEvents: 2000,
    incidents: true,
    seed: "probe-memory",
    regions: ["us-east-1", "eu-west-1"],
  });
  events = inWindow(readGenerated(logDir), new Date(FULL.from), new Date(FULL.to));
}, 120_000);

afterAll(async () => {
  for (const e of engines) await e.close();
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

async function engineOver(dir: string, rememberProbes: boolean): Promise<LocalEngine> {
  const e = await createLocalEngine({ logDir: dir, threads: 1, rememberProbes });
  engines.push(e);
  return e;
}

interface StepRun {
  req: QueryRequest;
  res: QueryResult;
}

/** Every bundled runbook on one engine over the window; each step's full result by id. */
async function runAll(
  engine: LocalEngine,
  spec: { from: string; to: string },
): Promise<{ steps: Map<string, StepRun>; reports: RunReport[] }> {
  const steps = new Map<string, StepRun>();
  const reports: RunReport[] = [];
  const dir = path.join(repoRoot, "runbooks");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()) {
    const { runbook } = parseRunbook(readFileSync(path.join(dir, file), "utf8"), file);
    if (!runbook) throw new Error(`${file} does not parse`);
    const recording: Engine = {
      name: engine.name,
      dialects: engine.dialects,
      query: async (req) => {
        // The runner streams rows (onRows): keep every row of the step as well.
        const rows: JsonValue[][] = [];
        const res = await engine.query({
          ...req,
          onRows: async (chunk) => {
            if (chunk.restart) rows.length = 0;
            rows.push(...chunk.rows());
            await req.onRows?.(chunk);
          },
        });
        steps.set(`${runbook.meta.id}/${req.stepId}`, { req, res: { ...res, rows } });
        return res;
      },
      close: async () => {},
    };
    reports.push(
      await runRunbook(
        runbook,
        { engine: "local", window: spec, now: () => END, toolVersion: "test" },
        { getEngine: async () => recording },
      ),
    );
  }
  return { steps, reports };
}

/** Rows as sorted JSON texts: the same rows whatever the order of ties. */
function rowSet(rows: JsonValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

/** What a step's answer is made of, for comparing two engines. */
function outcome(run: StepRun) {
  return {
    columns: run.res.columns,
    rows: rowSet(run.res.rows),
    noEvents: run.res.noEvents ?? null,
    warnings: run.res.warnings,
  };
}

/** Distinct (view, window) pairs the steps asked about: one probe each with the memory. */
function viewWindows(steps: StepRun[]): number {
  return new Set(
    steps.map(
      ({ req }) =>
        `${req.dialect} ${req.window.start.toISOString()} ${req.window.end.toISOString()}`,
    ),
  ).size;
}

describe("the bundled runbooks with the probe's answers remembered", () => {
  type Runs = Awaited<ReturnType<typeof runAll>>;
  let withMemory: LocalEngine;
  let without: LocalEngine;
  /** Per engine, the data's window then the empty one, on the same engine. */
  const runs = { remembered: [] as Runs[], probing: [] as Runs[] };

  beforeAll(async () => {
    withMemory = await engineOver(logDir, true);
    without = await engineOver(logDir, false);
    for (const spec of [FULL, EMPTY]) {
      runs.remembered.push(await runAll(withMemory, spec));
      runs.probing.push(await runAll(without, spec));
    }
    // Every bundled runbook four times: about 30 s on a quiet machine, past 120 s on a loaded one.
  }, 300_000);

  it.each([
    ["the data's window", 0],
    ["a window without events, after the data's window", 1],
  ])("give every step the same answer as probing every time (%s)", (_, i) => {
    const remembered = runs.remembered[i] as Runs;
    const probing = runs.probing[i] as Runs;
    expect([...remembered.steps.keys()]).toEqual([...probing.steps.keys()]);
    expect(remembered.steps.size).toBeGreaterThanOrEqual(30);
    for (const [id, run] of remembered.steps) {
      expect(outcome(run), id).toEqual(outcome(probing.steps.get(id) as StepRun));
    }
    const all = [...remembered.steps.values()];
    const empty = all.filter((r) => r.res.noEvents !== undefined);
    if (i === 1) {
      expect(empty.length).toBe(remembered.steps.size);
      expect(empty[0]?.res.noEvents).toMatch(/files? read, none with an event in the window/);
    } else {
      expect(empty).toEqual([]);
      expect(all.filter((r) => r.res.rows.length > 0).length).toBeGreaterThanOrEqual(25);
    }
  });

  it("probes once per view and window (once per step without the memory)", () => {
    const all = (r: Runs[]) => r.flatMap((x) => [...x.steps.values()]);
    expect(withMemory.probesRun()).toBe(viewWindows(all(runs.remembered)));
    expect(withMemory.probesRun()).toBeLessThan(all(runs.remembered).length / 3);
    expect(without.probesRun()).toBe(all(runs.probing).length);
  });

  it("gives the steps the answers computed from the raw records", () => {
    const { steps, reports } = runs.remembered[0] as Runs;
    let checked = 0;
    for (const report of reports) {
      for (const step of report.steps) {
        const truth = RUNBOOK_ANSWERS[`${report.runbook.id}/${step.id}`];
        const run = steps.get(`${report.runbook.id}/${step.id}`);
        if (truth === undefined || run === undefined) continue;
        const expected = truth(events, report.params as Record<string, JsonValue>);
        expect(rowSet(run.res.rows), `${report.runbook.id}/${step.id}`).toEqual(rowSet(expected));
        checked++;
      }
    }
    expect(checked).toBe(120);
  });
});

const EVENT = (time: string) => ({
  eventVersion: "1.08",
  eventTime: time,
  eventSource: "iam.amazonaws.com",
  eventName: "CreateUser",
  awsRegion: "us-east-1",
  eventID: "11111111-2222-3333-4444-555555555555",
  recipientAccountId: "111122223333",
});

async function count(engine: LocalEngine, hours: [string, string]) {
  const res = await engine.query({
    stepId: "s",
    dialect: "sql",
    query: "SELECT count(*) AS n FROM cloudtrail_logs",
    params: {},
    window: window(`2026-03-10T${hours[0]}:00:00Z`, `2026-03-10T${hours[1]}:00:00Z`),
    attributes: { optional: false },
    signal: new AbortController().signal,
  });
  return { n: Number(res.rows[0]?.[0]), noEvents: res.noEvents, warnings: res.warnings };
}

describe("a remembered probe", () => {
  it("is asked again when a file is rewritten with the same size and modification time", async () => {
    const dir = await tempDir("run-md-probe-rewrite-");
    const day = path.join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/10");
    await fsp.mkdir(day, { recursive: true });
    const file = path.join(day, "111122223333_CloudTrail_us-east-1_20260310T0500Z_a.json");
    const write = async (time: string) => {
      const before = await fsp.stat(file).catch(() => null);
      await fsp.writeFile(file, JSON.stringify({ Records: [EVENT(time)] }));
      if (before) await fsp.utimes(file, before.atime, before.mtime);
    };
    await write("2026-03-10T05:00:00Z");
    const size = (await fsp.stat(file)).size;
    const engine = await engineOver(dir, true);
    // 06:00-07:00 holds no event: the file is read, the probe says so.
    const first = await count(engine, ["06", "07"]);
    expect(first).toMatchObject({ n: 0, noEvents: expect.stringMatching(/1 file read, none/) });
    expect((await count(engine, ["06", "07"])).noEvents).toBe(first.noEvents);
    expect(engine.probesRun()).toBe(1);
    // Same path, same size, modification time put back: the event now lies in the window.
    await write("2026-03-10T06:30:00Z");
    expect((await fsp.stat(file)).size).toBe(size);
    expect(await count(engine, ["06", "07"])).toMatchObject({ n: 1, noEvents: undefined });
    expect(engine.probesRun()).toBe(2);
    await write("2026-03-10T05:30:00Z");
    expect(await count(engine, ["06", "07"])).toMatchObject({ n: 0, noEvents: first.noEvents });
    expect(engine.probesRun()).toBe(3);
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("runs once per window and view", async () => {
    const engine = await engineOver(logDir, true);
    await count(engine, ["00", "06"]);
    await count(engine, ["00", "06"]);
    expect(engine.probesRun()).toBe(1);
    await count(engine, ["00", "07"]);
    expect(engine.probesRun()).toBe(2);
    const insights = await engine.query({
      stepId: "i",
      dialect: "logs-insights",
      query: "stats count(*) as n",
      params: {},
      window: window("2026-03-10T00:00:00Z", "2026-03-10T06:00:00Z"),
      attributes: { optional: false },
      signal: new AbortController().signal,
    });
    expect(Number(insights.rows[0]?.[0])).toBe((await count(engine, ["00", "06"])).n);
    expect(engine.probesRun()).toBe(3);
  });

  it("gives the same answers and warnings with a malformed gz file among the files", async () => {
    const dir = await tempDir("run-md-probe-bad-gz-");
    await fsp.cp(logDir, dir, { recursive: true });
    const day = path.join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/10");
    await fsp.mkdir(day, { recursive: true });
    await fsp.writeFile(
      path.join(day, "111122223333_CloudTrail_us-east-1_20260310T0100Z_bad.json.gz"),
      Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 7)]),
    );
    const answers = async (remember: boolean) => {
      const engine = await engineOver(dir, remember);
      return [
        await count(engine, ["00", "12"]),
        await count(engine, ["00", "12"]),
        await count(engine, ["19", "21"]),
        await count(engine, ["19", "21"]),
      ];
    };
    const remembered = await answers(true);
    expect(remembered).toEqual(await answers(false));
    expect(remembered[0]?.warnings.join("\n")).toMatch(/_bad\.json\.gz/);
    expect(remembered[0]?.n).toBe(
      events.filter(
        (e) =>
          String(e.eventTime) < "2026-03-10T12:00:00Z" &&
          String(e.eventTime) >= "2026-03-10T00:00:00Z",
      ).length,
    );
    expect(remembered[2]?.noEvents).toMatch(/none with an event in the window/);
    await fsp.rm(dir, { recursive: true, force: true });
  });
});
