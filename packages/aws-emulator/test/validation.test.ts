/**
 * The emulated Athena checks each query as Athena would (the `@run-md/sql` checker the engines
 * use), through the real SDK client: a syntax error is refused by StartQueryExecution itself,
 * anything else Athena rejects ends the query FAILED with Athena's error code, and a valid query
 * over the configured table still runs. So a runbook that passes through the emulator would pass
 * on Athena.
 */
import { rmSync } from "node:fs";
import {
  type AthenaClient,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudTrailDir } from "../../engine-athena/test/cloudtrail-files.ts";
import { type Emulator, startEmulator } from "../src/index.ts";
import { athenaClient, finalState } from "./athena-client.ts";

let dir: string;
let emu: Emulator;
let client: AthenaClient;

beforeAll(async () => {
  dir = cloudTrailDir("emu-validation", "2026-11-23", 1, ["us-east-1"], 24);
  emu = await startEmulator({ logDir: dir, tableAliases: ["security.cloudtrail_org_pp"] });
  client = athenaClient(emu.endpoint);
});

afterAll(async () => {
  client.destroy();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the emulated Athena checks queries as Athena would", () => {
  it("refuses a syntax error or a DuckDB construct at StartQueryExecution", async () => {
    for (const [sql, message] of [
      ["SELEC count(*) FROM security.cloudtrail_org_pp", 'syntax error at "SELEC"'],
      ["SELECT eventtime::timestamp FROM security.cloudtrail_org_pp", '"::" casts are DuckDB'],
      ["SELECT * FROM security.cloudtrail_org_pp WHERE eventname ILIKE 'get%'", "ILIKE"],
    ] as const) {
      const err = await client
        .send(new StartQueryExecutionCommand({ QueryString: sql }))
        .catch((e: unknown) => e);
      expect(err, sql).toMatchObject({ name: "InvalidRequestException" });
      expect((err as Error).message, sql).toMatch(/^line 1:\d+: /);
      expect((err as Error).message, sql).toContain(message);
    }
  });

  it("fails unknown tables, columns, functions and JSON dot access with Athena's error codes", async () => {
    const cases = [
      ["SELECT * FROM other_db.customers", "TABLE_NOT_FOUND: line 1:15: "],
      [
        "SELECT useridentity.usernam FROM security.cloudtrail_org_pp",
        "COLUMN_NOT_FOUND: line 1:21: ",
      ],
      [
        "SELECT list_filter(ARRAY[1], x -> x > 0) FROM security.cloudtrail_org_pp",
        "FUNCTION_NOT_FOUND: line 1:8: ",
      ],
      [
        "SELECT requestparameters.bucketname FROM security.cloudtrail_org_pp",
        "TYPE_MISMATCH: line 1:26: ",
      ],
    ] as const;
    for (const [sql, prefix] of cases) {
      const q = await finalState(client, sql);
      expect(q.state, sql).toBe("FAILED");
      expect(q.reason?.startsWith(prefix), `${sql}: ${q.reason}`).toBe(true);
    }
  });

  it("still runs a valid query over the configured table", async () => {
    const q = await finalState(
      client,
      "SELECT count(*) AS n FROM security.cloudtrail_org_pp WHERE eventtime >= '2026-11-23T00:00:00Z'",
    );
    expect(q.state).toBe("SUCCEEDED");
    const r = await client.send(new GetQueryResultsCommand({ QueryExecutionId: q.id }));
    expect(r.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue).toBe("24");
  });
});
