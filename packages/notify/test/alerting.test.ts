import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  INVESTIGATION_QUIET_MS,
  investigationDigest,
  notify,
  parseNotifyConfig,
  STATE_FILE,
} from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadUrl, report, startReceiver } from "./helpers.ts";

let pager: Awaited<ReturnType<typeof startReceiver>>;
let chat: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  pager = await startReceiver((_r, res) => res.writeHead(202).end('{"status":"success"}'));
  chat = await startReceiver();
});
afterAll(async () => {
  await pager.close();
  await chat.close();
});

function config(extra: Record<string, unknown> = {}) {
  return parseNotifyConfig(
    {
      targets: [
        { type: "pagerduty", url: pager.url, routingKey: "KEY" },
        { type: "slack", url: chat.url },
      ],
      retry: { attempts: 1, backoffMs: 1 },
      ...extra,
    },
    "run-md.config.yaml",
  );
}

const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));

/** A triggered run's report for one access key: an investigation of its own. */
function investigationRun(key: string, status: "failed" | "passed", h: number) {
  const r = report("access-key-activity", status, { startedAt: at(h).toISOString() });
  // The report's parameters masked (accessKeyIds: hide): the digest is of the event's own.
  const masked = { ...r, kind: "investigation" as const, params: { access_key_id: "AKIA****" } };
  const investigation = investigationDigest("access-key-activity", { access_key_id: key });
  return { report: masked, investigation };
}

