import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { RunReport } from "@run-md/core";
import { investigationDigest } from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { inTurn } from "../../../test/in-process.ts";
import { sampleWindow } from "../../../test/sample-data.ts";
import { handleEvent } from "../src/automation/handler.ts";
import { handler } from "../src/lambda.ts";

const REPO = path.resolve(import.meta.dirname, "../../..");
const SAMPLE_EVENT = path.join(
  REPO,
  "packages/core/test/fixtures/events/guardduty-iam-finding.json",
);
const TOPIC = "arn:aws:sns:us-east-1:111122223333:security-alerts";
const KEY = "AKIAEXAMPLEMALLORY01";

// biome-ignore lint/suspicious/noExplicitAny: events and reports as parsed JSON
type Json = Record<string, any>;
let emulator: Emulator;
let work: string;
let configFile: string;
// The shared week with the planted incidents (test/sample-data.ts), read only; the findings
// happen at its end.
const sampleDir = inject("sampleData").incidents;
const now = sampleWindow(sampleDir).end;
let slack: { url: string; bodies: Json[]; close(): void };

/** A configuration of the sample data and one Slack target, told once (no retry by default). */
function slackConfig(
  file: string,
  url: string,
  retry = "{ attempts: 1, backoffMs: 1 }",
): Promise<void> {
  return writeFile(
    file,
    [
      `local: { logDir: ${JSON.stringify(sampleDir)} }`,
      "notify:",
      `  retry: ${retry}`,
      `  targets: [{ type: slack, url: ${JSON.stringify(url)} }]`,
      "",
    ].join("\n"),
  );
}

/** The Lambda's environment over `config`, reports under `prefix`, a fresh reports folder. */
async function lambdaEnv(config: string, prefix: string, tmp: string): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    RUN_MD_CONFIG: config,
    RUN_MD_REPORTS_PREFIX: prefix,
    RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, `${tmp}-`)),
  };
}

/** The planted key's n-th GuardDuty finding of a series (its own event and finding ids). */
function nthFinding(n: number, series: string, prefix: string): Json {
  const e = guardDuty(KEY);
  e.id = `0b1c2d3e-0000-4000-8000-00000000${series}0${n}`;
  e.detail.id = `${prefix}6afba5c5c43e07c9e3e5e2e544e95e${n}`;
  return e;
}

/** The alert state object in S3 under the reports prefix, and the planted key's entry's key. */
function stateOf(prefix: string): { stateKey: string; stored: Json; key: string } {
  const stateKey = `security-reports/${prefix}.notify-state.json`;
  const stored = JSON.parse(emulator.objects.get(stateKey)!.body.toString()) as Json;
  const key = `access-key-activity#${investigationDigest("access-key-activity", { access_key_id: KEY })}`;
  return { stateKey, stored, key };
}

/** The planted key's investigation failing in the stored state, every target told, unclaimed. */
function expectSettled(prefix: string): void {
  const { stored, key } = stateOf(prefix);
  expect(stored.runbooks[key]?.failing).toBe(true);
  expect(stored.runbooks[key]?.untold).toBeUndefined();
  expect(stored.runbooks[key]?.claimedUntil).toBeUndefined();
}

/**
 * The alert state in S3 as an invocation or task that died after claiming the planted key's
 * investigation left it: claimed by `claimant` for 15 minutes, Slack not told yet. Whether the
 * state held the investigation failing.
 */
function deadClaim(prefix: string, claimant: string): boolean {
  const { stateKey, stored, key } = stateOf(prefix);
  const failing = stored.runbooks[key]?.failing === true;
  Object.assign(stored.runbooks[key], {
    untold: ["slack"],
    claimedUntil: new Date(Date.now() + 15 * 60_000).toISOString(),
    claimedBy: claimant,
  });
  emulator.objects.set(stateKey, {
    ...emulator.objects.get(stateKey)!,
    body: Buffer.from(JSON.stringify(stored)),
    etag: `"dead-${claimant}"`,
  });
  return failing;
}

/** AWS's documented GuardDuty finding with the planted key and a time in the sample data. */
function guardDuty(key = KEY): Json {
  const event = JSON.parse(readFileSync(SAMPLE_EVENT, "utf8"));
  event.detail.resource.accessKeyDetails.accessKeyId = key;
  event.time = now.toISOString();
  return event;
}

async function slackReceiver() {
  const { createServer } = await import("node:http");
  const bodies: Json[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      bodies.push(JSON.parse(text));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => server.close() };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-automation-"));
  // Every call kept: a test counts PutObject calls before and after, which dropping the oldest
  // calls past the default 1,000 would change.
  emulator = await startEmulator({ logDir: sampleDir, maxRecordedCalls: 1_000_000 });
  slack = await slackReceiver();
  await writeFile(
    path.join(work, "no-notify.yaml"),
    `local: { logDir: ${JSON.stringify(sampleDir)} }\n`,
  );
  configFile = path.join(work, "run-md.config.yaml");
  await writeFile(
    configFile,
    [
      `local: { logDir: ${JSON.stringify(sampleDir)} }`,
      "site: { url: https://sec.example.com/runbooks }",
      "notify:",
      "  retry: { attempts: 2, backoffMs: 5 }",
      "  targets:",
      `    - { type: slack, url: ${JSON.stringify(slack.url)} }`,
      `    - { type: sns, topicArn: ${TOPIC}, endpoint: ${JSON.stringify(emulator.endpoint)} }`,
      "",
    ].join("\n"),
  );
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("RUN_MD_CONFIG", configFile);
  vi.stubEnv("RUN_MD_RUNBOOKS_DIR", path.join(REPO, "runbooks"));
  vi.stubEnv("RUN_MD_REPORTS_BUCKET", "security-reports");
  vi.stubEnv("RUN_MD_S3_ENDPOINT", emulator.endpoint);
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  slack?.close();
  await emulator?.close();
});

