/**
 * `run-md compare`: a runbook on the local engine and on Athena and CloudWatch Logs (the real SDK
 * clients against the emulator), over one window. The emulator reads a folder with one log file
 * more than the local engine's, written here by hand: what differs is known without running a
 * query (docs/cli.md, "compare").
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";

const FOLDER = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20";
const WINDOW = ["--from", "2026-11-20T00:00:00Z", "--to", "2026-11-21T00:00:00Z"];
const ARN = (who: string) => `arn:aws:iam::111122223333:user/${who}`;

const event = (id: string, who: string, name: string, minute: number, extra = {}) => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: `2026-11-20T10:${String(minute).padStart(2, "0")}:00Z`,
  eventName: name,
  eventSource: "iam.amazonaws.com",
  awsRegion: "us-east-1",
  eventType: "AwsApiCall",
  userIdentity: { type: "IAMUser", arn: ARN(who), accountId: "111122223333" },
  ...extra,
});

const created = (key: string) =>
  event("e1", "alice", "CreateUser", 1, {
    resources: [{ ARN: ARN("bob"), accountId: "111122223333", type: "AWS::IAM::User" }],
    userIdentity: {
      type: "IAMUser",
      arn: ARN("alice"),
      accountId: "111122223333",
      accessKeyId: key,
    },
  });
/** The local engine's folder (`kept`) has e1 with this key; the emulator's, with KEY_ALL. */
const KEY_KEPT = "AKIAKEPTKEPTKEPTKEPT";
const KEY_ALL = "AKIAALLALLALLALLALLA";
const KEPT = [event("e2", "alice", "AttachUserPolicy", 2)];
/** In the emulator's folder only. */
const EXTRA = [event("e3", "mallory", "AttachUserPolicy", 3)];

const RUNBOOK = `---
title: Compare fixture
owner: security
severity: low
---

# Compare fixture

\`\`\`sql by_name
SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname
\`\`\`

\`\`\`sql who
SELECT useridentity.arn AS who, eventname FROM cloudtrail_logs
\`\`\`

\`\`\`expect
rows <= 2
\`\`\`

\`\`\`sql created
SELECT resources, ARRAY[length(eventname), 2] AS lens, length(eventname) / 3.0E0 AS third FROM cloudtrail_logs WHERE eventname = 'CreateUser'
\`\`\`

\`\`\`sql keys
SELECT useridentity.accesskeyid AS k FROM cloudtrail_logs WHERE eventname = 'CreateUser'
\`\`\`

\`\`\`logs-insights insights_by_name
stats count(*) as n by eventName
\`\`\`
`;

let base: string;
let emulator: Emulator;
let runbook: string;
let config: string;
const dirs = { kept: "", all: "" };

async function writeLogs(dir: string, name: string, records: unknown[]): Promise<void> {
  await mkdir(path.join(dir, FOLDER), { recursive: true });
  const body = zlib.gzipSync(JSON.stringify({ Records: records }));
  await writeFile(
    path.join(dir, FOLDER, `111122223333_CloudTrail_us-east-1_${name}.json.gz`),
    body,
  );
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "run-md-compare-"));
  dirs.kept = path.join(base, "kept");
  dirs.all = path.join(base, "all");
  await writeLogs(dirs.kept, "20261120T1005Z_a", [created(KEY_KEPT), ...KEPT]);
  await writeLogs(dirs.all, "20261120T1005Z_a", [created(KEY_ALL), ...KEPT]);
  await writeLogs(dirs.all, "20261120T1010Z_b", EXTRA);
  runbook = path.join(base, "cmp.md");
  await writeFile(runbook, RUNBOOK);
  emulator = await startEmulator({
    logDir: dirs.all,
    tableAliases: ["security.cloudtrail_logs_pp"],
  });
  config = path.join(base, "run-md.config.yaml");
  await writeFile(
    config,
    [
      // Key ids hidden in every output: compare must still see two keys as two.
      "mask:",
      "  accessKeyIds: hide",
      "athena:",
      "  pollMinMs: 50",
      "  pollMaxMs: 50",
      "logs:",
      "  pollIntervalMs: 50",
      "  maxPollIntervalMs: 50",
      "",
    ].join("\n"),
  );
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

