/**
 * The ids a step over one day reads from the local engine in each dialect, and the truth they
 * are checked against: the ids of the records the test wrote that lie in that day, each once.
 */
import { createLocalEngine, type LocalEngine } from "@run-md/engine-local";
import { queryRequest } from "../../core/test/query-request.ts";

export interface Rec {
  id: string;
  time: string;
}

export const [FROM, TO] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];

export const QUERIES = {
  sql: "SELECT eventid FROM cloudtrail_logs ORDER BY 1",
  "logs-insights": "fields eventID | sort eventID asc",
} as const;

/** The ids a step over [FROM, TO) reads in each dialect; the engine is kept in `engines` to close. */
export async function idsOf(
  engines: LocalEngine[],
  opts: { store?: string; logDir: string },
): Promise<Record<string, unknown[]>> {
  const e = await createLocalEngine({ ...opts, threads: 1 });
  engines.push(e);
  const out: Record<string, unknown[]> = {};
  for (const [dialect, q] of Object.entries(QUERIES)) {
    const w = { start: new Date(FROM), end: new Date(TO) };
    const r = await e.query(queryRequest(dialect as keyof typeof QUERIES, q, w));
    out[dialect] = r.rows.map((x) => x[0]);
  }
  return out;
}

/** The ids of the records that lie in [FROM, TO), each once, in both dialects. */
export function truthOf(recs: Rec[]): Record<string, string[]> {
  const [start, end] = [Date.parse(FROM), Date.parse(TO)];
  const inWindow = recs
    .filter((r) => Date.parse(r.time) >= start && Date.parse(r.time) < end)
    .map((r) => r.id)
    .sort();
  return { sql: inWindow, "logs-insights": inWindow };
}
