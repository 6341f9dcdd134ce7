import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtures, repoRoot, runMd } from "./check-helpers.ts";

const rel = (p: string) => path.relative(process.cwd(), p);
const tmp = mkdtempSync(path.join(tmpdir(), "run-md-check-"));
/** One step, so that a runbook made here is a runbook (check: no-steps). */
const STEP = "\n```sql s\nSELECT 1 AS one\n```\n";

/** `run-md check` of a runbook written to `name` in the temporary folder. */
async function checkText(name: string, text: string) {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return { file, ...(await runMd(["check", file])) };
}
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("run-md check", () => {
  it("exits 0 and says so when every runbook is clean", async () => {
    const { code, stdout, stderr } = await runMd(["check", "packages/core/test/fixtures/valid"]);
    expect(stderr).toBe("");
    expect(stdout).toBe("✓ 3 runbooks checked, no problems\n");
    expect(code).toBe(0);
  });

  it("a mistake in the server: or access: section (read by serve alone) fails check, naming file, line and key", async () => {
    const dir = path.join(tmp, "serve-sections");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    writeFileSync(path.join(dir, "runbooks", "one.md"), `---\ntitle: One\n---\n${STEP}`);
    const config = path.join(dir, "run-md.config.yaml");
    const cases = [
      ["server:\n  prot: 4600\n", `${config}:2:3: "server.prot" is not a key`],
      [
        "access:\n  rules:\n    - groups: [leads]\n      allow: [view, runn]\n",
        `${config}:4:21: access.rules[0].allow[1]: unknown action "runn"`,
      ],
    ];
    for (const [text, message] of cases) {
      writeFileSync(config, text as string);
      const r = await runMd(["check"], dir);
      expect(r.stderr.split("\n")[0], text).toContain(`error ${message}`);
      expect(r.code, text).toBe(2);
    }
    // docs/configuration.md's own server: and access: lines are a valid configuration.
    const fine =
      "server:\n  port: 4600\n  auth: { mode: token }\naccess:\n  rules:\n    - { groups: [security-leads], allow: [view, run, run:params, approve, query, audit] }\n";
    writeFileSync(config, fine);
    expect(await runMd(["check"], dir)).toMatchObject({ code: 0, stderr: "" });
  });

  it("a mistake in the notify: section (read by the senders alone) fails check, each at its file, line and key", async () => {
    const dir = path.join(tmp, "notify-section");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    writeFileSync(path.join(dir, "runbooks", "one.md"), `---\ntitle: One\n---\n${STEP}`);
    const config = path.join(dir, "run-md.config.yaml");
    const targets = "notify:\n  targets:\n";
    const url = "must be an http(s) URL such as https://hooks.example.com/run-md";
    // Each mistake alone, and where it is (line:column of its key, counted by hand).
    const cases: [string, string][] = [
      [
        "notify:\n  reminders: 24h\n",
        "2:3: notify.reminders is not a known key (expected targets, reminder, retry, digest)",
      ],
      ["notify:\n  reminder: 24\n", "2:3: notify.reminder must be a duration such as 24h"],
      [
        'notify:\n  retry: { attempts: "3" }\n',
        "2:12: notify.retry.attempts must be a whole number of at least 1",
      ],
      [
        `${targets}    - { type: slak, url: "https://hooks.example.com/x" }\n`,
        "3:9: notify.targets[0].type must be one of slack, pagerduty, teams, sns, github, webhook",
      ],
      [
        `${targets}    - { type: slack, urll: "https://hooks.example.com/x" }\n`,
        "3:22: notify.targets[0].urll is not a known key (expected type, name, minSeverity, on, url, urlEnv)",
      ],
      [
        `${targets}    - { type: slack, url: hooks.slack.com/services/T0/B0/XyZ }\n`,
        `3:22: notify.targets[0].url ${url}`,
      ],
      [
        `${targets}    - type: webhook\n      url: ftp://hooks.example.com/run-md\n      secretEnv: HOOK_SECRET\n`,
        `4:7: notify.targets[0].url ${url}`,
      ],
      [
        `${targets}    - { type: github, repo: acme/sec, tokenEnv: GH_TOKEN, apiUrl: ghe.example.com/api/v3 }\n`,
        `3:59: notify.targets[0].apiUrl ${url}`,
      ],
      [
        `${targets}    - { type: pagerduty, routingKeyEnv: PD_KEY, url: events.pagerduty.com }\n`,
        `3:49: notify.targets[0].url ${url}`,
      ],
      [
        `${targets}    - { type: sns, topicArn: "arn:aws:sns:us-east-1:123456789012:alerts", endpoint: localhost:4566 }\n`,
        `3:75: notify.targets[0].endpoint ${url}`,
      ],
      [
        `${targets}    - { type: sns, topicArn: security-alerts }\n`,
        "3:20: notify.targets[0].topicArn must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts",
      ],
      [
        `${targets}    - { type: slack, urlEnv: RUN_MD_SLACK_URL, on: failed }\n`,
        "3:48: notify.targets[0].on must be a list of failed, errored, recovered, reminder",
      ],
      [
        `${targets}    - { type: teams, urlEnv: TEAMS_URL, minSeverity: 3 }\n`,
        "3:41: notify.targets[0].minSeverity must be one of info, low, medium, high, critical",
      ],
      [
        `${targets}    - { type: slack, urlEnv: "https://hooks.slack.com/services/T0/B0/XyZ" }\n`,
        "3:22: notify.targets[0].urlEnv must be the name of an environment variable (letters, digits, _), not its value",
      ],
    ];
    for (const [text, message] of cases) {
      writeFileSync(config, text);
      const r = await runMd(["check"], dir);
      expect(r.stderr.split("\n")[0], text).toBe(`error ${config}:${message}`);
      // The page as shipped with run-md, from a folder that has no docs/ of its own.
      const doc = path.relative(dir, path.join(repoRoot, "packages/cli/dist/docs/automation.md"));
      expect(r.stderr, text).toContain(`hint: See ${doc} for the notify: section.`);
      // A webhook's URL is its secret: a message names the key, never the value.
      expect(r.stderr, text).not.toContain("XyZ");
      expect(r.code, text).toBe(2);
    }
    // Several mistakes: each on its line, the hint once.
    writeFileSync(
      config,
      "notify:\n  reminders: 24h\n  reminder: 24\n  targets:\n    - { type: sns, topicArn: security-alerts }\n    - { type: slack, url: slack.example.com }\n",
    );
    const several = await runMd(["check"], dir);
    expect(several.stderr.split("\n").filter((l) => l.startsWith("error "))).toEqual([
      `error ${config}:2:3: notify.reminders is not a known key (expected targets, reminder, retry, digest)`,
      `error ${config}:3:3: notify.reminder must be a duration such as 24h`,
      `error ${config}:5:20: notify.targets[0].topicArn must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts`,
      `error ${config}:6:22: notify.targets[1].url ${url}`,
    ]);
    expect(several.stderr.match(/^hint: /gm)).toHaveLength(1);
    expect(several.code).toBe(2);
  });

  it("--json lists the configuration's mistakes on stdout (a bad value, a section its reader refuses)", async () => {
    const dir = path.join(tmp, "config-json");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    writeFileSync(path.join(dir, "runbooks", "one.md"), `---\ntitle: One\n---\n${STEP}`);
    const config = path.join(dir, "run-md.config.yaml");
    for (const [text, code, words] of [
      ["server:\n  prot: 4600\n", "bad-config", `${config}:2:3: "server.prot" is not a key`],
      ["timeout: soon\n", "bad-config", '"timeout" must be a duration'],
      [
        "notify:\n  reminders: 24h\n  reminder: 24\n",
        "bad-config",
        `${config}:2:3: notify.reminders is not a known key`,
      ],
    ] as const) {
      writeFileSync(config, text);
      const r = await runMd(["check", "--json"], dir);
      expect(r.code, text).toBe(2);
      const doc = JSON.parse(r.stdout);
      expect([doc.ok, doc.files, doc.errors], text).toEqual([false, [], doc.config.length]);
      expect(doc.config[0], text).toMatchObject({ code, message: expect.stringContaining(words) });
      expect(r.stderr, text).toContain(doc.config[0].message);
    }
  });

  it("the notify: examples of the docs pass check, their ...Env variables unset (the sender's environment has them)", async () => {
    const dir = path.join(tmp, "notify-fine");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    writeFileSync(path.join(dir, "runbooks", "one.md"), `---\ntitle: One\n---\n${STEP}`);
    const examples = [
      path.join(repoRoot, "docs", "automation.md"),
      path.join(repoRoot, "packages", "notify", "README.md"),
    ].map((file) => /```yaml\n(notify:\n[\s\S]*?)```/.exec(readFileSync(file, "utf8"))![1]!);
    for (const text of examples) {
      const variables = [...text.matchAll(/Env: ([A-Z_]+)/g)].map((m) => m[1]!);
      expect(variables.length, text).toBeGreaterThan(1);
      for (const v of variables) expect(process.env[v], v).toBeUndefined();
      writeFileSync(path.join(dir, "run-md.config.yaml"), text);
      expect(await runMd(["check"], dir), text).toMatchObject({ code: 0, stderr: "" });
    }
  });

  it("run warns of a params.<id> naming no runbook, and runs with the defaults", async () => {
    const dir = path.join(tmp, "config-params-run");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    const runbook = "---\ntitle: IAM\nparams:\n  limit: { type: integer, default: 5 }\n---\n";
    const step = "\n```sql s\nSELECT {{limit}} AS n\n```\n";
    writeFileSync(path.join(dir, "runbooks", "audit-iam.md"), runbook + step);
    const config = "local:\n  logDir: sample\nparams:\n  audit-iamm:\n    limit: 1\n";
    writeFileSync(path.join(dir, "run-md.config.yaml"), config);
    const res = await runMd(["run", "runbooks/audit-iam.md", "--no-report", "--json"], dir);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(
      `${path.join(dir, "run-md.config.yaml")}:4:3 warning params.audit-iamm names no runbook in runbooks (did you mean audit-iam?): its values are given to no run [config-params]`,
    );
    expect(JSON.parse(res.stdout)[0].steps[0].rows).toEqual([[5]]);
    // Named right, no warning and the configured value.
    writeFileSync(path.join(dir, "run-md.config.yaml"), config.replace("iamm", "iam"));
    const fixed = await runMd(["run", "runbooks/audit-iam.md", "--no-report", "--json"], dir);
    expect(fixed.stderr).not.toContain("config-params");
    expect(JSON.parse(fixed.stdout)[0].steps[0].rows).toEqual([[1]]);
  });

  it("a configuration's params.<id> naming no runbook of the runbooks folder is an error at its line (review)", async () => {
    const dir = path.join(tmp, "config-params");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    const runbook = "---\ntitle: IAM\nparams:\n  limit: { type: integer, default: 5 }\n---\n";
    writeFileSync(path.join(dir, "runbooks", "audit-iam.md"), runbook + STEP);
    writeFileSync(path.join(dir, "runbooks", "other.md"), `---\ntitle: Other\n---\n${STEP}`);
    const config = "params:\n  audit-iam:\n    limit: 3\n  audit-iamm:\n    limit: 1\n";
    writeFileSync(path.join(dir, "run-md.config.yaml"), config);
    // Whichever runbooks are checked: the section is given to no run of any of them.
    const one = await runMd(["check", "runbooks/other.md"], dir);
    expect(one.stdout.trimEnd().split("\n")).toEqual([
      `${path.join(dir, "run-md.config.yaml")}:4:3 error params.audit-iamm names no runbook in runbooks (did you mean audit-iam?): its values are given to no run [config-params]`,
      "",
      "✗ 1 problem (1 error, 0 warnings) in 0 of 1 runbook and the configuration",
    ]);
    expect(one.code).toBe(2);
    const json = JSON.parse((await runMd(["check", "--json"], dir)).stdout);
    expect(json.ok).toBe(false);
    expect(json.files.at(-1).diagnostics).toMatchObject([{ line: 4, rule: "config-params" }]);
    // Fixed, the check is clean.
    writeFileSync(path.join(dir, "run-md.config.yaml"), "params:\n  audit-iam:\n    limit: 3\n");
    expect(await runMd(["check"], dir)).toMatchObject({ code: 0 });
    // A runbook checked from another folder is one the section may name.
    mkdirSync(path.join(dir, "team-b"));
    // (It declares x: a configured name it does not declare is an error of its own, below.)
    const net = `---\ntitle: Net\nparams:\n  x: { type: integer, default: 0 }\n---\n${STEP}`;
    writeFileSync(path.join(dir, "team-b", "net.md"), net);
    const both = "params:\n  audit-iam:\n    limit: 3\n  net:\n    x: 1\n";
    writeFileSync(path.join(dir, "run-md.config.yaml"), both);
    expect(await runMd(["check", "team-b"], dir)).toMatchObject({ code: 0 });
    expect((await runMd(["check", "runbooks"], dir)).stdout).toContain(
      "params.net names no runbook",
    );
  });

  it("a params.<id> of a runbook that does not load is not said to name no runbook: its file name is its id", async () => {
    const dir = path.join(tmp, "config-params-broken");
    mkdirSync(path.join(dir, "runbooks"), { recursive: true });
    // A typo in a check: the runbook does not load, and it has no id: of its own.
    const broken = `---\ntitle: IAM\n---\n${STEP}\n\`\`\`expect\nrows = 1\n\`\`\`\n`;
    writeFileSync(path.join(dir, "runbooks", "audit-iam.md"), broken);
    writeFileSync(path.join(dir, "runbooks", "other.md"), `---\ntitle: Other\n---\n${STEP}`);
    writeFileSync(path.join(dir, "run-md.config.yaml"), "params:\n  audit-iam:\n    limit: 3\n");
    const { stdout, code } = await runMd(["check"], dir);
    expect(code).toBe(2);
    expect(stdout).toContain("[expect-syntax]");
    // The section is right: the runbook's own error is the one to fix.
    expect(stdout).not.toContain("config-params");
  });

  it("a folder without runbooks is an error: a CI gate that checked nothing is not green", async () => {
    const empty = path.join(tmp, "empty-folder");
    mkdirSync(empty);
    writeFileSync(path.join(empty, "notes.txt"), "not a runbook\n");
    const text = await runMd(["check", empty]);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(`error no runbooks (*.md) found in ${empty}: nothing was checked\n`);
    const json = await runMd(["check", empty, "--format", "json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, files: [], errors: 0, warnings: 0 });
  });

  it("prints one lint-style line per problem in every file, a summary, and exits 2", async () => {
    const dir = "packages/core/test/fixtures/broken";
    const { code, stdout } = await runMd(["check", dir]);
    const count = readdirSync(path.join(fixtures, "broken")).filter((f) =>
      f.endsWith(".md"),
    ).length;
    const lines = stdout.trimEnd().split("\n");
    expect(lines.slice(-2)).toEqual([
      "",
      `✗ ${count} problems (${count} errors, 0 warnings) in ${count} of ${count} runbooks`,
    ]);
    const problems = lines.slice(0, -2);
    expect(problems).toHaveLength(count);
    expect(problems).toContain(
      `${dir}/unknown-attribute.md:10:17 error unknown attribute "engien" (did you mean "engine"?) [unknown-attribute]`,
    );
    expect(problems).toContain(
      `${dir}/expect-single-equals.md:15:6 error expected a comparison, found "=" (did you mean "=="?) [expect-syntax]`,
    );
    for (const line of problems) expect(line).toMatch(/^\S+\.md:\d+:\d+ error .+ \[[a-z-]+\]$/);
    expect(code).toBe(2);
  });

  it("reports all five problems of one file", async () => {
    const { file, code, stdout } = await checkText(
      "five.md",
      "---\ntitle: Five\nseverity: urgent\nscedule: nightly\n---\n\n```sql q engien=athena timeout=5minutes\nSELECT {{nope}}\n```\n",
    );
    expect(
      stdout
        .split("\n")
        .filter((l) => l.startsWith(file))
        .map((l) => l.split(" ")[0]),
    ).toEqual([`${file}:3:11`, `${file}:4:1`, `${file}:7:10`, `${file}:7:32`, `${file}:8:8`]);
    expect(stdout).toContain("✗ 5 problems (5 errors, 0 warnings) in 1 of 1 runbook\n");
    expect(code).toBe(2);
  });

  it("checks the columns of a step that uses an undeclared parameter; a quoted or malformed one is not echoed", async () => {
    const { file, stdout } = await checkText(
      "undeclared.md",
      [
        "---\ntitle: U\nparams:\n  x: { type: string, default: a }\n---\n",
        "```sql who\nSELECT nosuch FROM cloudtrail_logs WHERE useridentity.arn = {{who}}\n```\n",
        '```sql quoted\nSELECT 1 FROM cloudtrail_logs WHERE eventsource = "{{x}}"\n```\n',
        "```sql bad\nSELECT 1 FROM cloudtrail_logs WHERE eventname = {{ 1x }} AND nosuch = 1\n```\n",
      ].join("\n"),
    );
    const problems = stdout.split("\n").filter((l) => l.startsWith(file));
    expect(problems.map((l) => l.slice(file.length + 1).replace(/ .* \[/, " ["))).toEqual([
      "8:8 [sql-column]",
      "8:61 [undeclared-param]",
      "12:52 [quoted-param]",
      "16:49 [bad-template]",
    ]);
  });

  it("prints warnings but exits 0 when there are no errors", async () => {
    const { file, code, stdout } = await checkText(
      "warn.md",
      "---\ntitle: W\nparams:\n  x:\n    type: string\n---\n\n```sql\nSELECT 1\n```\n",
    );
    expect(stdout).toBe(
      `${file}:4:3 warning parameter "x" is declared but no step uses it [unused-param]\n\n! 1 problem (0 errors, 1 warning) in 1 of 1 runbook\n`,
    );
    expect(code).toBe(0);
  });

  it("prints JSON with --format json and --json", async () => {
    const broken = path.join(fixtures, "broken", "bad-timeout.md");
    const valid = path.join(fixtures, "valid", "minimal.md");
    const { code, stdout } = await runMd(["check", "--format", "json", rel(broken), rel(valid)]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      errors: 1,
      warnings: 0,
      files: [
        {
          path: rel(broken),
          ok: false,
          diagnostics: [
            {
              file: rel(broken),
              line: 10,
              column: 25,
              severity: "error",
              rule: "invalid-attribute",
              message:
                'invalid timeout "5minutes": expected a duration such as 30s, 5m or 1h, at most 24h',
            },
          ],
        },
        { path: rel(valid), ok: true, diagnostics: [] },
      ],
    });
    const again = await runMd(["check", "--json", rel(valid)]);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, errors: 0, files: [{ ok: true }] });
    expect(again.code).toBe(0);
  });

  it("checks runbooks/ by default", async () => {
    const project = path.join(tmp, "project");
    mkdirSync(path.join(project, "runbooks"), { recursive: true });
    writeFileSync(path.join(project, "runbooks", "a.md"), `---\ntitle: A\n---\n${STEP}`);
    writeFileSync(path.join(project, "runbooks", "README.md"), "# Not a runbook\n");
    const { code, stdout } = await runMd(["check"], project);
    expect(stdout).toBe("✓ 1 runbook checked, no problems\n");
    expect(code).toBe(0);
  });

  it("reports two runbooks with the same id", async () => {
    const dir = path.join(tmp, "dupes");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "a.md"), `---\ntitle: A\nid: same\n---\n${STEP}`);
    writeFileSync(path.join(dir, "b.md"), `---\ntitle: B\nid: same\n---\n${STEP}`);
    const { code, stdout } = await runMd(["check", dir]);
    expect(stdout.split("\n").slice(0, 2)).toEqual([
      `${dir}/a.md:1:1 error duplicate runbook id "same" (also ${dir}/b.md): set another id: in one of them, or rename its file [duplicate-runbook-id]`,
      `${dir}/b.md:1:1 error duplicate runbook id "same" (also ${dir}/a.md): set another id: in one of them, or rename its file [duplicate-runbook-id]`,
    ]);
    expect(code).toBe(2);
  });

  it("counts ids that differ in case only as one (one folder on macOS and Windows)", async () => {
    const dir = path.join(tmp, "dupes-case");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "a.md"), "---\ntitle: A\nid: Root-Login\n---\n");
    writeFileSync(path.join(dir, "root-login.md"), "---\ntitle: B\n---\n");
    const { code, stdout } = await runMd(["check", dir]);
    expect(stdout).toContain(
      `${dir}/a.md:1:1 error duplicate runbook id "Root-Login" (also ${dir}/root-login.md, as "root-login")`,
    );
    expect(code).toBe(2);
  });

  it("passes on the project's own runbook library", async () => {
    const { code, stdout } = await runMd(["check", "runbooks"]);
    expect(stdout).toMatch(/^✓ \d+ runbooks checked, no problems\n$/);
    expect(code).toBe(0);
  });

  it("exits 2 with a clear message on an unknown flag, a bad format or a missing path", async () => {
    const flag = await runMd(["check", "--strict"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr.split("\n")[0]).toBe(
      'error unknown option "--strict" for run-md check (see run-md check --help)',
    );
    const format = await runMd(["check", "--format", "xml", "packages/core/test/fixtures/valid"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toBe('error unknown format "xml": expected text or json\n');
    const missing = await runMd(["check", "no/such/dir"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "error no such file or directory: no/such/dir\nhint: give runbook files or folders that hold them, such as runbooks/\n",
    );
  });
});