describe("the Lambda handler, invoked in-process with EventBridge events", () => {
  it("runs the key runbooks for a GuardDuty finding, publishes the reports to S3 and escalates", async () => {
    // A fresh Lambda environment: nothing on local disk.
    vi.stubEnv("RUN_MD_REPORTS_DIR", await mkdtemp(path.join(work, "lambda-tmp-")));
    const result = await handler(guardDuty());
    expect(result.matched.map((m) => [m.runbook, m.status])).toEqual([
      ["access-key-activity", "failed"],
      ["access-key-lifecycle", "failed"],
    ]);
    expect(result.skipped.find((s) => s.runbook === "audit-iam")?.reason).toBe(
      "it has no triggers",
    );
    expect(result.problems).toEqual([]);

    // Each report is in the bucket, under reports/<id>/. A triggered run is an investigation:
    // it never becomes the runbook's latest.json, there as on disk (review: it replaced it).
    const keys = result.matched.find((m) => m.runbook === "access-key-activity")!.reportKeys!;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^reports\/access-key-activity\/\d{4}-\d\d-\d\dT[\d-]+\.\d{3}Z\.json$/);
    const stored = JSON.parse(
      emulator.objects.get(`security-reports/${keys[0]}`)!.body.toString(),
    ) as RunReport;
    expect(stored.kind).toBe("investigation");
    expect(stored.params).toEqual({ access_key_id: KEY });
    // The planted key's identity, sign-in and logging changes and the federation token it minted
    // (test/trigger-e2e.test.ts counts them from the raw records).
    expect(stored.steps.find((s) => s.id === "key_changes")!.rowCount).toBe(9);
    expect(emulator.objects.has("security-reports/reports/access-key-activity/latest.json")).toBe(
      false,
    );

    // One Slack message and one SNS message for both runbooks; the alert state is in S3.
    expect(result.notifications.map((n) => [n.target, n.ok, n.alerts])).toEqual([
      ["slack", true, 2],
      ["sns", true, 2],
    ]);
    expect(slack.bodies).toHaveLength(1);
    expect(slack.bodies[0]!.text).toBe("run-md: 2 runbooks failed");
    const activity = slack.bodies[0]!.blocks[0].text.text as string;
    expect(activity).toContain("Failed check: rows == 0 in step key_changes");
    expect(activity).toContain("First offender: actor = arn:aws:iam::111122223333:user/mallory");
    expect(activity).toContain("|Open this run>");
    expect(emulator.published.at(-1)!.Subject).toBe("run-md: 2 runbooks failed");
    expect(emulator.published.at(-1)!.Message).toContain(
      `What an access key did (access_key_id=${KEY}) failed`,
    );
    // Each runbook's state is of the event's investigation: the digest of the parameters the
    // event gave, or of its finding's id when the trigger maps none (access-key-lifecycle).
    const state = JSON.parse(
      emulator.objects.get("security-reports/reports/.notify-state.json")!.body.toString(),
    ) as { runbooks: Record<string, unknown> };
    expect(Object.keys(state.runbooks).sort()).toEqual([
      `access-key-activity#${investigationDigest("access-key-activity", { access_key_id: KEY })}`,
      `access-key-lifecycle#${investigationDigest("access-key-lifecycle", {}, "guardduty:16afba5c5c43e07c9e3e5e2e544e95df")}`,
    ]);
  }, 180_000);

  it("does not page again for the same runbooks on the next invocation (state kept in S3)", async () => {
    vi.stubEnv("RUN_MD_REPORTS_DIR", await mkdtemp(path.join(work, "lambda-tmp-")));
    const before = slack.bodies.length;
    const result = await handler(guardDuty());
    expect(result.matched.map((m) => m.status)).toEqual(["failed", "failed"]);
    expect(result.notifications).toEqual([]);
    expect(slack.bodies.length).toBe(before);
  }, 180_000);

  it("pages for another finding of a runbook whose trigger maps no parameter, not for an update of the same (red-team)", async () => {
    vi.stubEnv("RUN_MD_REPORTS_DIR", await mkdtemp(path.join(work, "lambda-tmp-")));
    // GuardDuty publishes a finding's updates with its id kept and a new event id: no new page.
    const update = { ...guardDuty(), id: "0b1c2d3e-0000-4000-8000-000000000001" };
    let before = slack.bodies.length;
    expect((await handler(update)).notifications).toEqual([]);
    expect(slack.bodies.length).toBe(before);
    // Another finding (about the same key): access-key-activity investigates that key, already
    // failing; access-key-lifecycle maps no parameter, so the new finding is its own incident.
    const other = guardDuty();
    other.id = "0b1c2d3e-0000-4000-8000-000000000002";
    other.detail.id = "26afba5c5c43e07c9e3e5e2e544e95e0";
    before = slack.bodies.length;
    const result = await handler(other);
    expect(result.matched.map((m) => m.status)).toEqual(["failed", "failed"]);
    expect(result.notifications.map((n) => [n.target, n.ok, n.alerts])).toEqual([
      ["slack", true, 1],
      ["sns", true, 1],
    ]);
    expect(slack.bodies.length).toBe(before + 1);
    expect(JSON.stringify(slack.bodies.at(-1))).toContain("Access key lifecycle");
    // The alert names what the event gave (nothing here), not the runbook's default parameters
    expect(emulator.published.at(-1)!.Subject).toBe(
      "run-md: Access key lifecycle failed (severity high)",
    );
  }, 180_000);

  it("findings about one key arriving at once page once for the key's investigation, not once per invocation (red-team)", async () => {
    // GuardDuty raises several findings for one leaked key within seconds (each finding type its
    // own event): each is a Lambda invocation of its own, with its own /tmp, at the same time.
    // access-key-activity investigates the key: one investigation, told once.
    const prefix = "burst/";
    // A chat that takes its time to answer (Slack under load): the first invocation's message is
    // still on its way when the others have run and look at the state.
    const { createServer } = await import("node:http");
    const bodies: string[] = [];
    const chat = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => {
        text += c;
      });
      req.on("end", () => {
        bodies.push(text);
        setTimeout(() => res.writeHead(200).end("ok"), 20_000);
      });
    });
    await new Promise<void>((r) => chat.listen(0, "127.0.0.1", r));
    const chatUrl = `http://127.0.0.1:${(chat.address() as { port: number }).port}/hook`;
    const config = path.join(work, "burst.yaml");
    await slackConfig(config, chatUrl, "{ attempts: 1, timeoutMs: 60000 }");
    const env = () => lambdaEnv(config, prefix, "lambda-burst");
    const finding = (n: number) => nthFinding(n, "01", "3");
    const results = await Promise.all(
      [1, 2, 3].map(async (n) => handleEvent(finding(n), { env: await env(), log: () => {} })),
    ).finally(() => chat.close());
    for (const r of results) {
      expect(r.matched.find((m) => m.runbook === "access-key-activity")?.status).toBe("failed");
    }
    const told = bodies.filter((b) => b.includes("What an access key did"));
    expect(told).toHaveLength(1);
    // The state stored names the key's investigation, failing, and nobody is left untold.
    const { stored, key } = stateOf(prefix);
    expect(stored.runbooks[key]?.failing).toBe(true);
    expect(stored.runbooks[key]?.untold).toBeUndefined();
  }, 240_000);

  it("a retry of the invocation that died after claiming its alert tells it; another invocation, of the same event or another, still leaves it to the claim (red-team)", async () => {
    // Lambda runs an invocation that failed (a timeout, out of memory) again, with its request
    // id, a minute or two later, well within the claim's 15 minutes: the retry took its own dead
    // attempt's claim for another invocation's, and the key's investigation was told by nobody.
    // One event matched by two runbooks' rules is two invocations at once, with one event id:
    // those must not take each other's claims.
    const prefix = "retry/";
    const chat = await slackReceiver();
    try {
      const config = path.join(work, "retry.yaml");
      await slackConfig(config, chat.url);
      const env = () => lambdaEnv(config, prefix, "lambda-retry");
      const finding = (n: number) => nthFinding(n, "02", "4");
      const told = () =>
        chat.bodies.filter((b) => JSON.stringify(b).includes("What an access key did"));
      const invoke = async (n: number, request: string) =>
        handleEvent(finding(n), { env: await env(), log: () => {}, claimant: request });
      await invoke(1, "request-1");
      expect(told()).toHaveLength(1);
      // The state as finding 1's invocation left it had it died after its claim: the key's
      // investigation claimed by it, nobody told yet.
      expect(deadClaim(prefix, "request-1")).toBe(true);
      chat.bodies.length = 0;
      // Another finding about the key, and finding 1 through another rule: the claim stands
      // (its holder may still be sending).
      await invoke(2, "request-2");
      await invoke(1, "request-3");
      expect(told()).toHaveLength(0);
      // Lambda's retry of finding 1's invocation: its own claim, told.
      await invoke(1, "request-1");
      expect(told()).toHaveLength(1);
      expectSettled(prefix);
    } finally {
      chat.close();
    }
  }, 240_000);

  it("a retry of a container task that died after claiming its alert tells it when the task names its attempt (RUN_MD_CLAIMANT); another task still leaves it to the claim", async () => {
    // Step Functions retries a failed ECS task (OOM, a timeout) with the same execution and
    // state: RUN_MD_CLAIMANT set from them is the same for the retry and for no other task.
    // Without it the container claimed as nobody, and its retry left its own dead attempt's
    // claim to run out, then to another event, which an investigation may never get.
    const prefix = "container-retry/";
    const chat = await slackReceiver();
    try {
      const dir = await mkdtemp(path.join(work, "container-retry-"));
      const config = path.join(dir, "run-md.config.yaml");
      await slackConfig(config, chat.url);
      const eventFile = path.join(dir, "event.json");
      await writeFile(eventFile, JSON.stringify(guardDuty(KEY)));
      const told = () =>
        chat.bodies.filter((b) => JSON.stringify(b).includes("What an access key did"));
      const task = async (claimant?: string) =>
        inTurn(async () => (await import("../src/container.ts")).containerMain, [eventFile], {
          env: {
            RUN_MD_CONFIG: config,
            RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-activity.md"),
            RUN_MD_REPORTS_DIR: await mkdtemp(path.join(dir, "reports-")),
            RUN_MD_REPORTS_PREFIX: prefix,
            ...(claimant ? { RUN_MD_CLAIMANT: claimant } : {}),
          },
        });
      expect((await task("exec-1/KeyActivity")).code).toBe(1);
      expect(told()).toHaveLength(1);
      // The state as the first task left it had it died after its claim.
      deadClaim(prefix, "container:exec-1/KeyActivity");
      chat.bodies.length = 0;
      // Another task (another execution, or none named): the claim stands.
      await task("exec-2/KeyActivity");
      await task();
      expect(told()).toHaveLength(0);
      // The retry of the task that claimed it: its own claim, told.
      await task("exec-1/KeyActivity");
      expect(told()).toHaveLength(1);
      expectSettled(prefix);
    } finally {
      chat.close();
    }
  }, 240_000);

  it("runs nothing for an event no trigger matches, and says why", async () => {
    const event = JSON.parse(
      readFileSync(
        path.join(REPO, "packages/core/test/fixtures/events/securityhub-findings-imported.json"),
        "utf8",
      ),
    );
    const puts = emulator.callsOf("PutObject").length;
    const result = await handler(event);
    expect(result.matched).toEqual([]);
    expect(result.skipped.find((s) => s.runbook === "access-key-activity")!.reason).toBe(
      'source is "aws.securityhub", which does not match ["aws.guardduty"]',
    );
    expect(emulator.callsOf("PutObject").length).toBe(puts);
  });

  it("says when to handle an event that just happened again, for the after part of its window", async () => {
    const env = async () => ({
      ...process.env,
      RUN_MD_REPORTS_BUCKET: "",
      RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-tmp-")),
      RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-lifecycle.md"),
    });
    // The finding came a minute ago: its window's hour after it is not delivered yet.
    const fresh = { ...guardDuty(), time: new Date(Date.now() - 60_000).toISOString() };
    fresh.time = `${fresh.time.slice(0, 19)}Z`;
    const r = await handleEvent(fresh, { env: await env(), log: () => {} });
    expect(r.matched.map((m) => m.runbook)).toEqual(["access-key-lifecycle"]);
    // The window's end (the trigger's default hour after) and CloudTrail's hour of delivery.
    expect(r.again).toBe(new Date(Date.parse(fresh.time) + 2 * 3_600_000).toISOString());
    // An event of two days ago was read whole.
    const old = { ...guardDuty(), time: new Date(Date.now() - 2 * 86_400_000).toISOString() };
    old.time = `${old.time.slice(0, 19)}Z`;
    const past = await handleEvent(old, { env: await env(), log: () => {} });
    expect(past.matched.map((m) => m.runbook)).toEqual(["access-key-lifecycle"]);
    expect(past).not.toHaveProperty("again");
  }, 120_000);

  it("says when to handle an event again when its window ended within CloudTrail's hour of delivery before the run", async () => {
    // The finding came 90 minutes ago (a Lambda retried, a container queued, a trigger with a
    // short `after`): its window ended 30 minutes before the run, and CloudTrail delivers an
    // event up to an hour after it happened, so the window's last events may not be delivered.
    const env = {
      ...process.env,
      RUN_MD_REPORTS_BUCKET: "",
      RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-tmp-")),
      RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-lifecycle.md"),
    };
    const late = { ...guardDuty(), time: new Date(Date.now() - 90 * 60_000).toISOString() };
    late.time = `${late.time.slice(0, 19)}Z`;
    const r = await handleEvent(late, { env, log: () => {} });
    expect(r.matched.map((m) => m.runbook)).toEqual(["access-key-lifecycle"]);
    // Its window's end (an hour after the finding) and an hour of delivery: 30 minutes from now.
    expect(r.again).toBe(new Date(Date.parse(late.time) + 2 * 3_600_000).toISOString());
  }, 120_000);

  it("names a runbook whose pattern matched but whose parameter the event could not give (round-two red-team)", async () => {
    // A lower-case key: the pattern matches, the parameter's declaration refuses the value.
    const before = slack.bodies.length;
    const event = guardDuty("akiaiosfodnn7example");
    const result = await handler(event);
    const activity = result.skipped.find((s) => s.runbook === "access-key-activity")!;
    expect(activity).toMatchObject({ unresolved: true });
    expect(activity.reason).toContain("the pattern matched but parameter");
    expect(result.problems).toEqual([
      expect.stringContaining("access-key-activity did not run: the pattern matched but parameter"),
    ]);
    // And escalated, as a run that errored, under the event's investigation (nightly hunt: the
    // Lambda's problems are read by nobody, and the finding told nobody).
    const told = JSON.stringify(slack.bodies.slice(before));
    expect(told).toContain("What an access key did errored");
    expect(told).toContain("the event matched access-key-activity's trigger but cannot run it");
    // An investigation of the event: stored beside the runbook's runs, never its latest.
    expect(told).toMatch(/reports\/access-key-activity\/[\dT:.Z-]+\.json\|Open this run/);
    const state = JSON.parse(
      emulator.objects.get("security-reports/reports/.notify-state.json")!.body.toString(),
    ) as { runbooks: Record<string, unknown> };
    const incident = `guardduty:${(event.detail as { id: string }).id}`;
    expect(Object.keys(state.runbooks)).toContain(
      `access-key-activity#${investigationDigest("access-key-activity", {}, incident)}`,
    );
    // A runbook whose pattern did not match is no problem.
    expect(result.skipped.find((s) => s.runbook === "audit-iam")).not.toHaveProperty("unresolved");
  }, 120_000);

  it("still escalates when the alert state cannot be fetched from S3 (red-team: a role without s3:ListBucket gets 403 for a missing key)", async () => {
    const { createServer } = await import("node:http");
    // S3 as a role allowed PutObject and GetObject but not ListBucket sees it on a first run.
    const denied = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "GET") {
          res
            .writeHead(403, { "content-type": "application/xml" })
            .end(
              '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
            );
        } else res.writeHead(200, { etag: '"x"' }).end();
      });
    });
    await new Promise<void>((r) => denied.listen(0, "127.0.0.1", r));
    try {
      const before = slack.bodies.length;
      const result = await handleEvent(guardDuty(), {
        env: {
          ...process.env,
          RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-tmp-")),
          RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-lifecycle.md"),
          RUN_MD_S3_ENDPOINT: `http://127.0.0.1:${(denied.address() as { port: number }).port}`,
        },
        log: () => {},
      });
      expect(result.matched.map((m) => m.status)).toEqual(["failed"]);
      expect(result.notifications.map((n) => [n.target, n.ok])).toEqual([
        ["slack", true],
        ["sns", true],
      ]);
      expect(slack.bodies.length).toBe(before + 1);
      expect(result.problems).toEqual([
        expect.stringContaining("the alert state could not be fetched"),
      ]);
    } finally {
      denied.close();
    }
  }, 120_000);

  it("escalates a trigger that errored before its first step (red-team: a setup problem told nobody)", async () => {
    const broken = path.join(work, "broken.config.yaml");
    await writeFile(
      broken,
      readFileSync(configFile, "utf8").replace(/^local: .*$/m, "local: { logDir: /nowhere/logs }"),
    );
    const before = slack.bodies.length;
    const result = await handleEvent(guardDuty(), {
      env: {
        ...process.env,
        RUN_MD_CONFIG: broken,
        RUN_MD_REPORTS_BUCKET: "",
        RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-tmp-")),
        RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-lifecycle.md"),
      },
      log: () => {},
    });
    expect(result.matched.map((m) => [m.runbook, m.status])).toEqual([
      ["access-key-lifecycle", "errored"],
    ]);
    expect(slack.bodies.length).toBe(before + 1);
    expect(slack.bodies.at(-1)!.text).toContain("Access key lifecycle errored");
    expect(JSON.stringify(slack.bodies.at(-1))).toContain("/nowhere/logs");
  }, 120_000);

  it("escalates the runs whose report could not be stored (red-team: a full /tmp threw, and the finding told nobody)", async () => {
    const reportsDir = await mkdtemp(path.join(work, "lambda-full-"));
    // The runbook's reports folder cannot be made (as with ENOSPC): storing its report fails.
    await writeFile(path.join(reportsDir, "access-key-lifecycle"), "not a folder");
    const before = slack.bodies.length;
    const result = await handleEvent(guardDuty(), {
      env: {
        ...process.env,
        RUN_MD_REPORTS_BUCKET: "",
        RUN_MD_REPORTS_DIR: reportsDir,
        RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-lifecycle.md"),
      },
      log: () => {},
    });
    expect(result.matched.map((m) => [m.runbook, m.status])).toEqual([
      ["access-key-lifecycle", "failed"],
    ]);
    // Said in the result, which makes the container exit 2.
    expect(result.matched[0]!.reportError).toContain("the report could not be stored");
    expect(slack.bodies.length).toBe(before + 1);
    expect(slack.bodies.at(-1)!.text).toContain("Access key lifecycle");
    expect(result.problems).toEqual([
      expect.stringMatching(
        /^access-key-lifecycle's report could not be stored: .*access-key-lifecycle/,
      ),
    ]);
  }, 120_000);

  it("a typo in notify: beside good targets is said and the targets are still told; the handler does not throw after the runs (red-team)", async () => {
    const typo = path.join(work, "typo.config.yaml");
    await writeFile(
      typo,
      readFileSync(configFile, "utf8").replace("notify:\n", "notify:\n  reminders: 24h\n"),
    );
    const before = slack.bodies.length;
    const result = await handleEvent(guardDuty(), {
      env: {
        ...process.env,
        RUN_MD_CONFIG: typo,
        RUN_MD_REPORTS_BUCKET: "",
        RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-tmp-")),
        RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-activity.md"),
      },
      log: () => {},
    });
    expect(result.matched.map((m) => [m.runbook, m.status])).toEqual([
      ["access-key-activity", "failed"],
    ]);
    expect(result.notifications.map((n) => [n.target, n.ok])).toEqual([
      ["slack", true],
      ["sns", true],
    ]);
    expect(slack.bodies.length).toBe(before + 1);
    expect(result.notifyMistakes).toEqual([
      expect.stringMatching(/typo\.config\.yaml:4:3: notify\.reminders is not a known key/),
    ]);
    expect(result.problems.join("\n")).toContain("notify.reminders is not a known key");
  }, 120_000);

  it("runs the valid runbooks when one does not load, and escalates the broken one the event is for (the 3 am false silence)", async () => {
    const dir = path.join(await mkdtemp(path.join(work, "broken-")), "runbooks");
    await mkdir(dir);
    await copyFile(
      path.join(REPO, "runbooks/access-key-lifecycle.md"),
      path.join(dir, "access-key-lifecycle.md"),
    );
    // For GuardDuty findings, with a SQL syntax error in its step (line 12).
    const triage = path.join(dir, "key-triage.md");
    await writeFile(
      triage,
      "---\ntitle: Key triage\nid: key-triage\nseverity: high\ntriggers:\n  - pattern:\n" +
        "      source: [aws.guardduty]\n---\n\n# Key triage\n\n```sql recent_calls\n" +
        "SELEC eventname FROM cloudtrail\n```\n",
    );
    // For Security Hub, with an unknown step attribute: broken, but this event is not for it.
    const other = path.join(dir, "other-broken.md");
    await writeFile(
      other,
      "---\ntitle: Broken other\ntriggers:\n  - pattern:\n      source: [aws.securityhub]\n" +
        "---\n\n```sql s engien=athena\nSELECT 1 AS one\n```\n",
    );
    const before = slack.bodies.length;
    const lines: string[] = [];
    const result = await handleEvent(guardDuty(), {
      env: {
        ...process.env,
        RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-tmp-")),
        RUN_MD_RUNBOOKS_DIR: dir,
        // A state of its own: the other tests' alerts do not count here.
        RUN_MD_REPORTS_PREFIX: "broken/",
      },
      log: (line) => lines.push(line),
    });
    expect(result.matched.map((m) => [m.runbook, m.status])).toEqual([
      ["access-key-lifecycle", "failed"],
      ["key-triage", "errored"],
    ]);
    expect(result.matched[1]!.problems).toEqual([
      `${triage}:13:1 error syntax error at "SELEC" (did you mean "SELECT"?) [sql-syntax]`,
    ]);
    // Its report is published (an investigation's: not as the runbook's latest.json).
    expect(result.matched[1]!.reportKeys).toEqual([
      expect.stringMatching(/^broken\/key-triage\/\d{4}-[\dT:.-]+Z\.json$/),
    ]);
    const skipped = result.skipped.find((s) => s.runbook === "other-broken")!;
    expect(skipped.problems).toEqual([expect.stringContaining(`${other}:8:10 error`)]);
    expect(result.problems).toEqual([
      expect.stringContaining(`${triage} does not load (its trigger matched, so key-triage`),
      expect.stringContaining(`${other} does not load (the event was not for it`),
    ]);
    expect(lines).toContain(`warning ${result.problems[0]}`);

    // One message for the failed runbook and the broken one; nothing about the other.
    expect(result.notifications.map((n) => [n.target, n.ok, n.alerts])).toEqual([
      ["slack", true, 2],
      ["sns", true, 2],
    ]);
    expect(slack.bodies.length).toBe(before + 1);
    const message = JSON.stringify(slack.bodies.at(-1));
    expect(message).toContain("Key triage errored");
    expect(message).toContain("key-triage.md:13:1 syntax error at");
    expect(message).not.toContain("Broken other");
  }, 120_000);

  it("the container exits 2 when a runbook does not load, even one the event was not for", async () => {
    // Its runs are those `run-md trigger` makes (which exits 2 then too): a broken runbook must
    // show in the job's status, not only in its output.
    const dir = path.join(await mkdtemp(path.join(work, "broken-container-")), "runbooks");
    await mkdir(dir);
    await copyFile(
      path.join(REPO, "runbooks/access-key-activity.md"),
      path.join(dir, "access-key-activity.md"),
    );
    await writeFile(
      path.join(dir, "other-broken.md"),
      "---\ntitle: Broken other\ntriggers:\n  - pattern:\n      source: [aws.securityhub]\n" +
        "---\n\n```sql s engien=athena\nSELECT 1 AS one\n```\n",
    );
    const eventFile = path.join(dir, "..", "event.json");
    await writeFile(eventFile, JSON.stringify(guardDuty("AKIAIOSFODNN7EXAMPLE")));
    const res = await inTurn(
      async () => (await import("../src/container.ts")).containerMain,
      [eventFile],
      {
        env: {
          RUN_MD_RUNBOOKS_DIR: dir,
          RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "container-broken-")),
          RUN_MD_LOG_DIR: sampleDir,
          RUN_MD_REPORTS_BUCKET: "",
        },
      },
    );
    const result = JSON.parse(res.stdout);
    expect(result.matched).toEqual([
      { runbook: "access-key-activity", reason: "its trigger matched", status: "passed" },
    ]);
    expect(result.skipped.find((s: { runbook: string }) => s.runbook === "other-broken")).toEqual(
      expect.objectContaining({ problems: [expect.stringContaining("other-broken.md:8:10")] }),
    );
    expect(res.code).toBe(2);
  }, 120_000);

  it("the container exits 2 and names the run when its report could not be published to S3, although its runbook passed", async () => {
    // An S3 that refuses every request (a role without s3:PutObject on the bucket): the report
    // is on no site, and the task showed green (exit 0) with the refusal among the problems.
    const { createServer } = await import("node:http");
    const s3 = createServer((_req, res) => {
      _req.resume();
      _req.on("end", () =>
        res
          .writeHead(403, { "content-type": "application/xml" })
          .end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
          ),
      );
    });
    await new Promise<void>((r) => s3.listen(0, "127.0.0.1", r));
    try {
      const dir = await mkdtemp(path.join(work, "publish-refused-"));
      const eventFile = path.join(dir, "event.json");
      await writeFile(eventFile, JSON.stringify(guardDuty("AKIAIOSFODNN7EXAMPLE")));
      const res = await inTurn(
        async () => (await import("../src/container.ts")).containerMain,
        [eventFile],
        {
          env: {
            RUN_MD_CONFIG: path.join(work, "no-notify.yaml"),
            RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-activity.md"),
            RUN_MD_REPORTS_DIR: path.join(dir, "reports"),
            RUN_MD_S3_ENDPOINT: `http://127.0.0.1:${(s3.address() as { port: number }).port}`,
          },
        },
      );
      const result = JSON.parse(res.stdout);
      expect(result.matched.map((m: Json) => [m.runbook, m.status])).toEqual([
        ["access-key-activity", "passed"],
      ]);
      expect(result.matched[0].reportKeys).toBeUndefined();
      expect(result.matched[0].publishError).toMatch(/Access Denied/);
      expect(result.problems).toEqual([
        expect.stringMatching(
          /^publishing access-key-activity's report to s3:\/\/security-reports failed/,
        ),
      ]);
      expect(res.code).toBe(2);
    } finally {
      s3.close();
    }
  }, 120_000);

  it("the container exits 2 for a mistake in notify: although its runbook passed", async () => {
    const dir = await mkdtemp(path.join(work, "typo-container-"));
    const config = path.join(dir, "run-md.config.yaml");
    await writeFile(
      config,
      `notify:\n  retry: { attempts: 0 }\n  targets:\n    - { type: slack, url: ${JSON.stringify(slack.url)} }\n`,
    );
    const eventFile = path.join(dir, "event.json");
    await writeFile(eventFile, JSON.stringify(guardDuty("AKIAIOSFODNN7EXAMPLE")));
    const res = await inTurn(
      async () => (await import("../src/container.ts")).containerMain,
      [eventFile],
      {
        env: {
          RUN_MD_CONFIG: config,
          RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-activity.md"),
          RUN_MD_REPORTS_DIR: path.join(dir, "reports"),
          RUN_MD_LOG_DIR: sampleDir,
          RUN_MD_REPORTS_BUCKET: "",
        },
      },
    );
    const result = JSON.parse(res.stdout);
    expect(result.matched.map((m: { status: string }) => m.status)).toEqual(["passed"]);
    expect(result.notifyMistakes).toEqual([
      expect.stringContaining("notify.retry.attempts must be a whole number of at least 1"),
    ]);
    expect(res.code).toBe(2);
  }, 120_000);

  it("a prefix without its slash (RUN_MD_REPORTS_PREFIX=team-a) still publishes under team-a/ (red-team: keys beside it)", async () => {
    const result = await handleEvent(guardDuty(), {
      env: {
        ...process.env,
        RUN_MD_CONFIG: path.join(work, "no-notify.yaml"),
        RUN_MD_REPORTS_PREFIX: "team-a",
        RUN_MD_REPORTS_DIR: await mkdtemp(path.join(work, "lambda-prefix-")),
        RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-lifecycle.md"),
      },
      log: () => {},
    });
    const keys = result.matched[0]!.reportKeys!;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^team-a\/access-key-lifecycle\/[^/]+\.json$/);
  }, 120_000);

  it("rejects an event that is not an object", async () => {
    await expect(handler("[1, 2]")).rejects.toThrow(
      "the event: an EventBridge event is a JSON object",
    );
  });

  it("refuses a deeply nested event the runtime parsed as a bad event, not a stack overflow (red-team)", async () => {
    // 120,000 nested lists: under EventBridge's 256 KB, and JSON.parse reads them.
    const deep = JSON.parse(`${"[".repeat(120_000)}${"]".repeat(120_000)}`);
    const event = { ...guardDuty(), detail: { nested: deep } };
    await expect(handler(event)).rejects.toMatchObject({
      code: "bad-event",
      message: expect.stringContaining("the event: nested 120002 levels deep"),
    });
  });

  it("checks an event object that holds itself without walking it for good (review)", async () => {
    const detail: Record<string, unknown> = { severity: 2 };
    detail.self = detail;
    const event = { ...guardDuty(), detail };
    // Refused or run, it comes back: the walk of its nesting ends (a walk without end fails the
    // test by its timeout; a race against 5 s lost to a run that took longer on a loaded machine).
    const settled = await handler(event).then(
      () => "settled",
      () => "settled",
    );
    expect(settled).toBe("settled");
  });
});

