import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findConfigFile, loadConfig, tableConfig } from "../src/config.ts";

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-config-"));
  const f = path.join(dir, "run-md.config.yaml");
  await writeFile(f, text);
  return f;
}

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith("RUN_MD_")) delete process.env[k];
  Object.assign(process.env, saved);
});

describe("run-md.config.yaml", () => {
  it("defaults without a file: local engine on the sample data, reports/", () => {
    const c = loadConfig(undefined, tmpdir());
    expect(c.local.logDir).toBe("sample");
    expect(c.source).toBe("defaults");
    expect(path.basename(c.reportsDir)).toBe("reports");
  });

  it("reads every section and resolves paths against the file's folder", async () => {
    const f = await file(
      "reportsDir: out\nengines:\n  sql: athena\nlocal:\n  logDir: ./logs\n  threads: 2\nathena:\n  table: security.ct\n  regions: [us-east-1]\nlogs:\n  logGroups: [a, b]\nparams:\n  audit-iam:\n    actor_pattern: '%bob'\n",
    );
    const c = loadConfig(f);
    expect(c.reportsDir).toBe(path.join(path.dirname(f), "out"));
    expect(c.local.logDir).toBe(path.join(path.dirname(f), "logs"));
    expect(c.engines.sql).toBe("athena");
    expect(c.athena).toEqual({ table: "security.ct", regions: ["us-east-1"] });
    expect(c.logs.logGroups).toEqual(["a", "b"]);
    expect(c.params["audit-iam"]).toEqual({ actor_pattern: "%bob" });
  });

  it("an unknown key is an error naming the file, line and column, and the key it looks like", async () => {
    const f = await file("reportsDir: out\nathena:\n  workgrup: primary\n");
    expect(() => loadConfig(f)).toThrow(
      `${f}:3:3 unknown key "workgrup" in "athena" (did you mean "workgroup"?)`,
    );
    const g = await file("reportDir: out\n");
    expect(() => loadConfig(g)).toThrow(
      `${g}:1:1 unknown configuration key "reportDir" (did you mean "reportsDir"?)`,
    );
    const h = await file("local:\n  logdir: ./logs\n");
    expect(() => loadConfig(h)).toThrow(`unknown key "logdir" in "local" (did you mean "logDir"?)`);
  });

  it("a wrong type is an error naming the key", async () => {
    const f = await file("local:\n  threads: two\n");
    expect(() => loadConfig(f)).toThrow(`${f}:2:12 "local.threads" must be a number`);
  });

  it("an engine that cannot run its dialect, or an unknown one, is an error at its line", async () => {
    const f = await file("engines:\n  sql: logs\nlocal:\n  logDir: ./logs\n");
    expect(() => loadConfig(f)).toThrow(
      `${f}:2:8 engine "logs" does not run sql steps (local | athena)`,
    );
    const g = await file("engines:\n  logs-insights: athena\n");
    expect(() => loadConfig(g)).toThrow(
      `${g}:2:18 engine "athena" does not run logs-insights steps (local | logs)`,
    );
    const h = await file("engines:\n  sql: bigquery\n");
    expect(() => loadConfig(h)).toThrow(
      `${h}:2:8 unknown engine "bigquery" for sql: expected local or athena`,
    );
    const i = await file("engines:\n  sql: athnea\n");
    expect(() => loadConfig(i)).toThrow(
      `${i}:2:8 unknown engine "athnea" for sql: expected local or athena (did you mean "athena"?)`,
    );
    const ok = await file("engines:\n  sql: athena\n  logs-insights: logs\n");
    expect(loadConfig(ok).engines).toEqual({ sql: "athena", "logs-insights": "logs" });
  });

  it("broken YAML is an error with its position", async () => {
    const f = await file("athena:\n  table: [unclosed\n");
    expect(() => loadConfig(f)).toThrow(new RegExp(`^${f.replaceAll("/", "\\/")}:\\d+:\\d+ `));
  });

  it("an unknown Athena partition scheme is an error, from the file (at its line) or the environment (naming it)", async () => {
    const f = await file("athena:\n  partitioning: daily\n");
    expect(() => loadConfig(f)).toThrow(
      `${f}:2:17 "athena.partitioning" is "daily", not one of manual, projection, bootstrap, none`,
    );
    process.env.RUN_MD_ATHENA_PARTITIONING = "hourly";
    expect(() => loadConfig(undefined, tmpdir())).toThrow(
      'RUN_MD_ATHENA_PARTITIONING "hourly" is not one of manual, projection, bootstrap, none',
    );
  });

  it("an access key masking other than show or hide in the environment is an error naming it", () => {
    process.env.RUN_MD_MASK_ACCESS_KEY_IDS = "mask";
    expect(() => loadConfig(undefined, tmpdir())).toThrow(
      'RUN_MD_MASK_ACCESS_KEY_IDS "mask" is not one of show, hide',
    );
    process.env.RUN_MD_MASK_ACCESS_KEY_IDS = "hide";
    expect(loadConfig(undefined, tmpdir()).mask.accessKeyIds).toBe("hide");
  });

  it("a log group that CloudWatch Logs would refuse is an error at its line, or naming RUN_MD_LOG_GROUPS", async () => {
    // As a step's log_groups= is (invalid-attribute): before, "" or "my logs" reached StartQuery,
    // and every Logs Insights step failed at run time; `check` passed.
    const f = await file('logs:\n  logGroups: [aws-cloudtrail-logs, ""]\n');
    expect(() => loadConfig(f)).toThrow(
      `${f}:2:36 "logs.logGroups" entry "" is not a log group name (1 to 512 letters, digits and "." "-" "_" "/" "#")`,
    );
    process.env.RUN_MD_LOG_GROUPS = "aws-cloudtrail-logs,";
    expect(() => loadConfig(undefined, tmpdir())).toThrow(
      'RUN_MD_LOG_GROUPS "aws-cloudtrail-logs," names "", which is not a log group name',
    );
    process.env.RUN_MD_LOG_GROUPS =
      "aws-cloudtrail-logs, arn:aws:logs:us-east-1:111122223333:log-group:org/trail";
    expect(loadConfig(undefined, tmpdir()).logs.logGroups).toEqual([
      "aws-cloudtrail-logs",
      "arn:aws:logs:us-east-1:111122223333:log-group:org/trail",
    ]);
  });

  it("an endpoint that is no http(s) address is an error at its line, or naming its variable", async () => {
    // The emulator's 127.0.0.1:4566 without its scheme: before, every step failed with
    // "Athena request failed: TypeError: Invalid URL" and a hint about the workgroup.
    const f = await file("athena:\n  endpoint: 127.0.0.1:4566\n");
    expect(() => loadConfig(f)).toThrow(
      `${f}:2:13 "athena.endpoint" must be an http(s) address such as http://127.0.0.1:4566`,
    );
    const g = await file("logs:\n  region: us-east-1\n  endpoint: localhost:4566\n");
    expect(() => loadConfig(g)).toThrow(`${g}:3:13 "logs.endpoint" must be an http(s) address`);
    for (const name of ["RUN_MD_ATHENA_ENDPOINT", "RUN_MD_LOGS_ENDPOINT"]) {
      process.env[name] = "127.0.0.1:4566";
      expect(() => loadConfig(undefined, tmpdir())).toThrow(
        `${name} "127.0.0.1:4566" is not an http(s) address such as http://127.0.0.1:4566`,
      );
      process.env[name] = "http://127.0.0.1:4566";
      expect(() => loadConfig(undefined, tmpdir())).not.toThrow();
      delete process.env[name];
    }
  });

  it("a --config file that does not exist is an error", () => {
    expect(() => loadConfig("/nonexistent/run-md.yaml")).toThrow(
      "configuration file /nonexistent/run-md.yaml does not exist",
    );
  });

  it("RUN_MD_* variables override the file", async () => {
    const f = await file("athena:\n  table: from.file\nlocal:\n  logDir: /from/file\n");
    process.env.RUN_MD_ATHENA_TABLE = "from.env";
    process.env.RUN_MD_LOG_DIR = "/from/env";
    process.env.RUN_MD_LOG_GROUPS = "g1, g2";
    const c = loadConfig(f);
    expect(c.athena.table).toBe("from.env");
    expect(c.local.logDir).toBe("/from/env");
    expect(c.logs.logGroups).toEqual(["g1", "g2"]);
  });

  it("RUN_MD_LOCAL_THREADS overrides local.threads, and a bad value names the variable", async () => {
    const f = await file("local:\n  logDir: /from/file\n  threads: 4\n");
    delete process.env.RUN_MD_LOCAL_THREADS; // the suite sets it (vitest.config.ts)
    expect(loadConfig(f).local.threads).toBe(4);
    process.env.RUN_MD_LOCAL_THREADS = "3";
    expect(loadConfig(f).local.threads).toBe(3);
    process.env.RUN_MD_LOCAL_THREADS = "two";
    expect(() => loadConfig(f)).toThrow('RUN_MD_LOCAL_THREADS "two" is not a whole number');
  });
});

