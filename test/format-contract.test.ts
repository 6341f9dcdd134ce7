/**
 * The runbook format's contract (../shared/spec/runbook-format.md) through the CLI, on runbooks
 * and CloudTrail files written here: each expectation is the spec's sentence, read by hand on
 * these few records, not what the code computes.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { runMdHere as runMd } from "./in-process.ts";

/** Three events: at the window's start, a second before its end, and at its end. */
const EVENTS = [
  ["at-start", "2026-11-20T10:00:00Z", "alice"],
  ["before-end", "2026-11-20T10:59:59Z", "bob"],
  ["at-end", "2026-11-20T11:00:00Z", "bob"],
].map(([id, time, user]) => ({
  eventVersion: "1.08",
  eventTime: time,
  eventSource: "iam.amazonaws.com",
  eventName: "CreateUser",
  awsRegion: "us-east-1",
  sourceIPAddress: "192.0.2.1",
  userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111122223333:user/${user}`, userName: user },
  recipientAccountId: "111122223333",
  eventID: id,
}));

const HOUR = ["--from", "2026-11-20T10:00:00Z", "--to", "2026-11-20T11:00:00Z"];

let dir: string;

async function runbook(name: string, text: string): Promise<string> {
  const file = path.join(dir, "runbooks", `${name}.md`);
  await writeFile(file, text);
  return file;
}

async function run(file: string, args: string[]) {
  const res = await runMd(["run", file, "--log-dir", path.join(dir, "logs"), ...args], {
    cwd: dir,
  });
  const reports = res.stdout.trim().startsWith("[") ? (JSON.parse(res.stdout) as RunReport[]) : [];
  return { ...res, report: reports[0] };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "format-contract-"));
  await mkdir(path.join(dir, "logs"));
  await mkdir(path.join(dir, "runbooks"));
  await writeFile(path.join(dir, "logs", "events.json"), JSON.stringify({ Records: EVENTS }));
});

describe("§4 the time window", () => {
  it("is half-open on every dialect: an event at its start is in it, one at its end is not", async () => {
    const file = await runbook(
      "window-edges",
      [
        "---",
        "title: Window edges",
        "---",
        "",
        "```sql ids",
        "SELECT eventid, {{start}} AS s, {{end}} AS e, {{start_date}} AS sd, {{end_date}} AS ed",
        "FROM cloudtrail_logs ORDER BY eventid",
        "```",
        "",
        "```logs-insights ids_insights",
        "fields eventID | sort eventID asc",
        "```",
        "",
      ].join("\n"),
    );
    const { code, report } = await run(file, [...HOUR, "--json"]);
    expect(code).toBe(0);
    expect(report!.window).toMatchObject({
      start: "2026-11-20T10:00:00Z",
      end: "2026-11-20T11:00:00Z",
    });
    const [sql, insights] = report!.steps;
    expect(sql!.rows).toEqual([
      ["at-start", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", "2026/11/20", "2026/11/20"],
      ["before-end", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", "2026/11/20", "2026/11/20"],
    ]);
    expect(insights!.rows).toEqual([["at-start"], ["before-end"]]);
  });

  it("is the CLI's --since, else the front matter's window:, else 24h (each ending at --to)", async () => {
    const withWindow = await runbook(
      "window-1h",
      "---\ntitle: One hour\nwindow: 1h\n---\n\n```sql s allow_empty\nSELECT eventid FROM cloudtrail_logs\n```\n",
    );
    const without = await runbook(
      "window-default",
      "---\ntitle: Default window\n---\n\n```sql s allow_empty\nSELECT eventid FROM cloudtrail_logs\n```\n",
    );
    const to = ["--to", "2026-11-20T12:00:00Z", "--json"];
    const cases: [string, string[], string, string][] = [
      [withWindow, ["--since", "2h"], "2026-11-20T10:00:00Z", "--since 2h"],
      [withWindow, [], "2026-11-20T11:00:00Z", "window: 1h"],
      [without, [], "2026-11-19T12:00:00Z", "default 24h"],
    ];
    for (const [file, args, start, source] of cases) {
      const { report } = await run(file, [...args, ...to]);
      expect(report!.window, source).toEqual({
        start,
        end: "2026-11-20T12:00:00Z",
        source: `${source} --to 2026-11-20T12:00:00Z`,
      });
    }
  });
});

