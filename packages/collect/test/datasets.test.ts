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

/** A JSON value's text with every object's keys sorted: one text for one record. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
}

/** An event id, day and time's records: the names they carry, and how many distinct ones. */
interface Records {
  names: Set<string>;
  /** Distinct whatever their keys' order (the least the store may hold). */
  canonical: Set<string>;
  /** Distinct as written (the most: a payload's key order is part of its text). */
  written: Set<string>;
}

/**
 * The events in plain JavaScript: event id, day and time → its records, and how many distinct
 * records have no id (or an empty one). Malformed files skipped.
 */
async function truth(dir: string): Promise<{ ids: Map<string, Records>; noId: number }> {
  const ids = new Map<string, Records>();
  const noId = new Set<string>();
  for (const f of await fsp.readdir(dir)) {
    const text = await fsp.readFile(path.join(dir, f), "utf8");
    let values: unknown[];
    try {
      const whole = JSON.parse(text);
      values = Array.isArray(whole) ? whole : (field(whole, "records") as unknown[]);
    } catch {
      try {
        values = text
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l));
      } catch {
        continue; // the malformed Datadog file
      }
    }
    for (const v of values as Record<string, unknown>[]) {
      const time = field(v, "eventtime") ?? field(v, "@timestamp");
      const day = String(time).slice(0, 10).replaceAll("-", "/");
      // An event without a time belongs to no day: no window selects it, and the store skips it.
      if (!/^\d{4}\/\d{2}\/\d{2}$/.test(day)) continue;
      const id = field(v, "eventid");
      if (typeof id !== "string" || id === "") {
        noId.add(JSON.stringify(v));
        continue;
      }
      // Copies are recognised within a day (the store's partition): the same record, with its
      // id and time (test fixtures reuse an id and time for different records, which Athena
      // counts apart, and so does the store).
      const key = `${id} ${day} ${new Date(Date.parse(String(time))).toISOString()}`;
      const records = ids.get(key) ?? {
        names: new Set(),
        canonical: new Set(),
        written: new Set(),
      };
      ids.set(key, records);
      records.names.add(String(field(v, "eventname") ?? null));
      records.canonical.add(canonical(v));
      records.written.add(JSON.stringify(v));
    }
  }
  return { ids, noId: noId.size };
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
    attributes: { optional: false },
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
      // Some records' times have a space for the T, which from_iso8601_timestamp refuses as Athena does.
      const stored = await onStore.runAthenaSql(
        `SELECT nullif(eventid, '') || ' ' || "timestamp" || ' ' || to_iso8601(from_iso8601_timestamp(replace(eventtime, ' ', 'T'))), eventname FROM cloudtrail_logs`,
        [],
      );
      const want = await truth(dir);
      const withId = stored.rows.filter((r) => r[0] !== null);
      // Each record once: an id and time as many times as it has distinct records (whatever
      // their keys' order at least, as written at most), with names its records carry; records
      // without an id once each.
      const held = new Map<string, number>();
      for (const [id] of withId) held.set(String(id), (held.get(String(id)) ?? 0) + 1);
      expect([...held.keys()].sort()).toEqual([...want.ids.keys()].sort());
      for (const [key, records] of want.ids) {
        expect(held.get(key), key).toBeGreaterThanOrEqual(records.canonical.size);
        expect(held.get(key), key).toBeLessThanOrEqual(records.written.size);
      }
      for (const [id, name] of withId)
        expect(want.ids.get(String(id))?.names.has(String(name))).toBe(true);
      expect(stored.rows.length - withId.length).toBe(want.noId);
      const raw = await onRaw.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", []);
      const rawTotal = Number(raw.rows[0]?.[0]);
      const storeTotal = stored.rows.length;
      // Where the raw files hold an event twice (same eventid), the store holds it once, so only
      // data sets without such copies can give the same answers.
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
          // Keys outside the Athena columns (kept in _extra) and JSON booleans in @message.
          "stats count(*) as n by managementEvent, readOnly, userIdentity.sessionContext.attributes.mfaAuthenticated",
          "filter managementEvent = 0 or ispresent(errorCode) | stats count(*) as n by eventName",
          // Keys inside the structs that the DDL has no field for (kept in _record).
          "filter ispresent(resources.0.ARNPrefix) or ispresent(resources.1.ARNPrefix) | stats count(*) as n by resources.0.ARNPrefix, resources.1.ARNPrefix",
          // Keys no schema names (the checker refuses them as fields): read from @message.
          `parse @message '"assumed_role":"*"' as role | filter ispresent(role) | stats count(*) as n by role`,
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
