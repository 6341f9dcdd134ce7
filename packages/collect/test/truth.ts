/** What a store should hold, computed in plain JavaScript from raw files, and what it holds. */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { readManifest } from "@run-md/engine-local";
import { expect } from "vitest";

/** Truth from the raw files in plain JavaScript: event ids and event names per layout day. */
export async function truth(dir: string): Promise<Map<string, Map<string, string>>> {
  const byDay = new Map<string, Map<string, string>>();
  const names = (await fsp.readdir(dir, { recursive: true })).map(String);
  for (const n of names.filter((x) => x.endsWith(".json.gz"))) {
    const m = /(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/.exec(n);
    let recs: { eventID: string; eventName: string }[];
    try {
      recs = JSON.parse(zlib.gunzipSync(await fsp.readFile(path.join(dir, n))).toString()).Records;
    } catch {
      continue; // the corrupt ones
    }
    const day = `${m?.[1]}/${m?.[2]}/${m?.[3]}`;
    const ids = byDay.get(day) ?? new Map<string, string>();
    byDay.set(day, ids);
    for (const r of recs) ids.set(r.eventID, r.eventName);
  }
  return byDay;
}

/** Event ids and names per day as the store holds them (files named by the manifest only). */
export async function storeContents(store: string): Promise<Map<string, Map<string, string>>> {
  const m = await readManifest(store);
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  const out = new Map<string, Map<string, string>>();
  try {
    for (const [day, d] of Object.entries(m.days)) {
      const r = await conn.runAndReadAll(
        `SELECT eventid, eventname, "timestamp" FROM read_parquet('${path.join(store, d.file)}')`,
      );
      const ids = new Map<string, string>();
      for (const [id, name, ts] of r.getRows()) {
        expect(ts).toBe(day);
        expect(ids.has(String(id))).toBe(false);
        ids.set(String(id), String(name));
      }
      expect(ids.size).toBe(d.events);
      out.set(day, ids);
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  return out;
}

export async function copyTree(from: string, to: string) {
  await fsp.cp(from, to, { recursive: true });
}

/** A CloudTrail record with the fields the tests tell apart; the rest as one account and region. */
export function cloudTrailRecord(r: {
  id: string;
  time: string;
  name?: string;
  source?: string;
  account?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    eventVersion: "1.08",
    eventID: r.id,
    eventTime: r.time,
    eventName: r.name ?? "GetObject",
    eventSource: r.source ?? "s3.amazonaws.com",
    awsRegion: "us-east-1",
    recipientAccountId: r.account ?? "111122223333",
    ...r.extra,
  };
}

export const ACCOUNT_TRAIL = "AWSLogs/111122223333";
export const ORGANIZATION_TRAIL = "AWSLogs/o-abc123/111122223333";

/** A delivery-layout file of `day` (yyyy/MM/dd) holding the records, of the account's trail. */
export async function layoutFile(
  dir: string,
  day: string,
  name: string,
  recs: Parameters<typeof cloudTrailRecord>[0][],
  trail = ACCOUNT_TRAIL,
): Promise<void> {
  const folder = path.join(dir, trail, "CloudTrail/us-east-1", day);
  await fsp.mkdir(folder, { recursive: true });
  const body = JSON.stringify({ Records: recs.map(cloudTrailRecord) });
  await fsp.writeFile(path.join(folder, `${name}.json.gz`), zlib.gzipSync(body));
}
