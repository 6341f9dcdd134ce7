import { promises as fsp } from "node:fs";
import path from "node:path";
import type { JsonValue, QueryRequest } from "@run-md/core";
import { createLocalEngine, type LocalEngine, readManifest } from "@run-md/engine-local";
import { afterAll, describe, expect, it } from "vitest";
import { datasetDir, hasShared, tempDir } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";

/*
 * The four real data sets of ../shared/datasets, collected (`--all`) into a store: the store holds
 * each event once (counted here in plain JavaScript from the raw files), and every query below
 * gives the same answer on the store as on the raw files (SQL and Logs Insights).
 */

const DATASETS = [
  "stratus-red-team-detonation-logs",
  "otrf-ec2-proxy-s3-exfiltration",
  "datadog-enriched-stratus-2022",
  "panther-analysis-cloudtrail-tests",
];

const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await fsp.rm(d, { recursive: true, force: true });
});

function field(o: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(o).find((x) => x.toLowerCase() === name);
  return k === undefined ? undefined : o[k];
}

/** Events per name, each event once by id (or by its text without one); malformed files skipped. */
async function truth(dir: string): Promise<Record<string, number>> {
  const seen = new Set<string>();
  const byName: Record<string, number> = {};
  for (const f of await fsp.readdir(dir)) {
    const text = await fsp.readFile(path.join(dir, f), "utf8");
    let values: unknown[];
    try {
      const whole = JSON.parse(text);
      values = Array.isArray(whole) ? whole : (field(whole, "records") as unknown[]);
    } catch {
      if (!f.endsWith(".jsonl")) continue; // the malformed Datadog file
      values = text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l));
    }
    for (const v of values as Record<string, unknown>[]) {
      const id = field(v, "eventid");
      const key = typeof id === "string" ? id : JSON.stringify(v);
      if (seen.has(key)) continue;
      seen.add(key);
      const name = String(field(v, "eventname") ?? null);
      byName[name] = (byName[name] ?? 0) + 1;
    }
  }
  return byName;
}

const QUERIES = [
  "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
  'SELECT count(*), count(DISTINCT useridentity.arn), count(requestparameters), min(eventtime), max(eventtime), count(DISTINCT "timestamp"), count(DISTINCT account_partition) FROM cloudtrail_logs',
  "SELECT eventid, eventtime, useridentity.type, json_extract_scalar(requestparameters, '$.bucketName'), readonly, sourceipaddress, errorcode, resources FROM cloudtrail_logs",
];

function rowSet(rows: JsonValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

async function insights(e: LocalEngine, window: { start: Date; end: Date }, query: string) {
  const req: QueryRequest = {
    stepId: "s",
    dialect: "logs-insights",
    query,
    params: {},
    window,
    attributes: { dialect: "logs-insights" } as QueryRequest["attributes"],
    signal: new AbortController().signal,
  };
  return rowSet((await e.query(req)).rows);
}

describe.skipIf(!hasShared)("the shared data sets on a collected store", () => {
  it.each(DATASETS)("%s: each event once, and the same answers as the raw files", async (name) => {
    const dir = await datasetDir(name);
    const store = await tempDir("run-md-collect-ds-");
    cleanup.push(dir, store);
    await collectFromDir({ sourceDir: dir, store, window: null });
    const onStore = await createLocalEngine({ store, threads: 2 });
    const onRaw = await createLocalEngine({ logDir: dir, threads: 2 });
    try {
      const byName = await onStore.runAthenaSql(QUERIES[0] as string, []);
      const want = await truth(dir);
      expect(Object.fromEntries(byName.rows.map(([n, c]) => [String(n), Number(c)]))).toEqual(want);
      const rawByName = await onRaw.runAthenaSql(QUERIES[0] as string, []);
      // Where the raw files hold an event twice (same eventid), the store holds it once.
      const rawTotal = rawByName.rows.reduce((n, r) => n + Number(r[1]), 0);
      const storeTotal = Object.values(want).reduce((n, c) => n + c, 0);
      if (rawTotal === storeTotal) {
        for (const q of QUERIES) {
          const a = await onStore.runAthenaSql(q, []);
          const b = await onRaw.runAthenaSql(q, []);
          expect(a.columns, q).toEqual(b.columns);
          expect(rowSet(a.rows), q).toEqual(rowSet(b.rows));
        }
        const m = await readManifest(store);
        const covered = m.covered[0] as { from: string; to: string };
        const w = { start: new Date(covered.from), end: new Date(covered.to) };
        for (const q of [
          "stats count(*) as n by eventName, eventSource",
          "fields eventID, userIdentity.arn, requestParameters.bucketName, readOnly | sort eventID | limit 1000",
        ]) {
          expect(await insights(onStore, w, q), q).toEqual(await insights(onRaw, w, q));
        }
      } else {
        expect(rawTotal).toBeGreaterThan(storeTotal);
      }
    } finally {
      await onStore.close();
      await onRaw.close();
    }
  });
});
