import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/report.ts";
import { BIN, REPO } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";

/** The planted attacker's long-term key in the sample data (packages/generator). */
const PLANTED_KEY = "AKIAEXAMPLEMALLORY01";
/** AWS's documented GuardDuty sample, an IAM-user finding (see its README for the source). */
const SAMPLE = path.join(REPO, "packages/core/test/fixtures/events/guardduty-iam-finding.json");

// biome-ignore lint/suspicious/noExplicitAny: events and reports as parsed JSON
type Json = Record<string, any>;

/** The documented sample with its placeholders filled: the key, and a time in the data's range. */
function finding(key: string, time: Date): Json {
  const event = JSON.parse(readFileSync(SAMPLE, "utf8")) as Json;
  expect(event.detail.resource.accessKeyDetails.accessKeyId).toBe("GeneratedFindingAccessKeyId");
  event.detail.resource.accessKeyDetails.accessKeyId = key;
  event.time = time.toISOString().replace(/\.\d{3}Z$/, "Z");
  return event;
}

/** Every CloudTrail record of a log directory, read straight from the files. */
function records(dir: string): Json[] {
  const out: Json[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".json.gz"))
        out.push(...JSON.parse(gunzipSync(readFileSync(p)).toString()).Records);
    }
  };
  walk(dir);
  return out;
}

// The shared week with the planted incidents (test/sample-data.ts), read only; the findings
// happen at its end.
const logDir = inject("sampleData").incidents;
const now = sampleWindow(logDir).end;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-trigger-"));
});