function compare(logDir: string, engines: string, more: string[] = []) {
  return runMd(
    [
      "compare",
      runbook,
      "--engines",
      engines,
      "--log-dir",
      logDir,
      "--config",
      config,
      ...WINDOW,
      ...more,
    ],
    { env: emulatorEnv(emulator.endpoint) },
  );
}

interface Json {
  engines: string[];
  runbooks: {
    runbook: string;
    errors: string[];
    steps: {
      step: string;
      engines: string[];
      verdict: string;
      notes: string[];
      rows: number[];
      only: number[];
      onlyExamples: unknown[][][];
    }[];
  }[];
}

describe("run-md compare", () => {
  it("finds every step the same when both engines read the same logs (nested values and doubles too)", async () => {
    const res = await compare(dirs.all, "local,aws", ["--json"]);
    expect(res.stderr).toBe("");
    const out = JSON.parse(res.stdout) as Json;
    expect(out.engines).toEqual(["local", "aws"]);
    const steps = out.runbooks[0]?.steps ?? [];
    expect(steps.map((s) => [s.step, s.engines, s.verdict, s.rows])).toEqual([
      ["by_name", ["local", "athena"], "same", [2, 2]],
      ["who", ["local", "athena"], "same", [3, 3]],
      // Athena's text of arrays (ARRAY[10, 2] arrives as ["10", "2"]) read as the local engine's typed values.
      ["created", ["local", "athena"], "same", [1, 1]],
      ["keys", ["local", "athena"], "same", [1, 1]],
      ["insights_by_name", ["local", "logs"], "same", [2, 2]],
    ]);
    expect(res.code).toBe(0);
  });

  it("names the rows one engine has and the other lacks, and an expectation that differs; exit 1", async () => {
    const res = await compare(dirs.kept, "local,athena", ["--json"]);
    expect(res.stderr).toBe("");
    const steps = (JSON.parse(res.stdout) as Json).runbooks[0]?.steps ?? [];
    const by = (id: string) => steps.find((s) => s.step === id);
    // By hand: the emulator's folder has e3 (mallory, AttachUserPolicy) besides e1 and e2.
    expect(by("by_name")).toMatchObject({
      verdict: "differs",
      only: [1, 1],
      onlyExamples: [[["AttachUserPolicy", 1]], [["AttachUserPolicy", 2]]],
    });
    expect(by("who")).toMatchObject({
      verdict: "differs",
      rows: [2, 3],
      only: [0, 1],
      onlyExamples: [[], [[ARN("mallory"), "AttachUserPolicy"]]],
      notes: [
        "expect rows <= 2: passed on local, failed on athena",
        "0 row(s) only on local, 1 only on athena",
      ],
    });
    expect(by("created")?.verdict).toBe("same");
    // By hand: e1's key differs; both show masked (accessKeyIds: hide), yet they are two keys.
    expect(by("keys")).toMatchObject({ verdict: "differs", only: [1, 1] });
    expect(res.stdout).not.toContain(KEY_KEPT);
    expect(res.stdout).not.toContain(KEY_ALL);
    // Athena runs no Logs Insights step: both sides ran it on the local engine.
    expect(by("insights_by_name")).toMatchObject({
      verdict: "not-compared",
      engines: ["local", "local"],
    });
    expect(res.code).toBe(1);
  });

  it("prints a line a step and the rows found on one engine only", async () => {
    const res = await compare(dirs.kept, "local,athena");
    expect(res.stdout).toContain("≠ who differs (local / athena)");
    expect(res.stdout).toContain(
      `only on athena: ${JSON.stringify([ARN("mallory"), "AttachUserPolicy"])}`,
    );
    expect(res.stdout).toContain("= created same: 1 row(s) on both (local / athena)");
    expect(res.stdout).toContain(
      "compared 1 runbook(s): 1 step(s) the same, 3 differ, 1 not compared",
    );
    expect(res.code).toBe(1);
  });

  it("masks access key ids where a map holds them as keys, in what it prints", async () => {
    // By hand: e1's key is KEY_KEPT locally and KEY_ALL on the emulator; `hide` is configured.
    const mapRunbook = path.join(base, "keys-map.md");
    await writeFile(
      mapRunbook,
      RUNBOOK.split("# Compare fixture")[0] +
        "# Keys map\n\n```sql by_key\nSELECT map_agg(useridentity.accesskeyid, eventname) AS m FROM cloudtrail_logs WHERE eventname = 'CreateUser'\n```\n",
    );
    const res = await runMd(
      [
        "compare",
        mapRunbook,
        "--engines",
        "local,athena",
        "--log-dir",
        dirs.kept,
        "--config",
        config,
        ...WINDOW,
        "--json",
      ],
      { env: emulatorEnv(emulator.endpoint) },
    );
    const step = (JSON.parse(res.stdout) as Json).runbooks[0]?.steps[0];
    expect(step).toMatchObject({ verdict: "differs", only: [1, 1] });
    expect(res.stdout).toContain("AKIA****************");
    expect(res.stdout).not.toContain(KEY_KEPT);
    expect(res.stdout).not.toContain(KEY_ALL);
    expect(res.code).toBe(1);
  });

  it.each([["athena,local"], ["local,athena"]])(
    "spends no Athena query on a runbook the local engine stops before its steps (--engines %s)",
    async (engines) => {
      // By hand: RE2 refuses [\\b] (Java takes it); the local run stops before its first step.
      const patRunbook = path.join(base, "pat.md");
      await writeFile(
        patRunbook,
        "---\ntitle: Pat\nowner: security\nseverity: low\nparams:\n  pat: { type: string, default: x }\n---\n\n# Pat\n\n```sql s1\nSELECT eventname FROM cloudtrail_logs WHERE regexp_like(eventname, {{pat}})\n```\n",
      );
      const before = emulator.callsOf("StartQueryExecution").length;
      const res = await runMd(
        ["compare", patRunbook, "--engines", engines, "--log-dir", dirs.all, "--config", config]
          .concat(WINDOW)
          .concat(["--param", "pat=[\\b]", "--json"]),
        { env: emulatorEnv(emulator.endpoint) },
      );
      const run = (JSON.parse(res.stdout) as Json).runbooks[0];
      expect(run?.errors).toHaveLength(1);
      expect(run?.errors[0]).toContain("the local engine refuses");
      expect(run?.steps).toEqual([]);
      expect(res.code).toBe(2);
      expect(emulator.callsOf("StartQueryExecution").length).toBe(before);
    },
  );

  it.each([
    [[], "--engines is missing"],
    [["--engines", "local"], '--engines "local" is not two engines'],
    [["--engines", "local,local"], "--engines names local twice"],
    [["--engines", "local,bigquery"], 'unknown engine "bigquery"'],
  ])("refuses %j before any query (exit 2)", async (flags, message) => {
    const before = emulator.callsOf("StartQueryExecution").length;
    const res = await runMd(["compare", runbook, "--config", config, ...WINDOW, ...flags], {
      env: emulatorEnv(emulator.endpoint),
    });
    expect(res.stderr).toContain(message);
    expect([res.code, res.stdout]).toEqual([2, ""]);
    expect(emulator.callsOf("StartQueryExecution").length).toBe(before);
  });

  it.each([
    [["--step", "nope"], "unknown-step", 'no step "nope"'],
    [["--param", "nope=1"], "bad-param", 'unknown parameter "nope"'],
  ])(
    "refuses %j as run does, before any query, with --json's stop object (exit 2)",
    async (flags, code, message) => {
      const before = emulator.callsOf("StartQueryExecution").length;
      const res = await compare(dirs.all, "local,athena", [...flags, "--json"]);
      const out = JSON.parse(res.stdout) as {
        status: string;
        error: { code: string; message: string };
      };
      expect(out.status).toBe("errored");
      expect(out.error.code).toBe(code);
      expect(out.error.message).toContain(message);
      expect(res.stderr).toContain(message);
      expect(res.code).toBe(2);
      expect(emulator.callsOf("StartQueryExecution").length).toBe(before);
    },
  );

  it("refuses the bundled sample data beside AWS: those answers cannot agree", async () => {
    const before = emulator.callsOf("StartQueryExecution").length;
    const res = await runMd(
      [
        "compare",
        runbook,
        "--engines",
        "local,athena",
        "--log-dir",
        "sample",
        "--config",
        config,
        ...WINDOW,
      ],
      { env: emulatorEnv(emulator.endpoint) },
    );
    expect(res.stderr).toContain("bundled sample data");
    // compare has no --engine: the hint is how to compare AWS with the user's own logs.
    expect(res.stderr).not.toContain("--engine aws");
    expect(res.stderr).toContain(
      "point local.logDir (or --log-dir) at a copy of the logs AWS reads",
    );
    expect(res.code).toBe(2);
    expect(emulator.callsOf("StartQueryExecution").length).toBe(before);
  });
});

