/**
 * GetTableMetadata through the real SDK client: the table of the `CREATE EXTERNAL TABLE` the
 * emulator is given (AWS's partition projection table of its CloudTrail guide, the security
 * analytics bootstrap's with comments and enums), in Athena's TableMetadata shape; another name is
 * MetadataException; without a DDL, any table, without projection; the injected refusal.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AthenaClient, GetTableMetadataCommand } from "@aws-sdk/client-athena";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";
import { athenaClient } from "./athena-client.ts";

/**
 * The CloudTrail tables the shared reference gives (../shared/reference/athena-cloudtrail-ddl.sql,
 * read in place): the `CREATE EXTERNAL TABLE` statement that follows a section heading, up to
 * its closing `);`.
 */
const DDL_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/reference/athena-cloudtrail-ddl.sql",
);
const hasDdl = existsSync(DDL_FILE);

function referenceDdl(heading: string): string {
  const lines = readFileSync(DDL_FILE, "utf8").split("\n");
  const at = lines.findIndex((l) => l.startsWith(`-- ${heading}`));
  const start = lines.findIndex((l, n) => n > at && l.startsWith("CREATE EXTERNAL TABLE"));
  const end = lines.findIndex((l, n) => n > start && l.trimEnd().endsWith(");"));
  if (at < 0 || start < 0 || end < 0) throw new Error(`no CREATE EXTERNAL TABLE after ${heading}`);
  return lines.slice(start, end + 1).join("\n");
}

/**
 * A DDL's columns read off its lines, apart from the emulator's parser: the names at the first
 * indent (four spaces) before PARTITIONED BY.
 */
function topLevelColumns(ddl: string): string[] {
  const head = ddl.slice(0, ddl.indexOf("PARTITIONED BY"));
  return [...head.matchAll(/^ {4}([a-z_]+)\s/gim)].map((m) => m[1]!.toLowerCase());
}

/** Athena's CloudTrail guide's partition projection table ("B2. CURRENT docs"), as published. */
export const PROJECTION_DDL = hasDdl ? referenceDdl("B2. CURRENT docs: partition projection") : "";
/**
 * aws-security-analytics-bootstrap's organization table ("C."), with its placeholders filled as
 * its TODO comments ask (the first day, the accounts, the table's name).
 */
const BOOTSTRAP_DDL = hasDdl
  ? referenceDdl("C. awslabs/aws-security-analytics-bootstrap")
      // Named in a database, as its TODO allows (a name without one answers in any database).
      .replace("CREATE EXTERNAL TABLE cloudtrail (", "CREATE EXTERNAL TABLE security.cloudtrail (")
      .replaceAll("<YYYY>/<MM>/<DD>", "2020/11/30")
      .replace("<account_num_1>,<account_num_2>,...", "111122223333")
  : "";

let emu: Emulator | undefined;
let client: AthenaClient | undefined;
afterEach(async () => {
  client?.destroy();
  await emu?.close();
  emu = undefined;
});

async function over(opts: { tableDdl?: string; tableAliases?: string[] }): Promise<AthenaClient> {
  emu = await startEmulator({ logDir: "/nonexistent", ...opts });
  client = athenaClient(emu.endpoint);
  return client;
}

const get = (c: AthenaClient, database: string, table: string) =>
  c.send(
    new GetTableMetadataCommand({
      CatalogName: "AwsDataCatalog",
      DatabaseName: database,
      TableName: table,
    }),
  );