async function trigger(event: Json, extra: string[] = []) {
  const file = path.join(work, `event-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(event));
  const reports = await mkdtemp(path.join(work, "reports-"));
  const res = await runMd([
    "trigger",
    file,
    "--log-dir",
    logDir,
    "--reports-dir",
    reports,
    ...extra,
  ]);
  return { ...res, reports };
}

describe("run-md trigger on AWS's documented GuardDuty finding", () => {
  it("runs the access-key runbooks for the planted key and finds what it did", async () => {
    const res = await trigger(finding(PLANTED_KEY, now), ["--json"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout) as {
      matched: { runbook: string; params: Json; window: { start: string; end: string } }[];
      skipped: { runbook: string; reason: string }[];
      reports: RunReport[];
    };
    expect(out.matched.map((m) => m.runbook).sort()).toEqual([
      "access-key-activity",
      "access-key-lifecycle",
    ]);
    expect(out.skipped.find((s) => s.runbook === "audit-iam")?.reason).toBe("it has no triggers");
    const activity = out.reports.find((r) => r.runbook.id === "access-key-activity")!;
    // The configured runbooks folder as typed from here, as run names it (not the absolute path).
    expect(activity.runbook.path).toBe("runbooks/access-key-activity.md");
    expect(activity.params).toEqual({ access_key_id: PLANTED_KEY });
    // The window: 7 days before the finding's time, one hour after.
    const t = Math.floor(now.getTime() / 1000) * 1000;
    expect(activity.window.start).toBe(
      new Date(t - 7 * 86_400_000).toISOString().replace(".000Z", "Z"),
    );
    expect(activity.window.end).toBe(new Date(t + 3_600_000).toISOString().replace(".000Z", "Z"));

    // Truth from the raw files: the identity and logging changes made with the key.
    const truth = records(logDir)
      .filter(
        (r) =>
          r.userIdentity?.accessKeyId === PLANTED_KEY &&
          ["iam.amazonaws.com", "cloudtrail.amazonaws.com", "sts.amazonaws.com"].includes(
            r.eventSource,
          ) &&
          r.readOnly === false &&
          r.errorCode === undefined,
      )
      .map((r) => r.eventName)
      .sort();
    // (incident 21's login profile, SAML provider and MFA deactivation are made with it too, and
    // incident 24's password policy)
    expect(truth).toEqual([
      "AttachUserPolicy",
      "CreateAccessKey",
      "CreateLoginProfile",
      "CreateSAMLProvider",
      "DeactivateMFADevice",
      "GetFederationToken",
      "PutEventSelectors",
      "StopLogging",
      "UpdateAccountPasswordPolicy",
    ]);
    const step = activity.steps.find((s) => s.id === "key_changes")!;
    expect(step.status).toBe("failed");
    const col = step.columns.findIndex((c) => c.name === "eventname");
    expect(step.rows.map((row) => row[col]).sort()).toEqual(truth);
    expect(JSON.stringify(step.rows)).toContain("user/mallory");
    expect(activity.status).toBe("failed");

    const lifecycle = out.reports.find((r) => r.runbook.id === "access-key-lifecycle")!;
    expect(lifecycle.steps.find((s) => s.id === "keys_for_others")!.status).toBe("failed");
  });

  it("runs them for another key too, which did nothing: they pass", async () => {
    const res = await trigger(finding("AKIAIOSFODNN7EXAMPLE", now), ["--json"]);
    const out = JSON.parse(res.stdout) as { reports: RunReport[] };
    const activity = out.reports.find((r) => r.runbook.id === "access-key-activity")!;
    expect(activity.params).toEqual({ access_key_id: "AKIAIOSFODNN7EXAMPLE" });
    expect(activity.steps.find((s) => s.id === "key_changes")!.rows).toEqual([]);
    expect(activity.status).toBe("passed");
  });

  it("says in --json when an event that just happened can be run again for its whole window", async () => {
    const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const res = await trigger(finding("AKIAIOSFODNN7EXAMPLE", time), ["--json"]);
    const out = JSON.parse(res.stdout) as { again?: string; matched: unknown[] };
    expect(out.matched).toHaveLength(2);
    // The window's end (the trigger's hour after the event) and CloudTrail's hour of delivery.
    expect(out.again).toBe(new Date(time.getTime() + 2 * 3_600_000).toISOString());
  });

  it("says why the documented sample itself does not run the key runbook (its key is a placeholder)", async () => {
    const res = await trigger(finding(PLANTED_KEY, now), ["--dry-run"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `▸ runs access-key-activity: its trigger matched (access_key_id=${PLANTED_KEY}, window `,
    );
    const placeholder = JSON.parse(readFileSync(SAMPLE, "utf8")) as Json;
    placeholder.time = now.toISOString();
    const dry = await trigger(placeholder, ["--dry-run"]);
    // The pattern matched, so the runbook should have run and could not: an error, not a pass.
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain(
      '✗ cannot run access-key-activity: the pattern matched but parameter "access_key_id" (from the event\'s $.detail.resource.accessKeyDetails.accessKeyId): expected a value matching the pattern',
    );
    expect(dry.stderr).toContain(
      "error the event matched access-key-activity but could not give its parameters or window (✗ above): not run",
    );
    // The lifecycle runbook maps no parameter, so it still runs.
    expect(dry.stdout).toContain("▸ runs access-key-lifecycle: its trigger matched");
    // An event without a valid time gives no window: named, as a parameter is (spec audit: the
    // last line spoke of parameters only).
    const timeless = { ...finding(PLANTED_KEY, now), time: "yesterday" };
    const untimed = await trigger(timeless, ["--dry-run"]);
    expect(untimed.code).toBe(2);
    expect(untimed.stdout).toContain(
      '✗ cannot run access-key-lifecycle: the pattern matched but the event has no valid "time" (found "yesterday"',
    );
    expect(untimed.stderr).toMatch(
      /could not give their parameters or window \(✗ above\): not run/,
    );
  });

  it("skips every runbook for an event no trigger matches, and writes nothing", async () => {
    const low = finding(PLANTED_KEY, now);
    low.detail.severity = 2;
    const res = await trigger(low);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      '· skips access-key-activity: detail.severity is 2, which does not match [{"numeric":[">=",4]}]',
    );
    expect(readdirSync(res.reports)).toEqual([]);
  });

  it("reads the event from standard input", async () => {
    const child = spawn(process.execPath, [BIN, "trigger", "--dry-run"], {
      cwd: REPO,
      env: { ...process.env, CI: "1", NO_COLOR: "1" },
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stdin.end(JSON.stringify(finding(PLANTED_KEY, now)));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stdout).toContain("▸ runs access-key-activity");
  });

  it("rejects an event that is not JSON, naming the file, with exit 2", async () => {
    const file = path.join(work, "broken.json");
    await writeFile(file, '{"source": "aws.guardduty",');
    const res = await runMd(["trigger", file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`error ${file}: not JSON (line 1, column 28): `);
    const missing = await runMd(["trigger", path.join(work, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("event file not found");
  });

  it("exits 2, never 0 with nothing run, for input that is no EventBridge event or no runbook", async () => {
    // An SNS message wrapping the finding, and the finding's bare detail.
    const event = finding(PLANTED_KEY, new Date());
    const sns = { Type: "Notification", Message: JSON.stringify(event) };
    for (const [name, input] of [
      ["sns.json", sns],
      ["detail.json", event.detail],
    ] as const) {
      const file = path.join(work, name);
      await writeFile(file, JSON.stringify(input));
      const res = await runMd(["trigger", file]);
      expect([name, res.code]).toEqual([name, 2]);
      expect(res.stderr).toContain(`error ${file}: not an EventBridge event: it has no "source"`);
    }
    // 120,000 nested lists in 241 KB overflowed the pattern matcher's stack.
    const deep = path.join(work, "deep.json");
    const lists = `${"[".repeat(120_000)}${"]".repeat(120_000)}`;
    await writeFile(
      deep,
      `{"source":"aws.guardduty","detail-type":"x","detail":{"type":${lists}}}`,
    );
    const nested = await runMd(["trigger", deep]);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain(`error ${deep}: nested 120002 levels deep`);
    const file = path.join(work, "event.json");
    await writeFile(file, JSON.stringify(event));
    const empty = path.join(work, "no-runbooks");
    await mkdir(empty, { recursive: true });
    const none = await runMd(["trigger", file, "--runbooks", empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`error no runbooks (*.md) found in ${empty}`);
  });
});

describe("a triggered runbook whose trigger leaves a required parameter without a value", () => {
  it("errors with a hint to map it from the event (not the command line's --param)", async () => {
    const dir = await mkdtemp(path.join(work, "runbooks-"));
    await writeFile(
      path.join(dir, "who.md"),
      [
        "---",
        "title: Who",
        "params:",
        "  user: { type: string }",
        "triggers:",
        "  - pattern: { source: [aws.guardduty] }",
        "---",
        "",
        "```sql s",
        "SELECT {{user}} AS u",
        "```",
        "",
      ].join("\n"),
    );
    const res = await trigger(finding(PLANTED_KEY, now), ["--runbooks", dir, "--json"]);
    expect(res.code).toBe(2);
    const out = JSON.parse(res.stdout) as { reports: RunReport[] };
    expect(out.reports[0]?.error).toMatchObject({
      code: "missing-param",
      message: 'parameter "user" is required by runbook who and has no value',
      hint: "Map it from the event under the trigger's params: (a JSON path such as $.detail.id), give it a default, or set params.who.user in run-md.config.yaml.",
    });
  });
});
