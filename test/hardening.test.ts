import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { startEmulator } from "@run-md/aws-emulator";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/report.ts";
import { emulatorEnv } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";

/*
 * Hardening (issue 10): attacks and mistakes reproduced through the real `run-md` binary.
 */

let base: string;
let logDir: string;
let window: string[];

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "run-md-hardening-"));
  // The shared sample data with incidents (test/sample-data.ts): read only here.
  logDir = inject("sampleData").incidents;
  const sample = sampleWindow(logDir);
  window = ["--from", sample.start.toISOString(), "--to", sample.end.toISOString()];
});

/** Every CloudTrail record under `dir`, read independently of any engine. */
async function records(dir: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !/\.json(\.gz)?$/.test(e.name) || e.name.startsWith(".run-md")) continue;
    const raw = await readFile(path.join(e.parentPath, e.name));
    const text = (e.name.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
    out.push(...((JSON.parse(text) as { Records: Record<string, unknown>[] }).Records ?? []));
  }
  return out;
}

function expectCleanError(res: { code: number | null; stderr: string }, ...names: string[]) {
  expect(res.code).toBe(2);
  expect(res.stderr).not.toContain("internal error");
  expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  for (const n of names) expect(res.stderr).toContain(n);
}

describe("masking through the CLI: credentials hidden, evidence kept", () => {
  it("the access-key-lifecycle runbook shows which key was created for another user", async () => {
    // The truth, from the raw records: keys created by one identity for another user.
    const truth = (await records(logDir))
      .filter((r) => r.eventName === "CreateAccessKey" && r.errorCode === undefined)
      .filter((r) => {
        const owner = (r.requestParameters as { userName?: string } | null)?.userName;
        const id = r.userIdentity as { userName?: string; arn?: string };
        return (
          owner !== undefined &&
          owner !== (id.userName ?? "") &&
          !/:assumed-role\/(ci-deployer|terraform-automation)\//.test(id.arn ?? "")
        );
      })
      .map((r) => (r.responseElements as { accessKey: { accessKeyId: string } }).accessKey);
    expect(truth.length).toBeGreaterThan(0);
    const args = [
      "runbooks/access-key-lifecycle.md",
      "--log-dir",
      logDir,
      "--step",
      "keys_for_others",
    ];
    const res = await runMd([...args, "--json", "--no-report", ...window]);
    const [report] = JSON.parse(res.stdout) as [RunReport];
    const step = report.steps[0]!;
    const col = step.columns.findIndex((c) => c.name === "access_key_id");
    expect(step.rows.map((r) => r[col]).sort()).toEqual(truth.map((k) => k.accessKeyId).sort());

    // Hidden on request (outputs published to a wide audience), in every output.
    const dir = await mkdtemp(path.join(base, "hide-"));
    const md = path.join(dir, "summary.md");
    const hidden = await runMd(
      [...args, "--reports-dir", dir, "--markdown", md, "--json", ...window],
      { env: { RUN_MD_MASK_ACCESS_KEY_IDS: "hide" } },
    );
    // A --step run is an investigation: its report is written, but not as latest.json.
    const reportDir = path.join(dir, "access-key-lifecycle");
    const files = (await readdir(reportDir)).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    const written = await readFile(path.join(reportDir, files[0]!), "utf8");
    const summary = await readFile(md, "utf8"); // Markdown: read as rendered
    for (const text of [hidden.stdout, written, summary, micromark(summary)]) {
      for (const k of truth) expect(text).not.toContain(k.accessKeyId);
      if (text !== summary) expect(text).toContain("AKIA****************");
    }
  });

  it("a bad mask setting is a configuration error naming the file and line", async () => {
    const cfg = path.join(base, "mask.config.yaml");
    await writeFile(cfg, "mask:\n  accessKeyIds: hidden\n");
    const res = await runMd(["runbooks/kms-key-deletion.md", "--config", cfg, "--no-report"]);
    expectCleanError(res, `${cfg}:2:17`, "show, hide");
  });
});

