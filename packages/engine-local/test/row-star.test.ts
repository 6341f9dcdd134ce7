/**
 * A row's fields as columns (`c.useridentity.*`, `useridentity.sessioncontext.*`), which DuckDB's
 * parser refused after a dotted name: they run locally with Trino's columns, named as the row's
 * fields in the order of Athena's documented DDL (or as a column list names them), nested rows
 * kept as rows. Values are checked against the Stratus Red Team records, read from their file.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { datasetDir, datasetsDir, hasShared } from "./helpers.ts";

const DATASET = "stratus-red-team-detonation-logs";
/** useridentity's fields in Athena's DDL (the AWS documentation's CREATE TABLE, current page). */
const USERIDENTITY = [
  "type",
  "principalid",
  "arn",
  "accountid",
  "invokedby",
  "accesskeyid",
  "username",
  "onbehalfof",
  "sessioncontext",
];
const SESSIONCONTEXT = ["attributes", "sessionissuer", "ec2roledelivery", "webidfederationdata"];

type Json = Record<string, unknown>;
let records: Json[] = [];
let dir: string | undefined;
let engine: LocalEngine | undefined;

beforeAll(async () => {
  if (!hasShared) return;
  const lines = await fsp.readFile(path.join(datasetsDir, DATASET, "events.jsonl"), "utf8");
  records = lines
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Json);
  dir = await datasetDir(DATASET);
  engine = await createLocalEngine({ logDir: dir, threads: 1 });
});
afterAll(async () => {
  await engine?.close();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

const text = (v: unknown) => (v === undefined || v === null ? null : String(v));
const byId = (rows: unknown[][], at: number) =>
  new Map(rows.map((r) => [String(r[at]), r] as const));

describe.skipIf(!hasShared)("a row's .* runs locally with Trino's columns", () => {
  it("c.useridentity.* gives useridentity's fields, valued as the records are", async () => {
    const r = await engine!.runAthenaSql(
      "SELECT c.useridentity.*, c.eventid FROM cloudtrail_logs c",
      [],
    );
    expect(r.columns.map((c) => c.name)).toEqual([...USERIDENTITY, "eventid"]);
    expect(r.rows).toHaveLength(records.length);
    const rows = byId(r.rows, USERIDENTITY.length);
    for (const rec of records) {
      const u = (rec.userIdentity ?? {}) as Json;
      const row = rows.get(String(rec.eventID))!;
      const scalars = ["type", "principalId", "arn", "accountId", "invokedBy", "accessKeyId"];
      expect(row.slice(0, 7)).toEqual([...scalars, "userName"].map((k) => text(u[k])));
    }
    // The nested row stays one column holding a row.
    expect(r.columns[8]!.type).toMatch(/^row\(attributes row\(/);
  });

  it("useridentity.sessioncontext.* without a table alias, nested rows kept", async () => {
    const r = await engine!.runAthenaSql(
      "SELECT useridentity.sessioncontext.*, eventid FROM cloudtrail_logs",
      [],
    );
    expect(r.columns.map((c) => c.name)).toEqual([...SESSIONCONTEXT, "eventid"]);
    const rows = byId(r.rows, SESSIONCONTEXT.length);
    let withContext = 0;
    for (const rec of records) {
      const s = ((rec.userIdentity as Json | undefined)?.sessionContext ?? undefined) as
        | Json
        | undefined;
      const a = (s?.attributes ?? undefined) as Json | undefined;
      const row = rows.get(String(rec.eventID))!;
      if (a !== undefined) {
        withContext++;
        expect(row[0]).toEqual({
          mfaauthenticated: text(a.mfaAuthenticated),
          creationdate: text(a.creationDate),
        });
      }
      expect(row[2]).toBe(text(s?.ec2RoleDelivery));
    }
    expect(withContext).toBeGreaterThan(50);
  });

  it("the expanded names are output columns: ORDER BY and an outer query read them", async () => {
    const arns = records
      .map((rec) => text((rec.userIdentity as Json | undefined)?.arn))
      .filter((a): a is string => a !== null)
      .sort();
    const ordered = await engine!.runAthenaSql(
      "SELECT c.useridentity.* FROM cloudtrail_logs c WHERE c.useridentity.arn IS NOT NULL ORDER BY arn LIMIT 3",
      [],
    );
    expect(ordered.rows.map((r) => r[2])).toEqual(arns.slice(0, 3));
    const outer = await engine!.runAthenaSql(
      "SELECT count(DISTINCT x.arn) FROM (SELECT cloudtrail_logs.useridentity.* FROM cloudtrail_logs) x",
      [],
    );
    expect(outer.rows).toEqual([[new Set(arns).size]]);
  });

  it("a column list names the columns instead", async () => {
    const r = await engine!.runAthenaSql(
      "SELECT useridentity.sessioncontext.attributes.* AS (mfa, created) FROM cloudtrail_logs WHERE eventid = ?",
      [`'${String(records[0]!.eventID)}'`],
    );
    expect(r.columns.map((c) => c.name)).toEqual(["mfa", "created"]);
  });
});

describe.skipIf(!hasShared)(
  "a WITH query's or a subquery's row column with .* runs locally, as on Trino",
  () => {
    it("x.u.* of WITH x AS (SELECT useridentity AS u ...) gives useridentity's fields, valued as the records are", async () => {
      const r = await engine!.runAthenaSql(
        "WITH x AS (SELECT useridentity AS u, eventid AS id FROM cloudtrail_logs) SELECT x.u.*, id FROM x",
        [],
      );
      expect(r.columns.map((c) => c.name)).toEqual([...USERIDENTITY, "id"]);
      expect(r.rows).toHaveLength(records.length);
      const rows = byId(r.rows, USERIDENTITY.length);
      for (const rec of records) {
        const u = (rec.userIdentity ?? {}) as Json;
        const keys = [
          "type",
          "principalId",
          "arn",
          "accountId",
          "invokedBy",
          "accessKeyId",
          "userName",
        ];
        expect(rows.get(String(rec.eventID))!.slice(0, 7)).toEqual(keys.map((k) => text(u[k])));
      }
    });

    it("t.u.* of a subquery, renamed by column alias lists, ordered and read by an outer query", async () => {
      const arns = records
        .map((rec) => text((rec.userIdentity as Json | undefined)?.arn))
        .filter((a): a is string => a !== null)
        .sort();
      const ordered = await engine!.runAthenaSql(
        "SELECT t.u.* FROM (SELECT c.useridentity, c.eventid FROM cloudtrail_logs c) AS t(u, id) WHERE t.u.arn IS NOT NULL ORDER BY arn LIMIT 3",
        [],
      );
      expect(ordered.columns.map((c) => c.name)).toEqual(USERIDENTITY);
      expect(ordered.rows.map((row) => row[2])).toEqual(arns.slice(0, 3));
      const outer = await engine!.runAthenaSql(
        "SELECT count(DISTINCT q.a) FROM (SELECT t.u.* AS (k, p, a, n, i, s, m, o, c) FROM (SELECT useridentity AS u FROM cloudtrail_logs) t) q",
        [],
      );
      expect(outer.rows).toEqual([[new Set(arns).size]]);
    });

    it("a nested row's .* through a WITH query: sessioncontext's fields", async () => {
      const r = await engine!.runAthenaSql(
        "WITH x AS (SELECT useridentity.sessioncontext AS s, eventid FROM cloudtrail_logs) SELECT x.s.*, eventid FROM x",
        [],
      );
      expect(r.columns.map((c) => c.name)).toEqual([...SESSIONCONTEXT, "eventid"]);
      const rows = byId(r.rows, SESSIONCONTEXT.length);
      for (const rec of records) {
        const s = (rec.userIdentity as Json | undefined)?.sessionContext as Json | undefined;
        expect(rows.get(String(rec.eventID))![2]).toBe(text(s?.ec2RoleDelivery));
      }
    });

    it("a row of no CloudTrail column is refused with what to write, not DuckDB's syntax error", async () => {
      await expect(
        engine!.runAthenaSql(
          "SELECT t.r.* FROM (SELECT CAST(ROW(1, 2) AS ROW(a integer, b integer)) AS r) t",
          [],
        ),
      ).rejects.toThrow(/t\.r\.\* is not expanded by the local engine/);
    });
  },
);