describe("alerting on investigations (triggered runs)", () => {
  it("keeps each investigation's state: another key passing never resolves a failing one", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const run = (key: string, status: "failed" | "passed", h: number) =>
      notify([investigationRun(key, status, h)], config(), { reportsDir, now: at(h) });
    const mallory = await run("AKIAMALLORY", "failed", 1);
    expect(mallory.alerts.map((a) => a.kind)).toEqual(["failing"]);
    // Another key's investigation passes: nothing recovered, the incident stays open.
    expect((await run("AKIACLEAN", "passed", 2)).alerts).toEqual([]);
    // A third key fails: an incident of its own, told.
    expect((await run("AKIAOTHER", "failed", 3)).alerts.map((a) => a.kind)).toEqual(["failing"]);
    // The first key passes at last: its incident, and only it, is resolved.
    expect((await run("AKIAMALLORY", "passed", 4)).alerts.map((a) => a.kind)).toEqual([
      "recovered",
    ]);
    const events = pager.received.map((r) => [r.json.event_action, r.json.dedup_key]);
    expect(events[0]).toEqual(["trigger", events[2]?.[1]]);
    expect(events.map((e) => e[0])).toEqual(["trigger", "trigger", "resolve"]);
    expect(new Set(events.map((e) => e[1])).size).toBe(2);
    expect(String(events[0]?.[1])).toMatch(/^run-md\/access-key-activity#[0-9a-f]{16}$/);
    // The messages say which investigation (its parameters as the report shows them, masked).
    expect(chat.received.map((r) => r.json.text)).toEqual([
      ":red_circle: run-md: Audit IAM changes (access_key_id=AKIA****) failed (severity high)",
      ":red_circle: run-md: Audit IAM changes (access_key_id=AKIA****) failed (severity high)",
      ":large_green_circle: run-md: Audit IAM changes (access_key_id=AKIA****) recovered (severity high)",
    ]);
    // Only the investigation still failing keeps an entry: one per open incident, not per key.
    const state = JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8"));
    const other = investigationDigest("access-key-activity", { access_key_id: "AKIAOTHER" });
    expect(Object.keys(state.runbooks)).toEqual([`access-key-activity#${other}`]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("opens another investigation of a key after a day without its events (a new finding months later is told)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const run = (h: number) =>
      notify([investigationRun("AKIAMALLORY", "failed", h)], config(), {
        reportsDir,
        now: at(h),
        investigationQuietMs: INVESTIGATION_QUIET_MS,
      });
    expect((await run(1)).alerts.map((a) => a.kind)).toEqual(["failing"]);
    // The finding's updates every few hours are one incident: still failing, not told again.
    expect((await run(7)).alerts).toEqual([]);
    expect((await run(13)).alerts).toEqual([]);
    // 24 hours after the last event (not the first): the same key's failure is news.
    expect((await run(36)).alerts).toEqual([]);
    const later = await run(60);
    expect(later.alerts.map((a) => [a.kind, a.since])).toEqual([["failing", at(60).toISOString()]]);
    // Two months on: told again.
    expect((await run(60 + 24 * 60)).alerts.map((a) => a.kind)).toEqual(["failing"]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("keeps no entry for an investigation over: the state does not grow with every key ever investigated", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const run = (key: string, h: number) =>
      notify([investigationRun(key, "failed", h)], config(), {
        reportsDir,
        now: at(h),
        investigationQuietMs: INVESTIGATION_QUIET_MS,
      });
    const entries = async () =>
      Object.keys(
        JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8")).runbooks,
      ).sort();
    const digest = (key: string) =>
      `access-key-activity#${investigationDigest("access-key-activity", { access_key_id: key })}`;
    await run("AKIAFIRST", 1);
    await run("AKIASECOND", 20);
    // Both open: the first's last run was 19 hours ago.
    expect(await entries()).toEqual([digest("AKIAFIRST"), digest("AKIASECOND")].sort());
    // A day after the first's last run, another key's notify closes it; the second stays open.
    await run("AKIATHIRD", 25);
    expect(await entries()).toEqual([digest("AKIASECOND"), digest("AKIATHIRD")].sort());
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("tells an investigation's failure again when no target got it", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const down = parseNotifyConfig(
      { targets: [{ type: "slack", url: await deadUrl() }], retry: { attempts: 1, backoffMs: 1 } },
      "run-md.config.yaml",
    );
    const run = (h: number) =>
      notify([investigationRun("AKIAMALLORY", "failed", h)], down, { reportsDir, now: at(h) });
    const first = await run(1);
    expect(first.deliveries.map((d) => d.ok)).toEqual([false]);
    expect((await run(2)).alerts.map((a) => a.kind)).toEqual(["failing"]);
  });
});

describe("alerting on change", () => {
  it("a PagerDuty alert that failed is sent again alone: the target's other alerts of the night were told (review: all were re-sent)", async () => {
    // The first night's event of kms-key-deletion is refused (a final 400, not retried).
    const flaky = await startReceiver((r, res) => {
      if (r.text.includes("run-md/kms-key-deletion") && flaky.received.length <= 2) {
        res.writeHead(400).end('{"status":"invalid event"}');
      } else res.writeHead(202).end('{"status":"success"}');
    });
    try {
      const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
      const cfg = parseNotifyConfig(
        {
          targets: [{ type: "pagerduty", url: flaky.url, routingKey: "KEY" }],
          retry: { attempts: 1, backoffMs: 1 },
        },
        "run-md.config.yaml",
      );
      const night = (h: number) =>
        notify(
          ["audit-iam", "kms-key-deletion"].map((id) => ({
            report: report(id, "failed", { startedAt: at(h).toISOString() }),
          })),
          cfg,
          { reportsDir, now: at(h) },
        );
      const first = await night(1);
      expect(first.deliveries.map((d) => [d.ok, d.failedAlerts])).toEqual([
        [false, ["kms-key-deletion"]],
      ]);
      const keys = () => flaky.received.map((r) => r.json.dedup_key);
      expect(keys()).toEqual(["run-md/audit-iam", "run-md/kms-key-deletion"]);
      // The next night, both still failing: only the missed one goes out again.
      const second = await night(2);
      expect(second.alerts.map((a) => a.runbook.id)).toEqual(["kms-key-deletion"]);
      expect(keys().slice(2)).toEqual(["run-md/kms-key-deletion"]);
    } finally {
      await flaky.close();
    }
  });

  it("fail, fail, pass: one page, silence, one recovery", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const run = (status: "failed" | "passed", h: number) =>
      notify(
        [{ report: report("audit-iam", status, { startedAt: at(h).toISOString() }) }],
        config(),
        {
          reportsDir,
          now: at(h),
        },
      );

    const first = await run("failed", 1);
    expect(first.alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect(first.deliveries.map((d) => [d.target, d.ok])).toEqual([
      ["pagerduty", true],
      ["slack", true],
    ]);
    const second = await run("failed", 2);
    expect(second).toEqual({ alerts: [], deliveries: [] });
    const third = await run("passed", 3);
    expect(third.alerts.map((a) => a.kind)).toEqual(["recovered"]);

    expect(pager.received.map((r) => r.json.event_action)).toEqual(["trigger", "resolve"]);
    expect(new Set(pager.received.map((r) => r.json.dedup_key))).toEqual(
      new Set(["run-md/audit-iam"]),
    );
    expect(chat.received.map((r) => r.json.text)).toEqual([
      ":red_circle: run-md: Audit IAM changes failed (severity high)",
      ":large_green_circle: run-md: Audit IAM changes recovered (severity high)",
    ]);
    const state = JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8"));
    expect(state.runbooks["audit-iam"]).toMatchObject({ failing: false, lastStatus: "passed" });
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("a runbook still failing that names another offender is told again; one it named before is not (red-team: a second actor was silent)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const mallory = "arn:aws:iam::111122223333:user/mallory";
    const eve = "arn:aws:iam::111122223333:user/eve";
    const run = (actor: string, h: number) =>
      notify(
        [{ report: report("audit-iam", "failed", { actor, startedAt: at(h).toISOString() }) }],
        config(),
        { reportsDir, now: at(h) },
      );
    expect((await run(mallory, 1)).alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect((await run(mallory, 2)).alerts).toEqual([]);
    const third = await run(eve, 3);
    expect(third.alerts.map((a) => [a.kind, a.finding?.newOffender, a.since])).toEqual([
      ["failing", `actor = ${eve}`, at(1).toISOString()],
    ]);
    // Both named before: silence again, and the reminder clock starts from the last tell.
    expect((await run(mallory, 4)).alerts).toEqual([]);
    expect((await run(eve, 5)).alerts).toEqual([]);
    expect(chat.received.map((r) => r.json.text)).toEqual([
      ":red_circle: run-md: Audit IAM changes failed (severity high)",
      ":red_circle: run-md: Audit IAM changes failed (severity high)",
    ]);
    expect(JSON.stringify(chat.received[1]?.json)).toContain(
      `New offender: actor = ${eve} (failing since ${at(1).toISOString()}, now about another)`,
    );
    // PagerDuty: the same incident (one dedup key), triggered again with the news.
    expect(pager.received.map((r) => [r.json.event_action, r.json.dedup_key])).toEqual([
      ["trigger", "run-md/audit-iam"],
      ["trigger", "run-md/audit-iam"],
    ]);
    expect(pager.received[1]?.json.payload.summary).toBe(
      `Audit IAM changes failed (severity high): actor = ${eve}`,
    );
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("a state written before offenders were kept takes the next run's as known: nothing is news at once", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const since = at(1).toISOString();
    await writeFile(
      path.join(reportsDir, STATE_FILE),
      JSON.stringify({
        version: 1,
        runbooks: {
          "audit-iam": { failing: true, since, notifiedAt: since, lastStatus: "failed" },
        },
      }),
    );
    const run = (actor: string, h: number) =>
      notify(
        [{ report: report("audit-iam", "failed", { actor, startedAt: at(h).toISOString() }) }],
        config(),
        { reportsDir, now: at(h) },
      );
    expect((await run("arn:aws:iam::111122223333:user/eve", 2)).alerts).toEqual([]);
    const third = await run("arn:aws:iam::111122223333:user/trent", 3);
    expect(third.alerts.map((a) => a.finding?.newOffender)).toEqual([
      "actor = arn:aws:iam::111122223333:user/trent",
    ]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("a target whose secret is not set fails its delivery: the recovery it missed is sent once it is fixed", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const raw = (env: NodeJS.ProcessEnv) =>
      parseNotifyConfig(
        {
          targets: [
            { type: "pagerduty", url: pager.url, routingKeyEnv: "PD_KEY" },
            { type: "slack", url: chat.url },
          ],
          retry: { attempts: 1, backoffMs: 1 },
        },
        "run-md.config.yaml",
        env,
        () => {},
      );
    const run = (status: "failed" | "passed", h: number, env: NodeJS.ProcessEnv) =>
      notify(
        [{ report: report("audit-iam", status, { startedAt: at(h).toISOString() }) }],
        raw(env),
        {
          reportsDir,
          now: at(h),
        },
      );
    await run("failed", 1, { PD_KEY: "KEY" });
    // The key's variable is gone the night the runbook recovers: that delivery failed, named.
    const unset = await run("passed", 2, {});
    expect(unset.deliveries.map((d) => [d.target, d.ok])).toEqual([
      ["pagerduty (notify.targets[0])", false],
      ["slack", true],
    ]);
    expect(unset.deliveries[0]?.error).toContain("routingKeyEnv names PD_KEY, which is not set");
    // Fixed the next night: the resolve goes out then, to it alone (Slack had the recovery).
    const fixed = await run("passed", 3, { PD_KEY: "KEY" });
    expect(fixed.alerts.map((a) => a.kind)).toEqual(["recovered"]);
    expect(fixed.deliveries.map((d) => [d.target, d.ok])).toEqual([["pagerduty", true]]);
    expect(pager.received.map((r) => r.json.event_action)).toEqual(["trigger", "resolve"]);
    expect(chat.received).toHaveLength(2); // the failure and the recovery, once each
    expect(await run("passed", 4, { PD_KEY: "KEY" })).toEqual({ alerts: [], deliveries: [] });
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("one broken target: the others are not paged again, and it gets the news once it works; the recovery reaches everyone (review)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const dead = await deadUrl();
    // Two Slack targets of one name: the state tells them apart by where they send.
    const targets = (broken: boolean) =>
      parseNotifyConfig(
        {
          targets: [
            { type: "pagerduty", url: pager.url, routingKey: "KEY" },
            { type: "slack", urlEnv: "TEAM_SLACK" },
            { type: "slack", url: chat.url },
          ],
          retry: { attempts: 1, backoffMs: 1 },
        },
        "run-md.config.yaml",
        { TEAM_SLACK: broken ? dead : chat.url },
      );
    const run = (status: "failed" | "passed", h: number, broken: boolean) =>
      notify(
        [{ report: report("audit-iam", status, { startedAt: at(h).toISOString() }) }],
        targets(broken),
        { reportsDir, now: at(h) },
      );
    const okOf = (r: Awaited<ReturnType<typeof run>>) => r.deliveries.map((d) => [d.target, d.ok]);

    // Night 1, failing: PagerDuty and the working Slack told; the team's Slack is down.
    expect(okOf(await run("failed", 1, true))).toEqual([
      ["pagerduty", true],
      ["slack", false],
      ["slack", true],
    ]);
    // Night 2, still failing, still down: only the team's Slack is tried again.
    expect(okOf(await run("failed", 2, true))).toEqual([["slack", false]]);
    // Night 3, still failing, fixed: the team's Slack gets the failure it missed, nobody else.
    const fixed = await run("failed", 3, false);
    expect(fixed.alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect(okOf(fixed)).toEqual([["slack", true]]);
    // Night 4, still failing: silence. Night 5, passing: the recovery goes to every target.
    expect(await run("failed", 4, false)).toEqual({ alerts: [], deliveries: [] });
    const recovered = await run("passed", 5, false);
    expect(recovered.alerts.map((a) => a.kind)).toEqual(["recovered"]);
    expect(okOf(recovered)).toEqual([
      ["pagerduty", true],
      ["slack", true],
      ["slack", true],
    ]);
    expect(pager.received.map((r) => r.json.event_action)).toEqual(["trigger", "resolve"]);
    expect(chat.received.map((r) => r.json.text)).toEqual([
      ":red_circle: run-md: Audit IAM changes failed (severity high)",
      ":red_circle: run-md: Audit IAM changes failed (severity high)",
      ":large_green_circle: run-md: Audit IAM changes recovered (severity high)",
      ":large_green_circle: run-md: Audit IAM changes recovered (severity high)",
    ]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("a target that missed an alert and is then re-addressed (a new id) gets it; the others are not told again", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const dead = await deadUrl();
    // The Slack webhook's literal URL is revoked, then replaced in the config: a new target id.
    const targets = (slackUrl: string) =>
      parseNotifyConfig(
        {
          targets: [
            { type: "pagerduty", url: pager.url, routingKey: "KEY" },
            { type: "slack", url: slackUrl },
          ],
          retry: { attempts: 1, backoffMs: 1 },
        },
        "run-md.config.yaml",
      );
    const run = (status: "failed" | "passed", h: number, slackUrl: string) =>
      notify(
        [{ report: report("audit-iam", status, { startedAt: at(h).toISOString() }) }],
        targets(slackUrl),
        { reportsDir, now: at(h) },
      );
    const okOf = (r: Awaited<ReturnType<typeof run>>) => r.deliveries.map((d) => [d.target, d.ok]);
    expect(okOf(await run("failed", 1, dead))).toEqual([
      ["pagerduty", true],
      ["slack", false],
    ]);
    // The URL fixed: the Slack it now names gets the failure it missed; PagerDuty is not paged.
    const fixed = await run("failed", 2, chat.url);
    expect(fixed.alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect(okOf(fixed)).toEqual([["slack", true]]);
    expect(await run("failed", 3, chat.url)).toEqual({ alerts: [], deliveries: [] });
    const state = JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8"));
    expect(state.runbooks["audit-iam"].untold).toBeUndefined();
    expect(pager.received.map((r) => r.json.event_action)).toEqual(["trigger"]);
    expect(chat.received.map((r) => r.json.text)).toEqual([
      ":red_circle: run-md: Audit IAM changes failed (severity high)",
    ]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("a target that misses a reminder gets it; one that takes no reminders is not paged again (review)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    let chatUp = true;
    const flaky = await startReceiver((_r, res) => res.writeHead(chatUp ? 200 : 503).end("x"));
    const quiet = await startReceiver();
    try {
      const cfg = parseNotifyConfig(
        {
          reminder: "1h",
          retry: { attempts: 1, backoffMs: 1 },
          targets: [
            { type: "slack", name: "chat", url: flaky.url },
            {
              type: "webhook",
              name: "pager",
              url: quiet.url,
              secret: "s3cret",
              on: ["failed", "errored", "recovered"],
            },
          ],
        },
        "run-md.config.yaml",
      );
      const hour = (h: number) => new Date(Date.UTC(2026, 10, 24, 0, h * 60));
      const run = (h: number) =>
        notify(
          [{ report: report("audit-iam", "failed", { startedAt: hour(h).toISOString() }) }],
          cfg,
          { reportsDir, now: hour(h) },
        );
      const okOf = (r: Awaited<ReturnType<typeof run>>) =>
        r.deliveries.map((d) => [d.target, d.ok]);
      expect(okOf(await run(0))).toEqual([
        ["chat", true],
        ["pager", true],
      ]);
      chatUp = false;
      expect(okOf(await run(2))).toEqual([["chat", false]]); // the reminder, chat down
      chatUp = true;
      expect(okOf(await run(2.5))).toEqual([["chat", true]]);
      expect(quiet.received).toHaveLength(1);
    } finally {
      await flaky.close();
      await quiet.close();
    }
  });

  it("a state written before `told` whose untold target is gone tells every target once (review)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const before = {
      version: 1,
      runbooks: {
        "audit-iam": {
          failing: true,
          since: at(1).toISOString(),
          notifiedAt: at(1).toISOString(),
          lastStatus: "failed",
          untold: ["a-slack-target-since-renamed"],
        },
      },
    };
    await writeFile(path.join(reportsDir, STATE_FILE), JSON.stringify(before));
    const r = await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(2).toISOString() }) }],
      config(),
      { reportsDir, now: at(2) },
    );
    expect(r.alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect(r.deliveries.map((d) => [d.target, d.ok])).toEqual([
      ["pagerduty", true],
      ["slack", true],
    ]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("a missed alert sent again that fails again is not sent to those who had it", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const dead = await deadUrl();
    const cfg = parseNotifyConfig(
      {
        targets: [
          { type: "pagerduty", url: pager.url, routingKey: "KEY" },
          { type: "slack", url: dead },
        ],
        retry: { attempts: 1, backoffMs: 1 },
      },
      "run-md.config.yaml",
    );
    const run = (h: number) =>
      notify([{ report: report("audit-iam", "failed", { startedAt: at(h).toISOString() }) }], cfg, {
        reportsDir,
        now: at(h),
      });
    await run(1);
    for (const h of [2, 3]) {
      const again = await run(h);
      expect(again.deliveries.map((d) => [d.target, d.ok])).toEqual([["slack", false]]);
    }
    expect(pager.received).toHaveLength(1);
    pager.received.length = 0;
  });

  it("two targets of one type and address with other keys are two targets in the state (review)", async () => {
    const cfg = parseNotifyConfig(
      {
        targets: [
          { type: "pagerduty", url: pager.url, routingKey: "GOOD" },
          { type: "pagerduty", url: pager.url, routingKey: "BAD" },
          { type: "webhook", url: chat.url, secretEnv: "A" },
          { type: "webhook", url: chat.url, secretEnv: "B" },
        ],
      },
      "run-md.config.yaml",
      { A: "a", B: "b" },
    );
    const ids = cfg.targets.map((t) => t.id);
    expect(new Set(ids).size).toBe(4);
    // Nothing secret in an id: a digest.
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });

  it("a run that left no report links the runbook's page, and says so", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const cfg = { ...config(), siteUrl: "https://sec.example.com" };
    const crashed = {
      runbook: { id: "broken", title: "Broken", severity: "high" as const },
      startedAt: at(1).toISOString(),
      stderr: "runbooks/broken.md:5:19 error a YAML syntax error\n",
      exitCode: 2,
      mask: {},
    };
    const r = await notify([{ crashed }], cfg, { reportsDir, now: at(1) });
    expect(r.deliveries.every((d) => d.ok)).toBe(true);
    const sent = JSON.stringify(chat.received.at(-1)?.json);
    expect(sent).toContain("Open the runbook");
    expect(sent).not.toContain("Open this run");
    expect(sent).toContain("https://sec.example.com/runbooks/");
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("reminds about a runbook still failing once the cadence has elapsed, not before", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const kinds: string[][] = [];
    for (const h of [0, 6, 12, 25, 30]) {
      const r = await notify(
        [{ report: report("audit-iam", "failed", { startedAt: at(h).toISOString() }) }],
        config({ reminder: "24h" }),
        { reportsDir, now: at(h) },
      );
      kinds.push(r.alerts.map((a) => a.kind));
    }
    expect(kinds).toEqual([["failing"], [], [], ["reminder"], []]);
    const reminder = chat.received.at(-1)!.json.blocks[0].text.text as string;
    expect(reminder).toContain("still failing");
    expect(reminder).toContain("failing since 2026-11-24T00:00:00.000Z");
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("reminds each night with a nightly job that comes a minute earlier than the night before (red-team: every other night)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const kinds: string[][] = [];
    const minute = 1 / 60;
    for (const h of [0, 21.5, 24 - minute, 48 - 2 * minute, 60]) {
      const when = new Date(at(0).getTime() + h * 3_600_000);
      const r = await notify(
        [{ report: report("audit-iam", "failed", { startedAt: when.toISOString() }) }],
        config({ reminder: "24h" }),
        { reportsDir, now: when },
      );
      kinds.push(r.alerts.map((a) => a.kind));
    }
    // A tenth of the cadence early at most: 21.5 hours is not yet a day.
    expect(kinds).toEqual([["failing"], [], ["reminder"], ["reminder"], []]);
    pager.received.length = 0;
    chat.received.length = 0;
  });

  it("sends one summary message per target for many runbooks (PagerDuty: one event each)", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-alerting-"));
    const runs = ["audit-iam", "kms-key-deletion", "root-account-usage"].map((id) => ({
      report: report(id, "failed"),
    }));
    const r = await notify(runs, config(), { reportsDir, now: at(1) });
    expect(r.alerts).toHaveLength(3);
    expect(chat.received).toHaveLength(1);
    expect(chat.received[0]!.json.text).toBe("run-md: 3 runbooks failed");
    expect(chat.received[0]!.json.blocks).toHaveLength(3);
    expect(pager.received.map((x) => x.json.dedup_key)).toEqual([
      "run-md/audit-iam",
      "run-md/kms-key-deletion",
      "run-md/root-account-usage",
    ]);
  });
});