describe("configuration mistakes are clear errors, not crashes", () => {
  it("a YAML alias bomb in the configuration is a bad-config error naming the file", async () => {
    const cfg = path.join(base, "bomb.config.yaml");
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, c] of [..."bcdefghi"].entries()) {
      const prev = "abcdefghi"[i];
      lines.push(`${c}: &${c} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    await writeFile(cfg, `${lines.join("\n")}\n`);
    const res = await runMd(["runbooks/kms-key-deletion.md", "--config", cfg, "--no-report"]);
    expectCleanError(res, cfg, "alias");
  });

  it("a reports path that is a file is refused before any query, naming it", async () => {
    const file = path.join(base, "reports-is-a-file");
    await writeFile(file, "not a directory\n");
    for (const dir of [file, path.join(file, "below")]) {
      const res = await runMd([
        "runbooks/kms-key-deletion.md",
        "--log-dir",
        logDir,
        "--reports-dir",
        dir,
      ]);
      expectCleanError(res, file, "is a file");
      expect(res.stdout).not.toContain("kms-key-deletion:"); // no step ran
    }
    const cfg = path.join(base, "reports.config.yaml");
    await writeFile(cfg, `reportsDir: ${file}\n`);
    const res = await runMd(["runbooks/kms-key-deletion.md", "--config", cfg, "--log-dir", logDir]);
    expectCleanError(res, file, cfg);
    expect(await readFile(file, "utf8")).toBe("not a directory\n");
  });

  it("athena.pollMinMs: 0 is refused with the file, line and the minimum", async () => {
    const cfg = path.join(base, "poll.config.yaml");
    await writeFile(cfg, "athena:\n  region: us-east-1\n  pollMinMs: 0\n");
    const res = await runMd(["runbooks/kms-key-deletion.md", "--config", cfg, "--no-report"]);
    expectCleanError(res, `${cfg}:3:14`, "at least 50");
  });

  it("an extra table named like the CloudTrail table is refused: it would replace the logs", async () => {
    for (const name of ["cloudtrail_logs", "CloudTrail_Logs", "security.trail"]) {
      const cfg = path.join(base, "extra-trail.config.yaml");
      await writeFile(
        cfg,
        `tables:\n  aliases: [security.trail]\n  extra:\n    "${name}": { file: x.csv, scope: unscoped }\n`,
      );
      const res = await runMd(["runbooks/kms-key-deletion.md", "--config", cfg, "--no-report"]);
      expectCleanError(res, `${cfg}:4:5`, "would replace the CloudTrail table");
    }
  });

  it("an extra table's missing file is one configuration error before any step", async () => {
    const cfg = path.join(base, "extra-missing.config.yaml");
    await writeFile(cfg, "tables:\n  extra:\n    known: { file: nope.csv, scope: unscoped }\n");
    const res = await runMd([
      "runbooks/kms-key-deletion.md",
      "--config",
      cfg,
      "--log-dir",
      logDir,
      "--no-report",
      ...window,
    ]);
    expectCleanError(res, `${cfg}:3:5`, path.join(base, "nope.csv"), "does not exist");
    expect(res.stdout).not.toContain("kms-key-deletion:");
  });

  it("the local engine's limits and the timeouts are checked at their line", async () => {
    const cases: [string, string][] = [
      ["local:\n  threads: 0\n", ":2:12"],
      ["local:\n  threads: 1.5\n", ":2:12"],
      ["local:\n  memoryLimit: 1XB\n", ":2:16"],
      ["local:\n  spillLimit: lots\n", ":2:15"],
      ["local:\n  cacheLimit: lots\n", ":2:15"],
      ["timeout: abc\n", ":1:10"],
      ["timeout: 30d\n", ":1:10"],
      ["maxScan: lots\n", ":1:10"],
    ];
    for (const [text, at] of cases) {
      const cfg = path.join(base, "limits.config.yaml");
      await writeFile(cfg, text);
      const res = await runMd(["query", "SELECT 1 AS x", "--config", cfg, "--log-dir", logDir]);
      expectCleanError(res, `${cfg}${at}`);
    }
    // Sizes DuckDB itself reads stay accepted.
    for (const text of ["local:\n  memoryLimit: 4G\n", "local:\n  spillLimit: none\n"]) {
      const cfg = path.join(base, "limits-ok.config.yaml");
      await writeFile(cfg, text);
      const res = await runMd([
        "query",
        "SELECT 1 AS x",
        "--config",
        cfg,
        "--log-dir",
        logDir,
        ...window,
      ]);
      expect(res.code, `${text}: ${res.stderr}`).toBe(0);
    }
  });

  it("a timeout longer than a day is refused where it is written, not fired at once", async () => {
    const dir = await mkdtemp(path.join(base, "timeout-"));
    const file = path.join(dir, "long.md");
    await writeFile(file, "---\ntitle: Long\n---\n\n```sql s timeout=30d\nSELECT 1 AS one\n```\n");
    const check = await runMd(["check", file]);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain(`${file}:5:18 error invalid timeout "30d"`);
    expect(check.stdout).toContain("at most 24h");
    const flag = await runMd([
      "query",
      "SELECT 1 AS x",
      "--timeout",
      "30000d",
      "--log-dir",
      logDir,
    ]);
    expectCleanError(flag, "--timeout", "at most 24h");
  });

  it("mistakes in the access:, server: and notify: sections name their line", async () => {
    const cases: [string, string][] = [
      [
        "access:\n  rules:\n    - { groups: [a], allow: [view, runn] }\n",
        ":3:36: access.rules[0].allow[1]",
      ],
      ["server:\n  port: 99999\n", ':2:3: "server.port"'],
      ["notify:\n  targets:\n    - { kind: slack, urll: x }\n", ":3:7: notify.targets[0]"],
    ];
    for (const [text, at] of cases) {
      const cfg = path.join(base, "sections.config.yaml");
      await writeFile(cfg, text);
      const res = await runMd(["serve", "--config", cfg, "--port", "0", "--log-dir", logDir]);
      expectCleanError(res, `${cfg}${at}`);
    }
  });

  it("configuration keys named like Object's properties are unknown keys, not crashes", async () => {
    const cfg = path.join(base, "proto.config.yaml");
    await writeFile(cfg, "constructor: 1\nathena:\n  toString: x\n");
    const res = await runMd(["runbooks/kms-key-deletion.md", "--config", cfg, "--no-report"]);
    expectCleanError(res, `${cfg}:1:1`, 'unknown configuration key "constructor"');
  });
});

describe("outputs that cannot be written: refused before any query, or a clean error", () => {
  // /proc takes no new files, even for root (the tests run as root in CI, where chmod does not bind).
  const unwritable = "/proc/run-md-nowhere";

  it("a reports folder, --junit or --markdown that cannot be written: no step runs", async () => {
    const reports = await mkdtemp(path.join(base, "unwritable-"));
    const cases = [
      ["--reports-dir", unwritable],
      ["--reports-dir", reports, "--junit", `${unwritable}/j.xml`],
      ["--reports-dir", reports, "--markdown", `${unwritable}/m.md`],
    ];
    for (const flags of cases) {
      const res = await runMd(["runbooks/kms-key-deletion.md", "--log-dir", logDir, ...flags]);
      expectCleanError(res, flags[flags.length - 1]!.split("/").slice(0, 2).join("/"));
      expect(res.stdout).not.toContain("kms-key-deletion:"); // no step ran
    }
    expect(await readdir(reports)).toEqual([]);
  });

  it("a runbook's reports folder that is a file is refused before any query", async () => {
    const reports = await mkdtemp(path.join(base, "id-file-"));
    await writeFile(path.join(reports, "kms-key-deletion"), "mine\n");
    const res = await runMd([
      "runbooks/kms-key-deletion.md",
      "--log-dir",
      logDir,
      "--reports-dir",
      reports,
    ]);
    expectCleanError(res, path.join(reports, "kms-key-deletion"), "is a file");
    expect(res.stdout).not.toContain("kms-key-deletion:");
    expect(await readFile(path.join(reports, "kms-key-deletion"), "utf8")).toBe("mine\n");
  });

  it("a report that cannot be stored is an output error naming the folder, not a crash", async () => {
    const reports = await mkdtemp(path.join(base, "latest-dir-"));
    await mkdir(path.join(reports, "kms-key-deletion", "latest.json"), { recursive: true });
    const res = await runMd([
      "runbooks/kms-key-deletion.md",
      "--log-dir",
      logDir,
      "--reports-dir",
      reports,
    ]); // no window given: a full run, which replaces latest.json
    expectCleanError(res, path.join(reports, "kms-key-deletion"), "could not be stored");
  });

  it("--junit and --markdown leave their two files and nothing else, in folders made for them", async () => {
    const dir = await mkdtemp(path.join(base, "junit-"));
    const res = await runMd([
      "runbooks/kms-key-deletion.md",
      "--log-dir",
      logDir,
      "--no-report",
      "--junit",
      path.join(dir, "out", "sub", "j.xml"),
      "--markdown",
      path.join(dir, "m.md"),
      ...window,
    ]);
    expect(res.code, res.stderr).toBeLessThan(2);
    expect((await readdir(dir)).sort()).toEqual(["m.md", "out"]);
    expect(await readdir(path.join(dir, "out", "sub"))).toEqual(["j.xml"]);
  });

  it("--output naming a folder is refused before the query", async () => {
    const dir = await mkdtemp(path.join(base, "out-dir-"));
    const res = await runMd([
      "query",
      "SELECT eventname FROM cloudtrail_logs LIMIT 3",
      "--log-dir",
      logDir,
      "--output",
      dir,
      "--format",
      "csv",
      ...window,
    ]);
    expectCleanError(res, `--output ${dir} is a folder`);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a system error in any command is exit 2 with its message, not Node's crash", async () => {
    const file = path.join(base, "new-dir-is-a-file");
    await writeFile(file, "mine\n");
    const res = await runMd(["new", "x", "--dir", path.join(file, "q")]);
    expectCleanError(res, file, "ENOTDIR");
    // A path's control characters are escaped there too (an OSC sequence would retitle the terminal).
    const odd = path.join(base, "odd\u001b]0;PWNED\u0007");
    await writeFile(odd, "mine\n");
    const escaped = await runMd(["new", "x", "--dir", path.join(odd, "q")]);
    expect(escaped.code).toBe(2);
    expect(escaped.stderr).not.toMatch(/[\u001b\u0007]/);
    expect(escaped.stderr).toContain("odd\\u001b]0;PWNED\\u0007");
  });
});

describe("a step's own window", () => {
  it("is shown on the step's lines when it is not the run's window (window= narrows --from/--to)", async () => {
    const dir = await mkdtemp(path.join(base, "step-window-"));
    const file = path.join(dir, "narrow.md");
    await writeFile(
      file,
      "---\ntitle: Narrow\n---\n\n```sql all\nSELECT count(*) AS n FROM cloudtrail_logs\n```\n\n```sql last_hour window=1h allow_empty\nSELECT count(*) AS n FROM cloudtrail_logs\n```\n",
    );
    const res = await runMd([file, "--log-dir", logDir, "--no-report", ...window]);
    expect(res.code, res.stderr).toBeLessThan(2);
    const end = new Date(window[3]!);
    const own = `${new Date(end.getTime() - 3_600_000).toISOString().replace(".000Z", "Z")} → ${end.toISOString().replace(".000Z", "Z")}`;
    expect(res.stdout).toContain(`this step read its own window, ${own}`);
    expect(res.stdout.match(/this step read its own window/g)).toHaveLength(1);
  });
});

describe("runbook ids from file names", () => {
  it("a runbook file named ...md (id ..) cannot write reports outside the reports folder", async () => {
    const dir = await mkdtemp(path.join(base, "dots-"));
    await mkdir(path.join(dir, "runbooks"));
    const file = path.join(dir, "runbooks", "...md");
    await writeFile(file, "---\ntitle: Dots\n---\n\n```sql s\nSELECT 1 AS one\n```\n");
    const res = await runMd([file, "--reports-dir", path.join(dir, "runbooks", "reports")]);
    expectCleanError(res, `${file}:1:1`, 'runbook id ".."');
    expect((await readdir(dir, { recursive: true })).sort()).toEqual([
      "runbooks",
      "runbooks/...md",
    ]);
    // The same file with an id of its own runs, and its reports stay in their folder.
    await writeFile(file, "---\ntitle: Dots\nid: dots\n---\n\n```sql s\nSELECT 1 AS one\n```\n");
    const ok = await runMd([
      file,
      "--log-dir",
      logDir,
      "--reports-dir",
      path.join(dir, "reports"),
      ...window,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readdir(path.join(dir, "reports"))).toEqual(["dots"]);
  });
});

describe("user names that meet objects", () => {
  it("parameters named toString and constructor work, from defaults and --param", async () => {
    const dir = await mkdtemp(path.join(base, "params-"));
    const file = path.join(dir, "proto.md");
    await writeFile(
      file,
      [
        "---",
        "title: Parameters named like Object's properties",
        "params:",
        '  toString: { type: string, default: "Create%" }',
        "  constructor: { type: integer, default: 5 }",
        "  hasOwnProperty: { type: string }",
        "---",
        "",
        "```sql names",
        "SELECT {{toString}} AS pattern, {{constructor}} AS n, {{hasOwnProperty}} AS h, count(*) AS events",
        "FROM cloudtrail_logs WHERE eventname LIKE {{toString}}",
        "```",
        "",
      ].join("\n"),
    );
    const res = await runMd([
      file,
      "--log-dir",
      logDir,
      "--param",
      "constructor=7",
      "--param",
      "hasOwnProperty=yes",
      "--json",
      "--no-report",
      ...window,
    ]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const [report] = JSON.parse(res.stdout) as [RunReport];
    const truth = (await records(logDir)).filter((r) =>
      String(r.eventName).startsWith("Create"),
    ).length;
    expect(report.steps[0]!.rows).toEqual([["Create%", 7, "yes", truth]]);
    expect(report.params).toMatchObject({ toString: "Create%", constructor: 7 });

    const unknown = await runMd([file, "--param", "valueOf=1", "--no-report", "--log-dir", logDir]);
    expectCleanError(unknown, 'unknown parameter "valueOf"');
  });

  it("a parameter named __proto__ is refused by check, with its line", async () => {
    const dir = await mkdtemp(path.join(base, "proto-"));
    const file = path.join(dir, "proto.md");
    await writeFile(
      file,
      "---\ntitle: P\nparams:\n  __proto__: { type: string, default: x }\n---\n\n```sql s\nSELECT {{__proto__}} AS a FROM cloudtrail_logs\n```\n",
    );
    const res = await runMd(["check", file]);
    expectCleanError(
      { code: res.code, stderr: res.stdout + res.stderr },
      `${file}:4:3`,
      "reserved",
    );
  });
});