describe("run-md compare: a result an engine cut at its row limit", () => {
  // By hand: 10,000 events on both sides, and one more, older, in the emulator's folder only.
  // Logs Insights returns 10,000 rows at most without a limit command: each side's rows are the
  // 10,000 newest, the same, though the emulator's answer has one event more.
  let cut: Emulator;
  const cutDirs = { kept: "", all: "" };
  const many = Array.from({ length: 10_000 }, (_, i) =>
    event(`m${i}`, "alice", "GetUser", 10 + Math.floor(i / 1000), {
      eventTime: `2026-11-20T11:${String(Math.floor(i / 200)).padStart(2, "0")}:${String(Math.floor((i % 200) / 4)).padStart(2, "0")}Z`,
    }),
  );
  const older = event("old", "mallory", "GetUser", 0, { eventTime: "2026-11-20T01:00:00Z" });
  const CUT_RUNBOOK = `---
title: Cut fixture
owner: security
severity: low
---

# Cut fixture

\`\`\`logs-insights ids
fields eventID, eventTime
\`\`\`
`;
  let cutRunbook: string;

  beforeAll(async () => {
    cutDirs.kept = path.join(base, "cut-kept");
    cutDirs.all = path.join(base, "cut-all");
    await writeLogs(cutDirs.kept, "20261120T1105Z_a", many);
    await writeLogs(cutDirs.all, "20261120T1105Z_a", many);
    await writeLogs(cutDirs.all, "20261120T0105Z_b", [older]);
    cutRunbook = path.join(base, "cut.md");
    await writeFile(cutRunbook, CUT_RUNBOOK);
    cut = await startEmulator({ logDir: cutDirs.all });
  }, 60_000);

  afterAll(async () => {
    await cut?.close();
  });

  it("does not call the cut answers the same: not compared, exit 2", async () => {
    const res = await runMd(
      [
        "compare",
        cutRunbook,
        "--engines",
        "local,logs",
        "--log-dir",
        cutDirs.kept,
        "--config",
        config,
        ...WINDOW,
        "--json",
      ],
      { env: emulatorEnv(cut.endpoint) },
    );
    const steps = (JSON.parse(res.stdout) as Json).runbooks[0]?.steps ?? [];
    expect(steps[0]).toMatchObject({
      step: "ids",
      engines: ["local", "logs"],
      verdict: "not-compared",
      rows: [10_000, 10_000],
    });
    expect(steps[0]?.notes.join(" ")).toContain("10,000");
    expect(res.code).toBe(2);
  }, 60_000);
});
