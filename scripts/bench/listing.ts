/**
 * Benchmark of a step's listing over a long history: a log directory holding a year of a trail in
 * the delivery layout (8 regions, 48 files a region and day: 140,160 files, written once into the
 * temporary folder and reused), of which a 1-day window reads three days of folders (the day
 * before and after too, for late deliveries). The other days' files are only counted, for the
 * step's statistics; `outside-count.ts` keeps those counts while their folders are unchanged, so
 * only a run's first step lists them. Prints the first step's time and the next ones'.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { best } from "./local-engine.ts";

const REGIONS = 8;
const DAYS = 365;
const FILES_PER_DAY = 48;
const YEAR_START = Date.UTC(2025, 0, 1);
const WINDOW_DAY = Date.UTC(2025, 6, 1);
const DAY_MS = 86_400_000;
const ROUNDS = 5;

function dayPath(dir: string, region: number, t: number): string {
  const d = new Date(t).toISOString().slice(0, 10).replaceAll("-", "/");
  return path.join(dir, "AWSLogs", "111122223333", "CloudTrail", `region-${region}`, d);
}

/** One event a file, in the window's days; the other days' files are never opened. */
function eventFile(region: number, t: number, i: number): Buffer {
  const at = new Date(t + i * 1_800_000).toISOString().replace(/\.\d+Z$/, "Z");
  const record = {
    eventVersion: "1.08",
    eventTime: at,
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: `region-${region}`,
    eventID: `e-${region}-${t}-${i}`,
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/bench" },
  };
  return gzipSync(JSON.stringify({ Records: [record] }));
}

async function ensureTree(dir: string): Promise<number> {
  const marker = path.join(dir, ".complete");
  const files = REGIONS * DAYS * FILES_PER_DAY;
  if (await fsp.stat(marker).catch(() => null)) return files;
  await fsp.rm(dir, { recursive: true, force: true });
  const nearWindow = (t: number) => Math.abs(t - WINDOW_DAY) <= DAY_MS;
  for (let r = 0; r < REGIONS; r++) {
    for (let d = 0; d < DAYS; d++) {
      const t = YEAR_START + d * DAY_MS;
      const folder = dayPath(dir, r, t);
      await fsp.mkdir(folder, { recursive: true });
      for (let i = 0; i < FILES_PER_DAY; i++) {
        const name = `111122223333_CloudTrail_region-${r}_${i}.json.gz`;
        await fsp.writeFile(path.join(folder, name), nearWindow(t) ? eventFile(r, t, i) : "");
      }
    }
  }
  await fsp.writeFile(marker, "");
  return files;
}

export async function benchListing(): Promise<boolean> {
  const dir = path.join(os.tmpdir(), "run-md-bench-listing-year");
  const t0 = performance.now();
  const files = await ensureTree(dir);
  console.log(
    `step listing over a year of a trail (${files.toLocaleString("en")} files, ${REGIONS} regions; a 1-day window; tree ready in ${((performance.now() - t0) / 1000).toFixed(1)} s, in ${dir})`,
  );
  const { createLocalEngine } = await import("@run-md/engine-local");
  const engine = await createLocalEngine({ logDir: dir, threads: 2 });
  const window = { start: new Date(WINDOW_DAY), end: new Date(WINDOW_DAY + DAY_MS) };
  const step = async () => {
    const start = performance.now();
    const r = await engine.query({
      stepId: "bench",
      dialect: "sql",
      query: "SELECT count(*) AS n FROM cloudtrail_logs",
      params: {},
      window,
      attributes: { optional: false },
      signal: new AbortController().signal,
    });
    return { ms: performance.now() - start, n: Number(r.rows[0]?.[0]), stats: r.stats };
  };
  try {
    const first = await step();
    const next: number[] = [];
    for (let i = 0; i < ROUNDS; i++) next.push((await step()).ms);
    const skipped = Number(first.stats.filesSkippedByWindow);
    console.log(
      `  first step ${first.ms.toFixed(0)} ms (${first.n} events, ${skipped.toLocaleString("en")} files outside the window counted); each next step ${best(next).toFixed(0)} ms (runs ${next.map((x) => x.toFixed(0)).join(", ")} ms; the session cache loads the day on the third read)`,
    );
    return first.n === REGIONS * FILES_PER_DAY;
  } finally {
    await engine.close();
  }
}