/** CloudTrail records whose attacker-chosen fields carry markup. */
function hostileRecords(at: Date): Record<string, unknown>[] {
  const agents = [
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(5))",
    "![x](javascript:alert(6)) <script>alert(7)</script> | cell",
  ];
  return agents.map((userAgent, i) => ({
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      arn: `arn:aws:iam::111122223333:user/attacker${i}`,
      accountId: "111122223333",
      userName: `attacker${i}`,
    },
    eventTime: new Date(at.getTime() + i * 60_000).toISOString().replace(".000Z", "Z"),
    eventSource: "sts.amazonaws.com",
    eventName: "GetCallerIdentity",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.9",
    userAgent,
    requestParameters: null,
    responseElements: null,
    requestID: `req-${i}`,
    eventID: `00000000-0000-4000-8000-00000000000${i}`,
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "111122223333",
    eventCategory: "Management",
  }));
}

describe("escaping in the --markdown summary (GitHub step summary)", () => {
  it("log values are literal text: no live HTML, images or javascript: links", async () => {
    const dir = await mkdtemp(path.join(base, "hostile-"));
    const logs = path.join(dir, "logs");
    const at = new Date(Date.UTC(2026, 10, 20, 12));
    const recs = hostileRecords(at);
    await mkdir(logs);
    await writeFile(path.join(logs, "events.json"), JSON.stringify({ Records: recs }));
    const file = path.join(dir, "agents.md");
    await writeFile(
      file,
      [
        "---",
        "title: User agents <b>bold</b>",
        "---",
        "",
        "```sql agents",
        "SELECT useragent, count(*) AS calls FROM cloudtrail_logs GROUP BY 1 ORDER BY 1",
        "```",
        "",
        "```expect",
        "no useragent like '%'",
        "```",
        "",
      ].join("\n"),
    );
    const md = path.join(dir, "summary.md");
    const res = await runMd([
      file,
      "--log-dir",
      logs,
      "--no-report",
      "--markdown",
      md,
      "--from",
      new Date(at.getTime() - 3_600_000).toISOString(),
      "--to",
      new Date(at.getTime() + 3_600_000).toISOString(),
    ]);
    expect(res.code, res.stderr).toBe(1);
    const text = await readFile(md, "utf8");
    // Rendered as GitHub does: GFM, raw HTML allowed through.
    const html = micromark(text, {
      allowDangerousHtml: true,
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });
    expect(html).not.toMatch(/<img|<script|<b>|href="javascript:|src="javascript:/i);
    // Every value is still there, as text (in the rows table and the offending rows).
    for (const r of recs) {
      const shown = String(r.userAgent)
        .replaceAll("&", "&amp;")
        .replaceAll("<", "&lt;")
        .replaceAll(">", "&gt;");
      expect(html).toContain(shown.replace(" | cell", ""));
    }
    expect(html).toContain("User agents &lt;b&gt;bold&lt;/b&gt;");
  });
});