describe("the Lambda entry file for the Node.js runtime", () => {
  it("loads without a build step and exports the handler", () => {
    const res = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('./packages/cli/bin/lambda.js'); console.log(typeof m.handler, m.handler.name);",
      ],
      { cwd: REPO, encoding: "utf8" },
    );
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("function handler");
  });
});

/** The ENTRYPOINT of the Dockerfile, as an argument list. */
function entrypoint(): string[] {
  const line = readFileSync(path.join(REPO, "Dockerfile"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("ENTRYPOINT "))!;
  return JSON.parse(line.slice("ENTRYPOINT ".length)) as string[];
}

describe("the container image", () => {
  it("is small and runs as a non-root user", () => {
    const dockerfile = readFileSync(path.join(REPO, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain("--omit=dev");
    // /app is root's: whatever the node user writes goes to /tmp (the repository's
    // configuration reads logDir: sample, generated on the first event).
    expect(dockerfile).toMatch(/^\s+RUN_MD_REPORTS_DIR=\/tmp\/run-md\/reports /m);
    expect(dockerfile).toMatch(/^\s+RUN_MD_SAMPLE_DIR=\/tmp\/run-md\/sample-data /m);
  });

  it("its entry point runs trigger for the event in RUN_MD_EVENT and prints the result", async () => {
    const [command, ...args] = entrypoint();
    expect(command).toBe("node");
    const reports = await mkdtemp(path.join(work, "container-"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RUN_MD_EVENT: JSON.stringify(guardDuty("AKIAIOSFODNN7EXAMPLE")),
      RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-activity.md"),
      RUN_MD_REPORTS_DIR: reports,
      RUN_MD_LOG_DIR: sampleDir,
    };
    // The repository's own configuration, no bucket: nothing is published.
    delete env.RUN_MD_CONFIG;
    delete env.RUN_MD_REPORTS_BUCKET;
    const child = spawn(process.execPath, args, { cwd: REPO, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise((r) => child.on("close", r));
    expect(stderr).toContain(
      "▸ runs access-key-activity: its trigger matched (access_key_id=AKIAIOSFODNN7EXAMPLE",
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.matched).toEqual([
      { runbook: "access-key-activity", reason: "its trigger matched", status: "passed" },
    ]);
  }, 120_000);

  it("a sample-data folder it may not write gives each matched runbook an errored report, JSON and a hint (the image's app folder owned by root)", async () => {
    // The image's layout: run-md.config.yaml (logDir: sample) in an app folder the process may
    // not write. As root chmod does not bind, so the entry point runs as nobody then.
    const asRoot = process.getuid?.() === 0;
    const base = await mkdtemp(path.join(asRoot ? "/tmp" : work, "run-md-unwritable-"));
    const app = path.join(base, "app");
    const reports = path.join(base, "reports");
    try {
      await chmod(base, 0o755);
      await mkdir(app);
      await mkdir(reports, { mode: 0o777 });
      await chmod(reports, 0o777);
      await writeFile(path.join(app, "run-md.config.yaml"), "local: { logDir: sample }\n");
      await chmod(app, 0o555);
      const user = asRoot ? { uid: 65534, gid: 65534 } : {};
      const probe = spawnSync(process.execPath, ["-e", "fs.mkdirSync('probe')"], {
        cwd: app,
        ...user,
      });
      if (probe.status === 0) {
        console.log("unwritable-folder test skipped: this user writes a chmod a-w folder");
        return;
      }
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TMPDIR: base,
        RUN_MD_EVENT: JSON.stringify(guardDuty()),
        RUN_MD_RUNBOOKS_DIR: path.join(REPO, "runbooks/access-key-activity.md"),
        RUN_MD_REPORTS_DIR: reports,
      };
      for (const k of ["RUN_MD_CONFIG", "RUN_MD_SAMPLE_DIR", "RUN_MD_LOG_DIR"]) delete env[k];
      for (const k of ["RUN_MD_REPORTS_BUCKET", "RUN_MD_S3_ENDPOINT"]) delete env[k];
      const [, script] = entrypoint();
      const res = spawnSync(process.execPath, [path.join(REPO, script!)], {
        cwd: app,
        env,
        encoding: "utf8",
        ...user,
      });
      expect(res.stderr).toContain(
        "error the sample data (local.logDir: sample) cannot be generated",
      );
      expect(res.stderr).toContain("hint: Set RUN_MD_SAMPLE_DIR to a folder this user may write");
      expect(res.status).toBe(2);
      expect(JSON.parse(res.stdout).matched).toEqual([
        { runbook: "access-key-activity", reason: "its trigger matched", status: "errored" },
      ]);
      const dir = path.join(reports, "access-key-activity");
      const file = readdirSync(dir).find((f) => f.endsWith(".json"))!;
      const report = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as RunReport;
      expect(report.error).toEqual({
        code: "bad-log-dir",
        message: expect.stringContaining("EACCES"),
        hint: expect.stringContaining("RUN_MD_SAMPLE_DIR"),
      });
    } finally {
      await chmod(app, 0o755).catch(() => {});
      await rm(base, { recursive: true, force: true });
    }
  }, 120_000);

  const engine = ["docker", "podman"].find(
    (e) => spawnSync(e, ["info"], { stdio: "ignore" }).status === 0,
  );
  if (!engine) {
    console.log(
      "Dockerfile build skipped: no container engine (docker or podman) answers `info` here",
    );
  }
  it.skipIf(!engine)(
    "builds with the container engine",
    () => {
      const res = spawnSync(engine!, ["build", "-t", "run-md-automation-test", REPO], {
        encoding: "utf8",
      });
      expect(res.status, res.stderr).toBe(0);
      const user = spawnSync(
        engine!,
        ["run", "--rm", "--entrypoint", "id", "run-md-automation-test", "-u"],
        {
          encoding: "utf8",
        },
      );
      expect(user.stdout.trim()).not.toBe("0");
      // The documented run (docs/automation.md §4), without a bucket: the bundled runbooks on
      // the sample data the image generates, the result as JSON on stdout.
      const event = { ...guardDuty("AKIAIOSFODNN7EXAMPLE"), time: new Date().toISOString() };
      const run = spawnSync(
        engine!,
        ["run", "--rm", "-e", `RUN_MD_EVENT=${JSON.stringify(event)}`, "run-md-automation-test"],
        { encoding: "utf8" },
      );
      expect(run.stderr).not.toContain("EACCES");
      const result = JSON.parse(run.stdout);
      expect(result.matched.map((m: Json) => m.runbook)).toContain("access-key-activity");
      expect(result.matched.map((m: Json) => m.status)).not.toContain("errored");
    },
    900_000,
  );
});