describe("tables: what a sql step may read", () => {
  it("reads aliases and extra tables, resolving files against the config's folder", async () => {
    const f = await file(
      [
        "athena:",
        "  table: security.ct",
        "tables:",
        "  aliases: [cloudtrail, workshop.trail]",
        "  extra:",
        "    known_users:",
        "      file: data/users.csv",
        "      athena: security.known_users",
        "      scope: unscoped",
        "    findings:",
        "      file: findings.parquet",
        "      scope: {timeColumn: observed_at}",
        "",
      ].join("\n"),
    );
    const c = loadConfig(f);
    const dir = path.dirname(f);
    expect(c.tables).toEqual({
      aliases: ["cloudtrail", "workshop.trail"],
      extra: [
        {
          name: "known_users",
          scope: { kind: "unscoped" },
          file: path.join(dir, "data/users.csv"),
          athenaTable: "security.known_users",
          declaredAt: `${f}:6:5`,
        },
        {
          name: "findings",
          scope: { kind: "time-column", column: "observed_at" },
          file: path.join(dir, "findings.parquet"),
          declaredAt: `${f}:10:5`,
        },
      ],
    });
    // The real Athena table is an alias of cloudtrail_logs too.
    expect(tableConfig(c).aliases).toEqual(["cloudtrail", "workshop.trail", "security.ct"]);
  });

  it("names the file and line of each mistake", async () => {
    const cases: [string, number, number, string][] = [
      ["tables:\n  aliases: cloudtrail\n", 2, 12, '"tables.aliases" must be a string[]'],
      ["tables:\n  extras: {}\n", 2, 3, 'unknown key "extras" in "tables"'],
      [
        "tables:\n  extra:\n    t:\n      file: t.csv\n      scope: everything\n",
        5,
        7,
        '"tables.extra.t.scope" must be unscoped or {timeColumn: <column of ISO-8601 times>}',
      ],
      [
        "tables:\n  extra:\n    t:\n      file: t.csv\n",
        3,
        5,
        // No scope at all: said as missing, not as a wrong value.
        '"tables.extra.t" needs a scope: unscoped (a reference table read whole) or {timeColumn: <column of ISO-8601 times>} (its rows in the run\'s window)',
      ],
      [
        "tables:\n  extra:\n    t:\n      path: t.csv\n      scope: unscoped\n",
        4,
        7,
        'unknown key "path" in "tables.extra.t" (expected file, athena, scope)',
      ],
      [
        "tables:\n  extra:\n    bad-name:\n      scope: unscoped\n",
        3,
        5,
        'extra table name "bad-name" must be a plain name (letters, digits, "_")',
      ],
    ];
    for (const [text, line, col, message] of cases) {
      const f = await file(text);
      expect(() => loadConfig(f), text).toThrow(`${f}:${line}:${col} ${message}`);
    }
  });
});