describe("the AWS engines and their endpoints", () => {
  it("send placeholder credentials, never the real ones, to a loopback endpoint", async () => {
    const emulator = await startEmulator({ logDir, tableAliases: ["security.cloudtrail_logs_pp"] });
    try {
      const env = {
        ...emulatorEnv(emulator.endpoint),
        // Real-looking credentials, which must never reach a loopback endpoint.
        AWS_ACCESS_KEY_ID: "AKIAREALKEYNEVERSENT",
        AWS_SECRET_ACCESS_KEY: "real-secret-never-sent",
        AWS_SESSION_TOKEN: "real-session-token-never-sent",
      };
      // Polling the emulator faster than AWS, as the engine parity test does.
      const cfg = path.join(base, "fast-poll.config.yaml");
      await writeFile(
        cfg,
        "athena:\n  pollMinMs: 50\n  pollMaxMs: 200\nlogs:\n  pollIntervalMs: 50\n  maxPollIntervalMs: 200\n",
      );
      for (const engine of ["athena", "logs"]) {
        const res = await runMd(
          [
            "runbooks/access-key-lifecycle.md",
            "--engine",
            engine,
            "--config",
            cfg,
            "--log-dir",
            logDir,
            "--no-report",
            ...window,
          ],
          { env },
        );
        expect(res.stderr, engine).toBe("");
        expect(res.code, engine).toBe(1); // it ran: the planted key creation is found
      }
      const services = new Set(emulator.calls.map((c) => c.service));
      expect(services).toEqual(new Set(["AmazonAthena", "Logs_20140328"]));
      for (const call of emulator.calls) {
        expect(call.accessKeyId, call.target).toBe("run-md-local");
        expect(call.sessionToken, call.target).toBe(false);
      }
    } finally {
      await emulator.close();
    }
  }, 240_000);

  it("warns when an endpoint is plain HTTP to another host", async () => {
    // A log directory of its own: with the bundled sample data beside Athena the run is refused.
    const res = await runMd(
      [
        "runbooks/kms-key-deletion.md",
        "--engine",
        "athena",
        "--log-dir",
        logDir,
        "--no-report",
        "--timeout",
        "3s",
      ],
      {
        env: {
          RUN_MD_ATHENA_ENDPOINT: "http://0.0.0.0:9",
          AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE01",
          AWS_SECRET_ACCESS_KEY: "example",
          AWS_REGION: "us-east-1",
          AWS_MAX_ATTEMPTS: "1",
        },
      },
    );
    expect(res.stderr).toContain(
      "warning athena.endpoint http://0.0.0.0:9 is plain HTTP to another host",
    );
    expect(res.code).toBe(2); // nothing listens there
  });
});
