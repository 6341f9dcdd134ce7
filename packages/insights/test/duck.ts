/**
 * A tiny `cwl_events` relation in an in-memory DuckDB, built from inline CloudTrail events, to
 * run translations for real in tests.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { BoundParam, ParamValue } from "@run-md/core";
import { translateInsights } from "../src/index.ts";

export interface EventsDb {
  run(
    query: string,
    opts?: {
      defaultLimit?: number;
      params?: Record<string, ParamValue | BoundParam>;
      /** Check the query as the engines do (CloudTrail fields, parameter types): off by default. */
      check?: boolean;
    },
  ): Promise<{
    columns: string[];
    rows: Record<string, unknown>[];
  }>;
  close(): void;
}

/**
 * `eventsDb` of real records, whatever their eventTime: the db takes it as the @timestamp, so a
 * record whose time is no ISO instant ("redacted", Panther's "2025-01-21 17:49:47.000000000")
 * gets 2026-01-01 (for tests that do not filter by time).
 */
export function realEventsDb(events: Record<string, unknown>[]): Promise<EventsDb> {
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
  return eventsDb(
    events.map((e) =>
      typeof e.eventTime === "string" && iso.test(e.eventTime)
        ? e
        : { ...e, eventTime: "2026-01-01T00:00:00Z" },
    ),
  );
}

/** `settings`: SET statements run first, such as the local engine's Trino session settings. */
export async function eventsDb(
  events: Record<string, unknown>[],
  settings: string[] = [],
): Promise<EventsDb> {
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  for (const s of settings) await con.run(s);
  await con.run(
    `CREATE TABLE cwl_events("@timestamp" TIMESTAMPTZ, "@message" VARCHAR, "@logStream" VARCHAR, "@log" VARCHAR, "@ptr" VARCHAR)`,
  );
  const appender = await con.createAppender("cwl_events");
  for (const [i, e] of events.entries()) {
    const time = typeof e.eventTime === "string" ? e.eventTime : "1970-01-01T00:00:00Z";
    const account = String(e.recipientAccountId ?? "111122223333");
    appender.appendVarchar(time);
    appender.appendVarchar(JSON.stringify(e));
    appender.appendVarchar(`${account}_CloudTrail_${String(e.awsRegion ?? "us-east-1")}`);
    appender.appendVarchar(`${account}:cloudtrail`);
    appender.appendVarchar(`ptr-${i}`);
    appender.endRow();
  }
  appender.closeSync();
  return {
    async run(query, opts = {}) {
      const t = translateInsights(query, { relation: "cwl_events", check: false, ...opts });
      const reader = await con.runAndReadAll(t.sql);
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      return { columns: t.columns, rows };
    },
    close() {
      con.closeSync();
      instance.closeSync();
    },
  };
}