describe("GetTableMetadata from the DDL given", () => {
  it.skipIf(!hasDdl)(
    "describes the projection table of Athena's CloudTrail guide under its name and aliases",
    async () => {
      const c = await over({
        tableDdl: PROJECTION_DDL,
        tableAliases: ["security.cloudtrail_org_pp"],
      });
      for (const [db, name] of [
        ["default", "cloudtrail_logs_pp"],
        ["security", "cloudtrail_org_pp"],
      ] as const) {
        const t = (await get(c, db, name)).TableMetadata!;
        expect(t.Name).toBe(name);
        expect(t.TableType).toBe("EXTERNAL_TABLE");
        expect(t.CreateTime).toBeInstanceOf(Date);
        expect(t.PartitionKeys).toEqual([{ Name: "timestamp", Type: "string" }]);
        // The published table's 29 columns, in its order; its nested types as Glue writes them.
        expect(t.Columns?.map((col) => col.Name)).toEqual(topLevelColumns(PROJECTION_DDL));
        expect(t.Columns).toHaveLength(29);
        const type = (n: string) => t.Columns?.find((col) => col.Name === n)?.Type;
        expect(type("useridentity")).toMatch(
          /^struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,/,
        );
        expect(type("resources")).toBe("array<struct<arn:string,accountid:string,type:string>>");
        expect(type("readonly")).toBe("string");
        expect(t.Parameters).toMatchObject({
          EXTERNAL: "TRUE",
          location: "s3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region",
          inputformat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
          "serde.serialization.lib": "org.apache.hive.hcatalog.data.JsonSerDe",
          "projection.enabled": "true",
          "projection.timestamp.format": "yyyy/MM/dd",
          "projection.timestamp.range": "2020/01/01,NOW",
          "projection.timestamp.type": "date",
          "storage.location.template": `s3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region/\${timestamp}`,
        });
      }
      await expect(get(c, "security", "other_table")).rejects.toMatchObject({
        name: "MetadataException",
      });
    },
  );

  it.skipIf(!hasDdl)(
    "reads the bootstrap's DDL: its comments skipped, its enums and database kept",
    async () => {
      const c = await over({ tableDdl: BOOTSTRAP_DDL });
      const t = (await get(c, "security", "cloudtrail")).TableMetadata!;
      // The bootstrap's 23 columns, its comments not among them.
      const names = t.Columns?.map((col) => col.Name) ?? [];
      expect([names, names.length]).toEqual([topLevelColumns(BOOTSTRAP_DDL), 23]);
      expect(names.some((n) => /todo|copyright/i.test(n ?? ""))).toBe(false);
      expect(t.PartitionKeys?.map((k) => k.Name)).toEqual([
        "date_partition",
        "region_partition",
        "account_partition",
      ]);
      expect(t.Parameters?.["projection.region_partition.values"]).toMatch(
        /^us-east-2,us-east-1,us-west-1,us-west-2,.*,sa-east-1$/,
      );
      expect(t.Parameters?.["projection.account_partition.values"]).toBe("111122223333");
      expect(t.Parameters?.["projection.date_partition.range"]).toBe("2020/11/30,NOW");
      expect(Object.keys(t.Parameters ?? {}).some((k) => k.includes("TODO"))).toBe(false);
      // Another database's table of that name is not this one.
      await expect(get(c, "default", "cloudtrail")).rejects.toMatchObject({
        name: "MetadataException",
      });
    },
  );

  it("refuses a DDL it cannot read when started", async () => {
    await expect(
      startEmulator({ logDir: "/nonexistent", tableDdl: "CREATE VIEW v AS SELECT 1" }),
    ).rejects.toThrow(/CREATE EXTERNAL TABLE/);
  });

  it("without a DDL describes any table without projection", async () => {
    const c = await over({});
    const t = (await get(c, "security", "anything")).TableMetadata!;
    expect(t.Name).toBe("anything");
    expect(t.Parameters).toEqual({ EXTERNAL: "TRUE" });
  });

  it.skipIf(!hasDdl)(
    "answers the injected refusal (a role without athena:GetTableMetadata)",
    async () => {
      const c = await over({ tableDdl: PROJECTION_DDL });
      emu!.faults.athena = {
        tableMetadataError: {
          type: "AccessDeniedException",
          message:
            "User: arn:aws:sts::111122223333:assumed-role/runner is not authorized to perform: athena:GetTableMetadata",
        },
      };
      await expect(get(c, "default", "cloudtrail_logs_pp")).rejects.toMatchObject({
        name: "AccessDeniedException",
      });
    },
  );
});
