/**
 * Per-row cost of the local engine's Trino macros (`npm run bench -- macros`): a 200,000-row
 * in-memory table of CloudTrail-like values, each expression rewritten as a step's Athena SQL is
 * (rewriteAthena, then the macros it names, macros.ts) and timed on one thread beside DuckDB's
 * plain built-in, from a prepared statement's runs (its planning printed apart). Target:
 * format('%s') under 2 us a row (it cost 11 to 150 while its double's text ran in a lambda for
 * every row of every type).
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { Macros } from "../../packages/engine-local/src/macros.ts";
import { rewriteAthena } from "../../packages/engine-local/src/rewrite.ts";
import { PARTITION_COLUMNS } from "../../packages/engine-local/src/schema.ts";
import { TRINO_FUNCTIONS } from "../../packages/engine-local/src/trino.ts";

const ROWS = 200_000;
const TARGET_US = 2;

const TABLE = `CREATE TABLE __runmd_view AS SELECT
  strftime(TIMESTAMP '2024-03-01' + to_seconds(i * 13 % 2592000), '%Y-%m-%dT%H:%M:%SZ') AS eventtime,
  (['GetObject', 'PutObject', 'AssumeRole', 'ConsoleLogin', 'DescribeInstances'])[1 + i % 5] AS eventname,
  '203.0.' || (i % 256) || '.' || (i * 31 % 256) AS sourceipaddress,
  'aws-cli/2.15.' || (i % 40) || ' Python/3.11.6 Linux/5.10.205 exe/x86_64.amzn.2' AS useragent,
  '{"bucketName":"bucket-' || (i % 97) || '","key":"logs/' || i || '.json.gz"}' AS requestparameters,
  'https://bucket-' || (i % 97) || '.s3.amazonaws.com/logs/' || i || '?x-id=GetObject' AS url,
  ['s3:GetObject', 's3:ListBucket', 'iam:' || (i % 9)] AS actions,
  i AS n
  FROM range(${ROWS}) t(i)`;

/** `fn` nested eight times around eventname, each replacing a letter with `with`. */
const NESTED = (fn: string, with_: string, options?: string) =>
  "abcdefgh"
    .split("")
    .reduce(
      (e, c) => `${fn}(${e}, '${c}', '${with_}'${options === undefined ? "" : `, ${options}`})`,
      "eventname",
    );

/** [what, Athena expression, DuckDB's built-in, whether the target applies] */
const CASES: [string, string, string, boolean][] = [
  ["format('%s', varchar)", "format('%s', eventname)", "printf('%s', eventname)", true],
  ["format('%s', bigint)", "format('%s', n)", "CAST(n AS VARCHAR)", true],
  ["format('%s', double)", "format('%s', n / 7E0)", "CAST(n / 7 AS VARCHAR)", true],
  [
    "format('%s %s', 2 args)",
    "format('%s from %s', eventname, sourceipaddress)",
    "printf('%s from %s', eventname, sourceipaddress)",
    true,
  ],
  [
    "from_iso8601_timestamp",
    "from_iso8601_timestamp(eventtime)",
    "CAST(eventtime AS TIMESTAMPTZ)",
    false,
  ],
  [
    "json_extract_scalar",
    "json_extract_scalar(requestparameters, '$.bucketName')",
    "json_extract_string(requestparameters, '$.bucketName')",
    false,
  ],
  [
    "regexp_extract",
    "regexp_extract(useragent, 'Python/[0-9.]+')",
    "regexp_extract(useragent, 'Python/[0-9.]+')",
    false,
  ],
  ["array_join", "array_join(actions, ',')", "array_to_string(actions, ',')", false],
  // Eight nested calls: each call's guard copied its argument ~16 times into the plan (four
  // nested took 17 s to plan) before bind-expanding.ts bound them once.
  [
    "regexp_replace x8 nested",
    NESTED("regexp_replace", "g"),
    NESTED("regexp_replace", "g", "'g'"),
    false,
  ],
  [
    "url_extract_host",
    "url_extract_host(url)",
    "regexp_extract(url, '^[a-z]+://([^/:?#]+)', 1)",
    false,
  ],
];

export async function benchTrinoMacros(): Promise<boolean> {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  const macros = new Macros(db);
  try {
    await conn.run(TABLE);
    // Best of three runs of the statement, prepared (planned) once: ms to plan, ms to run.
    const timed = async (sql: string) => {
      const t0 = performance.now();
      const prepared = await conn.prepare(sql);
      const plan = performance.now() - t0;
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 3; k++) {
        const t1 = performance.now();
        await prepared.run();
        best = Math.min(best, performance.now() - t1);
      }
      return { plan, ms: best };
    };
    // min(hash(...)) consumes every value (count() of a value never NULL is not computed).
    const sink = (e: string) => `SELECT min(hash(${e})) FROM __runmd_view`;
    const base = (await timed(sink("eventname"))).ms;
    const perRow = async (sql: string) => {
      const t = await timed(sql);
      return { us: (Math.max(0, t.ms - base) * 1000) / ROWS, plan: t.plan };
    };
    console.log(
      `Trino macros: us a row over ${ROWS.toLocaleString("en")} rows, one thread, planning apart`,
    );
    let ok = true;
    for (const [what, athena, builtin, targeted] of CASES) {
      const { sql } = await rewriteAthena(
        conn,
        sink(athena).replace("__runmd_view", "cloudtrail_logs"),
        {
          aliases: new Set(["cloudtrail_logs"]),
          target: { catalog: "", schema: "", table: "__runmd_view" },
          trinoFunctions: TRINO_FUNCTIONS,
          partitionColumns: new Set<string>(PARTITION_COLUMNS),
        },
      );
      await macros.ensure([sql]);
      const { us, plan } = await perRow(sql);
      const plain = (await perRow(sink(builtin))).us;
      const met = !targeted || us < TARGET_US;
      ok &&= met;
      const verdict = targeted ? ` (target < ${TARGET_US}) ${met ? "ok" : "MISSED"}` : "";
      console.log(
        `  ${what.padEnd(24)} ${us.toFixed(2).padStart(6)} us (built-in ${plain.toFixed(2)}), planned in ${plan.toFixed(0)} ms${verdict}`,
      );
    }
    return ok;
  } finally {
    macros.close();
    conn.closeSync();
    db.closeSync();
  }
}