describe("finding run-md.config.yaml", () => {
  it("uses the file of the nearest folder above, with paths relative to that file", async () => {
    const f = await file("reportsDir: out/reports\nlocal:\n  logDir: logs\n");
    const root = path.dirname(f);
    const nested = path.join(root, "runbooks", "iam");
    await mkdir(nested, { recursive: true });
    expect(findConfigFile(nested)).toBe(f);
    const c = loadConfig(undefined, nested);
    expect(c.source).toBe(f);
    expect(c.reportsDir).toBe(path.join(root, "out", "reports"));
    expect(c.local.logDir).toBe(path.join(root, "logs"));
  });

  it("a run-md.config.yml (the .yml spelling) is refused, naming it, never passed over", async () => {
    // Passed over, the defaults applied: the bundled sample data answered a query meant for the
    // logDir the .yml named, with no word but "generated the sample data".
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-yml-"));
    const yml = path.join(dir, "run-md.config.yml");
    await writeFile(yml, "local:\n  logDir: logs\n");
    const nested = path.join(dir, "runbooks");
    await mkdir(nested);
    for (const cwd of [dir, nested]) {
      expect(() => loadConfig(undefined, cwd)).toThrow(
        `${yml} is not read: run-md reads run-md.config.yaml`,
      );
    }
    // Named, it is read; beside a run-md.config.yaml, that file is the configuration.
    expect(loadConfig(yml).local.logDir).toBe(path.join(dir, "logs"));
    await writeFile(path.join(dir, "run-md.config.yaml"), "reportsDir: out\n");
    expect(loadConfig(undefined, nested).reportsDir).toBe(path.join(dir, "out"));
  });

  it("prefers the current folder's file to one above, and finds none in a bare tree", async () => {
    const outer = await file("reportsDir: outer\n");
    const inner = path.join(path.dirname(outer), "sub", "run-md.config.yaml");
    await mkdir(path.dirname(inner), { recursive: true });
    await writeFile(inner, "reportsDir: inner\n");
    expect(loadConfig(undefined, path.dirname(inner)).reportsDir).toBe(
      path.join(path.dirname(inner), "inner"),
    );
    const bare = await mkdtemp(path.join(tmpdir(), "run-md-noconfig-"));
    expect(findConfigFile(bare)).toBe(
      // Nothing in the temporary folder; only a file above it (none on a clean machine) counts.
      findConfigFile(path.dirname(bare)),
    );
  });
});