describe("§3 parameter values", () => {
  it("come from default:, then the configuration, then --param, each over the one before", async () => {
    const file = await runbook(
      "layers",
      [
        "---",
        "title: Layers",
        "params:",
        "  a: { type: string, default: from-default }",
        "  b: { type: string, default: from-default }",
        "  c: { type: integer, default: 1 }",
        "---",
        "",
        "```sql values",
        "SELECT {{a}} AS a, {{b}} AS b, {{c}} AS c FROM cloudtrail_logs LIMIT 1",
        "```",
        "",
      ].join("\n"),
    );
    const config = path.join(dir, "layers.config.yaml");
    await writeFile(config, "params:\n  layers:\n    b: from-config\n    c: 2\n");
    const plain = await run(file, [...HOUR, "--json"]);
    expect(plain.report!.steps[0]!.rows).toEqual([["from-default", "from-default", 1]]);
    const configured = await run(file, [...HOUR, "--config", config, "--json"]);
    expect(configured.report!.steps[0]!.rows).toEqual([["from-default", "from-config", 2]]);
    const given = await run(file, [
      ...HOUR,
      ...["--config", config, "--param", "b=from-cli", "--param", "c=3", "--json"],
    ]);
    expect(given.report!.steps[0]!.rows).toEqual([["from-default", "from-cli", 3]]);
    expect(given.report!.params).toEqual({ a: "from-default", b: "from-cli", c: 3 });
  });
});

describe("§5 and §6: each outcome and its exit code", () => {
  const step = (attrs: string, checks: string[], id = "events") =>
    [
      `\`\`\`sql ${id} ${attrs}`,
      "SELECT eventid, useridentity.username AS actor FROM cloudtrail_logs",
      "```",
      "",
      "```expect",
      ...checks,
      "```",
      "",
    ].join("\n");
  const file = (name: string, body: string) => runbook(name, `---\ntitle: ${name}\n---\n\n${body}`);

  it.each([
    // Two events in the hour: alice's and bob's.
    ["passed", step("", ["rows == 2", "distinct(ACTOR) == 2"]), 0, "passed"],
    ["warned", step("", ["warn: rows == 0 # look, don't page", "rows == 2"]), 0, "warned"],
    [
      "optional",
      `${step("optional", ["rows == 0"])}${step("", ["rows == 2"], "more")}`,
      0,
      "warned",
    ],
    ["failed", step("", ["no actor == 'bob'"]), 1, "failed"],
    // A check on a column the result does not have is an error, never a pass.
    ["missing-column", step("", ["warn: no nosuch == 'x'"]), 2, "errored"],
  ])("%s", async (name, body, exit, status) => {
    const f = await file(name, body);
    const { code, report } = await run(f, [...HOUR, "--json"]);
    expect([code, report?.status]).toEqual([exit, status]);
  });

  it("a window without events is an error of the step, and allow_empty judges the empty result", async () => {
    const day = ["--from", "2026-11-22T00:00:00Z", "--to", "2026-11-23T00:00:00Z", "--json"];
    const empty = await run(await file("no-data", step("", ["rows == 0"])), day);
    expect([empty.code, empty.report?.status, empty.report?.steps[0]?.error?.code]).toEqual([
      2,
      "errored",
      "no-data",
    ]);
    // On an empty result rows, count, distinct and sum are 0; min, max and avg hold; every
    // and no hold, some does not.
    const checks = [
      "rows == 0",
      "count(actor) == 0",
      "distinct(actor) == 0",
      "sum(eventid) == 0",
      "min(eventid) > 5",
      "max(eventid) < -5",
      "avg(eventid) == 7",
      "every actor == 'nobody'",
      "no actor is null",
      "some actor is null",
    ];
    const allowed = await run(await file("allowed", step("allow_empty", checks)), day);
    expect(allowed.code).toBe(1);
    expect(allowed.report!.steps[0]!.checks!.map((c) => [c.check, c.status])).toEqual(
      checks.map((c) => [c, c.startsWith("some") ? "failed" : "passed"]),
    );
  });

  it("a bad parameter or a runbook that does not parse exits 2 before anything runs, and names it", async () => {
    const bad = await runbook(
      "bad-param",
      "---\ntitle: Bad\nparams:\n  n: { type: integer, max: 10 }\n---\n\n```sql s\nSELECT {{n}} AS n\n```\n",
    );
    const param = await run(bad, [...HOUR, "--param", "n=11"]);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain('parameter "n" (from --param): expected a value <= 10');
    const broken = await runbook(
      "broken",
      "---\ntitle: Broken\n---\n\n```sql s\nSELECT 1 AS n\n```\n\n```expect\nrows = 1\n```\n",
    );
    const parse = await run(broken, HOUR);
    expect(parse.code).toBe(2);
    expect(parse.stdout + parse.stderr).toContain("broken.md:10:6");
    expect(existsSync(path.join(dir, "reports", "bad-param"))).toBe(false);
    expect(existsSync(path.join(dir, "reports", "broken"))).toBe(false);
  });
});
