/**
 * Opt-in: the athena engine against a real AWS account. Runs only with RUN_MD_LIVE_ATHENA=1,
 * credentials from the SDK's default chain (AWS_PROFILE or AWS_ACCESS_KEY_ID, ...), a region
 * (AWS_REGION) and the table settings (RUN_MD_ATHENA_TABLE, RUN_MD_ATHENA_PARTITIONING, and
 * RUN_MD_ATHENA_OUTPUT/RUN_MD_ATHENA_WORKGROUP as the account needs). It scans one hour of one
 * day, under a 1 GB budget: a few cents at most.
 */

import { describe, expect, it } from "vitest";
import type { Partitioning } from "../src/index.ts";
import { createAthenaEngine } from "../src/index.ts";
import { request } from "./fixture.ts";

const env = process.env;
const reasons = [
  env.RUN_MD_LIVE_ATHENA === "1" ? undefined : "RUN_MD_LIVE_ATHENA=1 is not set",
  env.AWS_PROFILE || env.AWS_ACCESS_KEY_ID || env.AWS_WEB_IDENTITY_TOKEN_FILE
    ? undefined
    : "no AWS credentials in the environment (AWS_PROFILE or AWS_ACCESS_KEY_ID)",
  env.AWS_REGION || env.AWS_DEFAULT_REGION ? undefined : "AWS_REGION is not set",
  env.RUN_MD_ATHENA_TABLE ? undefined : "RUN_MD_ATHENA_TABLE is not set",
].filter((r): r is string => r !== undefined);
const live = reasons.length === 0;
if (!live) console.log(`live Athena test skipped: ${reasons.join("; ")}`);

describe.skipIf(!live)("athena engine against a real account", () => {
  const engine = () =>
    createAthenaEngine({
      ...(env.RUN_MD_ATHENA_WORKGROUP ? { workgroup: env.RUN_MD_ATHENA_WORKGROUP } : {}),
      ...(env.RUN_MD_ATHENA_DATABASE ? { database: env.RUN_MD_ATHENA_DATABASE } : {}),
      ...(env.RUN_MD_ATHENA_OUTPUT ? { outputLocation: env.RUN_MD_ATHENA_OUTPUT } : {}),
      table: env.RUN_MD_ATHENA_TABLE!,
      partitioning: (env.RUN_MD_ATHENA_PARTITIONING ?? "projection") as Partitioning,
    });

  it("runs a constant query and converts its types", async () => {
    const e = engine();
    try {
      const r = await e.query(
        request(
          "SELECT 1 AS one, 'x' AS s, ARRAY[1, 2] AS arr, CAST(ROW(1, 'a') AS ROW(n integer, t varchar)) AS r",
        ),
      );
      expect(r.rows).toEqual([[1, "x", ["1", "2"], { n: "1", t: "a" }]]);
      expect(String(r.stats.queryExecutionId)).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await e.close();
    }
  });

  it("counts one hour of the configured table within a scan budget", async () => {
    const e = engine();
    try {
      const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000);
      const r = await e.query({
        ...request("SELECT count(*) AS n FROM cloudtrail_logs"),
        window: { start: new Date(end.getTime() - 3_600_000), end },
        attributes: { optional: false, maxScanBytes: 1024 ** 3 },
      });
      expect(typeof r.rows[0]?.[0]).toBe("number");
      console.log(
        `live Athena: ${r.rows[0]?.[0]} events, ${r.stats.dataScannedBytes} bytes scanned, $${r.stats.costUsd}`,
      );
    } finally {
      await e.close();
    }
  });
});
