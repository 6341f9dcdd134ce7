/**
 * GetTableMetadata through the real SDK client: the table of the `CREATE EXTERNAL TABLE` the
 * emulator is given (AWS's partition projection table of its CloudTrail guide, the security
 * analytics bootstrap's with comments and enums), in Athena's TableMetadata shape; another name is
 * MetadataException; without a DDL, any table, without projection; the injected refusal.
 */
import { type AthenaClient, GetTableMetadataCommand } from "@aws-sdk/client-athena";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";
import { athenaClient } from "./athena-client.ts";

/** Athena's CloudTrail guide, "Create the table for CloudTrail logs using partition projection" (trimmed columns). */
export const PROJECTION_DDL = `CREATE EXTERNAL TABLE cloudtrail_logs_pp(
    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        arn: STRING,
        sessioncontext: STRUCT<
            attributes: STRUCT<
                mfaauthenticated: STRING,
                creationdate: STRING>>>,
    eventtime STRING,
    eventname STRING,
    resources ARRAY<STRUCT<
        arn: STRING,
        accountid: STRING,
        type: STRING>>,
    tlsdetails STRUCT<
      tlsversion:STRING,
      ciphersuite:STRING,
      clientprovidedhostheader:STRING>
  )
PARTITIONED BY (
   \`timestamp\` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION
  's3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'projection.timestamp.range'='2023/01/01,NOW',
  'projection.timestamp.type'='date',
  'storage.location.template'='s3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region/\${timestamp}');`;

/** aws-security-analytics-bootstrap's table (trimmed columns), its comments kept. */
const BOOTSTRAP_DDL = `/* TODO: optionally update the table name "cloudtrail" */
CREATE EXTERNAL TABLE security.cloudtrail (
    eventversion STRING,
    eventtime STRING -- the event's time, ISO 8601
)
PARTITIONED BY
(
    date_partition STRING,
    region_partition STRING,
    account_partition STRING
)
ROW FORMAT SERDE 'com.amazon.emr.hive.serde.CloudTrailSerde'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://central-logs/AWSLogs/'
TBLPROPERTIES
(
    "projection.enabled" = "true",
    "projection.date_partition.type" = "date",
    /* TODO: replace <YYYY>/<MM>/<DD> with the first date of your logs, example: 2020/11/30 */
    "projection.date_partition.range" = "2020/11/30,NOW",
    "projection.date_partition.format" = "yyyy/MM/dd",
    "projection.region_partition.type" = "enum",
    "projection.region_partition.values" = "us-east-1,us-west-2",
    "projection.account_partition.type" = "enum",
    "projection.account_partition.values" = "111122223333",
    "storage.location.template" = "s3://central-logs/AWSLogs/\${account_partition}/CloudTrail/\${region_partition}/\${date_partition}"
);`;

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
  it("describes the projection table of Athena's CloudTrail guide under its name and aliases", async () => {
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
      expect(t.Columns?.map((col) => col.Name)).toEqual([
        "eventversion",
        "useridentity",
        "eventtime",
        "eventname",
        "resources",
        "tlsdetails",
      ]);
      expect(t.Columns?.[1]?.Type).toBe(
        "struct<type:string,arn:string,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>>>",
      );
      expect(t.Columns?.[4]?.Type).toBe("array<struct<arn:string,accountid:string,type:string>>");
      expect(t.Parameters).toMatchObject({
        EXTERNAL: "TRUE",
        location: "s3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region",
        inputformat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
        "serde.serialization.lib": "org.apache.hive.hcatalog.data.JsonSerDe",
        "projection.enabled": "true",
        "projection.timestamp.format": "yyyy/MM/dd",
        "projection.timestamp.range": "2023/01/01,NOW",
        "projection.timestamp.type": "date",
        "storage.location.template": `s3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region/\${timestamp}`,
      });
    }
    await expect(get(c, "security", "other_table")).rejects.toMatchObject({
      name: "MetadataException",
    });
  });

  it("reads the bootstrap's DDL: its comments skipped, its enums and database kept", async () => {
    const c = await over({ tableDdl: BOOTSTRAP_DDL });
    const t = (await get(c, "security", "cloudtrail")).TableMetadata!;
    expect(t.Columns).toEqual([
      { Name: "eventversion", Type: "string" },
      { Name: "eventtime", Type: "string" },
    ]);
    expect(t.PartitionKeys?.map((k) => k.Name)).toEqual([
      "date_partition",
      "region_partition",
      "account_partition",
    ]);
    expect(t.Parameters?.["projection.region_partition.values"]).toBe("us-east-1,us-west-2");
    expect(t.Parameters?.["projection.date_partition.range"]).toBe("2020/11/30,NOW");
    expect(Object.keys(t.Parameters ?? {}).some((k) => k.includes("TODO"))).toBe(false);
    // Another database's table of that name is not this one.
    await expect(get(c, "default", "cloudtrail")).rejects.toMatchObject({
      name: "MetadataException",
    });
  });

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

  it("answers the injected refusal (a role without athena:GetTableMetadata)", async () => {
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
  });
});
