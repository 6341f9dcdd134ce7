/**
 * The nightly job's escalations: one summary per target (the configuration's `notify:` and
 * RUN_MD_WEBHOOK_URL), about changes only.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../packages/core/src/report.ts";
import { notifyNightly } from "../scripts/nightly/notify.ts";
import type { NightlyOutcome } from "../scripts/nightly/outcome.ts";

type Body = { text: string; blocks: { text: { text: string } }[] };
const received: { path: string; body: Body }[] = [];
const server = createServer((req, res) => {
  let text = "";
  req.on("data", (c) => {
    text += c;
  });
  req.on("end", () => {
    received.push({ path: req.url ?? "", body: JSON.parse(text) });
    if (req.url === "/down") res.writeHead(503).end("slack is down");
    else res.writeHead(200).end("ok");
  });
});
let base: string;
let work: string;
let configFile: string;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-notify-"));
  configFile = path.join(work, "run-md.config.yaml");
  await writeFile(
    configFile,
    `notify:\n  targets:\n    - { type: slack, name: sec-chat, url: "${base}/slack" }\n    - { type: slack, name: team-chat, url: "${base}/team", minSeverity: critical }\n`,
  );
});
afterAll(() => server.close());
let noNotifyConfig: string;
beforeAll(async () => {
  noNotifyConfig = path.join(work, "plain.yaml");
  await writeFile(noNotifyConfig, "local:\n  logDir: /nowhere\n");
});

function outcome(
  id: string,
  status: "failed" | "passed",
  severity: string,
  night: number,
): NightlyOutcome {
  const failed = status === "failed";
  const startedAt = `2026-11-2${night}T02:00:00.000Z`;
  const report = {
    runId: `${id}-${night}`,
    runbook: {
      id,
      title: `Runbook ${id}`,
      severity,
      path: `runbooks/${id}.md`,
      tags: [],
      sourceHash: "",
    },
    status,
    startedAt,
    steps: [
      {
        id: "s",
        columns: [{ name: "principal", type: "varchar" }],
        rows: failed ? [["arn:aws:iam::111122223333:user/<!channel>"]] : [],
        checks: [
          {
            check: "rows == 0",
            status: failed ? "failed" : "passed",
            message: "rows = 1, expected == 0",
            line: 1,
            warn: false,
          },
        ],
      },
    ],
  } as unknown as RunReport;
  return {
    runbookId: id,
    title: `Runbook ${id}`,
    severity,
    status,
    exitCode: failed ? 1 : 0,
    durationMs: 1,
    startedAt,
    report,
    stderr: "",
  };
}

/** What notifyNightly delivered. */
async function deliveriesOf(...args: Parameters<typeof notifyNightly>) {
  return (await notifyNightly(...args)).deliveries;
}

/** The nights of a job with RUN_MD_WEBHOOK_URL and no `notify:` section. */
function webhookNight(reportsDir: string, outcomes: NightlyOutcome[], log: string[] = []) {
  return deliveriesOf(outcomes, {
    config: noNotifyConfig,
    reportsDir,
    siteUrl: "https://sec.example.com",
    webhookUrl: `${base}/hooks/nightly`,
    log: (l) => log.push(l),
  });
}

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

describe("the nightly job's notify: targets", () => {
  it("sends one summary per target for all runbooks, then nothing while they keep failing, then the recoveries", async () => {
    const reportsDir = path.join(work, "reports");
    const log: string[] = [];
    const night = (n: number, status: "failed" | "passed") =>
      deliveriesOf(
        [
          outcome("audit-iam", status, "high", n),
          outcome("kms-key-deletion", status, "critical", n),
        ],
        {
          config: configFile,
          reportsDir,
          siteUrl: "https://sec.example.com",
          log: (l) => log.push(l),
        },
      );

    const first = await night(1, "failed");
    expect(first.map((d) => [d.target, d.ok, d.alerts])).toEqual([
      ["sec-chat", true, 2],
      ["team-chat", true, 1],
    ]);
    expect(received.map((r) => r.path)).toEqual(["/slack", "/team"]);
    const summary = received[0]!.body;
    expect(summary.text).toBe("run-md: 2 runbooks failed");
    // The most severe first (kms-key-deletion is critical, audit-iam high).
    expect(summary.blocks[1]!.text.text).toContain(
      "First offender: principal = arn:aws:iam::111122223333:user/&lt;!channel&gt;",
    );
    expect(summary.blocks[1]!.text.text).toContain(
      "<https://sec.example.com/runbooks/audit-iam/runs/2026-11-21T02-00-00.000Z/|Open this run>",
    );
    expect(summary.blocks[0]!.text.text).toContain("*Runbook kms-key-deletion failed");
    expect(log).toEqual(["notified 2 of 2 targets about 2 changes"]);

    expect(await night(2, "failed")).toEqual([]);
    expect(received).toHaveLength(2);

    await night(3, "passed");
    expect(received.slice(2).map((r) => r.body.text)).toEqual([
      "run-md: 2 runbooks recovered",
      ":large_green_circle: run-md: Runbook kms-key-deletion recovered (severity critical)",
    ]);
  });

  it("an investigation (--since) is alerted apart: it never resolves nor opens the runbook's own alert (review)", async () => {
    const reportsDir = path.join(work, "reports-investigations");
    const before = received.length;
    const night = (n: number, status: "failed" | "passed", investigation: boolean) => {
      const o = outcome("audit-iam", status, "high", n);
      if (investigation)
        Object.assign(o.report as RunReport, { kind: "investigation", params: {} });
      return deliveriesOf([o], { config: configFile, reportsDir, log: () => {} });
    };
    const texts = () => received.slice(before).map((r) => r.body.text);
    await night(1, "failed", false); // the runbook's own run fails: told
    await night(2, "passed", true); // a one-hour investigation passes: the runbook still fails
    expect(texts()).toEqual([":red_circle: run-md: Runbook audit-iam failed (severity high)"]);
    await night(3, "failed", true); // an investigation that fails: told as one
    expect(texts()).toHaveLength(2);
    await night(4, "failed", false); // the runbook's own run, still failing: nothing new
    expect(texts()).toHaveLength(2);
    await night(5, "passed", false); // the runbook recovers: told
    expect(texts().at(-1)).toBe(
      ":large_green_circle: run-md: Runbook audit-iam recovered (severity high)",
    );
  });

  it("a --date catch-up that passes never resolves another night's catch-up that failed (red-team)", async () => {
    const reportsDir = path.join(work, "reports-catch-ups");
    const before = received.length;
    const catchUp = (n: number, status: "failed" | "passed", night: string) => {
      const o = outcome("audit-iam", status, "high", n);
      Object.assign(o.report as RunReport, { kind: "investigation", params: {} });
      return deliveriesOf([o], {
        config: configFile,
        reportsDir,
        catchUp: new Date(night),
        log: () => {},
      });
    };
    const texts = () => received.slice(before).map((r) => r.body.text);
    await catchUp(1, "failed", "2026-11-18T05:17:00Z"); // the missed Tuesday: an attack
    expect(texts()).toEqual([":red_circle: run-md: Runbook audit-iam failed (severity high)"]);
    // Wednesday's catch-up is quiet: Tuesday's finding is still to be dealt with.
    await catchUp(2, "passed", "2026-11-19T05:17:00Z");
    expect(texts().filter((t) => t.includes("recovered"))).toEqual([]);
    // Tuesday caught up again, once fixed: that one recovers.
    await catchUp(3, "passed", "2026-11-18T05:17:00Z");
    expect(texts().at(-1)).toContain("recovered");
  });

  it("a --date catch-up whose runner died is alerted as that night's investigation, not as the runbook failing (no noise, then no false recovery)", async () => {
    const reportsDir = path.join(work, "reports-lost-catch-up");
    const before = received.length;
    const texts = () => received.slice(before).map((r) => r.body.text);
    const own = (n: number) =>
      deliveriesOf([outcome("audit-iam", "passed", "high", n)], {
        config: configFile,
        reportsDir,
        log: () => {},
      });
    await own(1); // the runbook's own night passes
    // Last Tuesday caught up: the runner died, and the job stored an investigation's errored
    // report for it (lost-run.ts).
    const lost = outcome("audit-iam", "passed", "high", 2);
    Object.assign(lost.report as RunReport, {
      kind: "investigation",
      params: {},
      status: "errored",
      steps: [],
      error: { code: "internal", message: "the runner ended without a report (exit code 1)" },
    });
    const crashed: NightlyOutcome = {
      ...lost,
      status: "errored",
      exitCode: 1,
      lostReport: lost.report as RunReport,
      stderr: "FATAL ERROR: Reached heap limit\n",
    };
    delete crashed.report;
    await deliveriesOf([crashed], {
      config: configFile,
      reportsDir,
      catchUp: new Date("2026-11-18T05:17:00Z"),
      log: () => {},
    });
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain("errored");
    // The runbook's own next night passes, as before: its own alert never opened, so nothing
    // recovers (the catch-up's investigation stays open until that night is read again).
    await own(3);
    expect(texts()).toHaveLength(1);
  });

  it("a --since run that passes never resolves what a --since of another window found (red-team)", async () => {
    const reportsDir = path.join(work, "reports-since");
    const before = received.length;
    const run = (n: number, status: "failed" | "passed", since: string) => {
      const o = outcome("audit-iam", status, "high", n);
      Object.assign(o.report as RunReport, { kind: "investigation", params: {} });
      return deliveriesOf([o], { config: configFile, reportsDir, since, log: () => {} });
    };
    const texts = () => received.slice(before).map((r) => r.body.text);
    await run(1, "failed", "7d");
    expect(texts()).toEqual([":red_circle: run-md: Runbook audit-iam failed (severity high)"]);
    await run(2, "passed", "1h"); // a quiet hour says nothing of the week
    expect(texts()).toHaveLength(1);
    await run(3, "passed", "7d"); // the same window, quiet now: recovered
    expect(texts().at(-1)).toContain("recovered");
  });

  it("says a bad notify: section and goes on", async () => {
    const bad = path.join(work, "bad.yaml");
    await writeFile(bad, "notify:\n  targets:\n    - { type: pager }\n");
    const log: string[] = [];
    const { deliveries, mistakes } = await notifyNightly(
      [outcome("audit-iam", "failed", "high", 1)],
      {
        config: bad,
        reportsDir: work,
        log: (l) => log.push(l),
      },
    );
    // The target it meant is not told, and that is a failed delivery (told again once fixed).
    expect(deliveries.map((d) => [d.target, d.ok])).toEqual([["pager (notify.targets[0])", false]]);
    expect(mistakes).toHaveLength(1);
    expect(log[0]).toContain("error notify: ");
    expect(log[0]).toContain("notify.targets[0].type must be one of");
    expect(log).toContain("notified 0 of 1 target about 1 change");
  });

  it("a mistake of the section (a key, the reminder, retry) is said and counted, and every target is still told (red-team)", async () => {
    const typo = path.join(work, "typo.yaml");
    const target = `{ type: slack, name: sec-chat, url: "${base}/slack" }`;
    await writeFile(
      typo,
      `notify:\n  reminders: 24h\n  reminder: 1 day\n  retry: { attempts: 0 }\n  targets:\n    - ${target}\n`,
    );
    const log: string[] = [];
    const before = received.length;
    const { deliveries, mistakes } = await notifyNightly(
      [outcome("audit-iam", "failed", "high", 1)],
      { config: typo, reportsDir: path.join(work, "typo-reports"), log: (l) => log.push(l) },
    );
    expect(deliveries.map((d) => [d.target, d.ok])).toEqual([["sec-chat", true]]);
    expect(received.slice(before).map((r) => r.path)).toEqual(["/slack"]);
    expect(mistakes).toHaveLength(3);
    expect(mistakes[0]).toMatch(/typo\.yaml:2:3: notify\.reminders is not a known key/);
    expect(mistakes[1]).toContain("notify.reminder must be a duration");
    expect(mistakes[2]).toContain("notify.retry.attempts must be a whole number of at least 1");
    expect(log.filter((l) => l.startsWith("error notify: "))).toHaveLength(3);
  });

  it("a configuration that does not load is a mistake too, and RUN_MD_WEBHOOK_URL is still told", async () => {
    const broken = path.join(work, "broken.yaml");
    await writeFile(broken, "notify: [\n");
    const { deliveries, mistakes } = await notifyNightly(
      [outcome("audit-iam", "failed", "high", 1)],
      {
        config: broken,
        reportsDir: path.join(work, "broken-reports"),
        webhookUrl: `${base}/hooks/broken`,
        log: () => {},
      },
    );
    expect(deliveries.map((d) => [d.target, d.ok])).toEqual([["RUN_MD_WEBHOOK_URL", true]]);
    expect(mistakes).toHaveLength(1);
  });
});

describe("RUN_MD_WEBHOOK_URL, a Slack target of @run-md/notify", () => {
  it("gets one message for several failed runbooks, each with its failed check and run link, then nothing while nothing changes", async () => {
    const reportsDir = path.join(work, "webhook-reports");
    received.length = 0;
    const log: string[] = [];
    const night = (n: number) =>
      webhookNight(
        reportsDir,
        [
          outcome("audit-iam", "failed", "high", n),
          outcome("kms-key-deletion", "failed", "critical", n),
          outcome("quiet-night", "passed", "low", n),
        ],
        log,
      );
    const first = await night(1);
    expect(first.map((d) => [d.target, d.ok, d.alerts])).toEqual([["RUN_MD_WEBHOOK_URL", true, 2]]);
    expect(received.map((r) => r.path)).toEqual(["/hooks/nightly"]);
    const { text, blocks } = received[0]!.body;
    expect(text).toBe("run-md: 2 runbooks failed");
    expect(blocks).toHaveLength(2);
    // The most severe first.
    for (const [i, id] of ["kms-key-deletion", "audit-iam"].entries()) {
      const block = blocks[i]!.text.text;
      expect(block).toContain(`*Runbook ${id} failed (severity `);
      expect(block).toContain("Failed check: rows == 0 in step s: rows = 1, expected == 0");
      expect(block).toContain(
        `<https://sec.example.com/runbooks/${id}/runs/2026-11-21T02-00-00.000Z/|Open this run>`,
      );
    }
    expect(JSON.stringify(received[0]!.body)).not.toContain("quiet-night");
    expect(log).toEqual(["notified 1 of 1 target about 2 changes"]);

    expect(await night(2)).toEqual([]);
    expect(received).toHaveLength(1);
  });

  it("tells only the outcomes --notify names", async () => {
    const reportsDir = path.join(work, "webhook-on");
    received.length = 0;
    const night = (n: number, status: "failed" | "passed") =>
      deliveriesOf([outcome("audit-iam", status, "high", n)], {
        config: noNotifyConfig,
        reportsDir,
        webhookUrl: `${base}/hooks/nightly`,
        webhookOn: ["recovered"],
        log: () => {},
      });
    expect(await night(1, "failed")).toEqual([]);
    await night(2, "passed");
    expect(received.map((r) => r.body.text)).toEqual([
      ":large_green_circle: run-md: Runbook audit-iam recovered (severity high)",
    ]);
  });

  it("escapes mrkdwn and masks the last words of a run that left no report", async () => {
    received.length = 0;
    const crashed: NightlyOutcome = {
      runbookId: "leaky",
      title: "<!channel> Leaky <https://evil.example|click here>",
      severity: "urgent", // a runbook the parser rejected: its severity is not checked
      status: "errored",
      exitCode: 2,
      durationMs: 5,
      startedAt: "2026-11-21T02:00:00.000Z",
      stderr: `runbooks/leaky.md:4:1 error unknown front matter key "${SECRET}"\nerror 1 problem in the runbook; nothing was run\n`,
    };
    await webhookNight(path.join(work, "webhook-crash"), [crashed]);
    expect(received).toHaveLength(1);
    const posted = JSON.stringify(received[0]!.body);
    expect(posted).not.toMatch(/<!channel>|<https:\/\/evil/);
    expect(received[0]!.body.text).toContain(
      "&lt;!channel&gt; Leaky &lt;https://evil.example|click here&gt; errored (severity critical)",
    );
    expect(posted).toContain("runbooks/leaky.md:4:1 error unknown front matter key"); // the runner's words ...
    expect(posted).not.toContain("EXAMPLEKEY"); // ... without the secret
    expect(posted).toContain("<https://sec.example.com/runbooks/leaky/|Open the runbook>");
  });

  it("says a webhook that is down, after retrying it", async () => {
    received.length = 0;
    const log: string[] = [];
    const deliveries = await deliveriesOf([outcome("audit-iam", "failed", "high", 1)], {
      config: noNotifyConfig,
      reportsDir: path.join(work, "webhook-down"),
      webhookUrl: `${base}/down`,
      log: (l) => log.push(l),
    });
    expect(deliveries.map((d) => [d.ok, d.attempts])).toEqual([[false, 3]]);
    expect(received).toHaveLength(3);
    expect(log).toContain(
      `  notification to RUN_MD_WEBHOOK_URL failed after 3 attempts: HTTP 503 from ${base.slice(7)}: slack is down`,
    );
  });
});

describe("red-team: escalations that must not leak or go silent", () => {
  it("a target down the night a weekly runbook failed is told the next night, though that runbook does not run then (red-team)", async () => {
    const reportsDir = path.join(work, "untold-weekly");
    const night = (url: string, outcomes: NightlyOutcome[]) =>
      deliveriesOf(outcomes, {
        config: noNotifyConfig,
        reportsDir,
        siteUrl: "https://sec.example.com",
        webhookUrl: `${base}${url}`,
        log: () => {},
      });
    received.length = 0;
    // Monday: the weekly runbook fails, and Slack answers 503 to every attempt.
    const monday = await night("/down", [outcome("weekly-audit", "failed", "high", 1)]);
    expect(monday.map((d) => d.ok)).toEqual([false]);
    expect(received.map((r) => r.path)).toEqual(["/down", "/down", "/down"]);
    // Tuesday: Slack is back; only the nightly runbooks run (they pass), the weekly one is not
    // due until next Monday. Its failure, which nobody heard of, is told now.
    received.length = 0;
    const tuesday = await night("/hooks/up", [outcome("audit-iam", "passed", "high", 2)]);
    expect(tuesday.map((d) => d.ok)).toEqual([true]);
    expect(received.map((r) => r.path)).toEqual(["/hooks/up"]);
    const told = JSON.stringify(received[0]?.body);
    expect(told).toContain("Runbook weekly-audit failed (severity high)");
    expect(told).toContain("rows = 1, expected == 0");
    expect(told).not.toContain("audit-iam");
    // Told once: Wednesday's job sends nothing.
    received.length = 0;
    expect(await night("/hooks/up", [outcome("audit-iam", "passed", "high", 3)])).toEqual([]);
    expect(received).toEqual([]);
  });

  it("a rejected runbook whose severity cannot be read is told as critical: a minSeverity target is not skipped", async () => {
    received.length = 0;
    const crashed: NightlyOutcome = {
      runbookId: "kms-keys",
      title: "KMS keys",
      severity: "Critical", // the parser refuses it: it meant the pager to hear of this runbook
      status: "errored",
      exitCode: 2,
      durationMs: 5,
      startedAt: "2026-11-21T02:00:00.000Z",
      stderr: 'runbooks/kms-keys.md:3:11 error invalid severity "Critical"\n',
    };
    const deliveries = await deliveriesOf([crashed], {
      config: configFile,
      reportsDir: path.join(work, "bad-severity"),
      log: () => {},
    });
    expect(deliveries.map((d) => [d.target, d.ok])).toEqual([
      ["sec-chat", true],
      ["team-chat", true], // minSeverity: critical
    ]);
    expect(received.find((r) => r.path === "/team")?.body.text).toContain("(severity critical)");
  });

  it("masks access key ids in a crashed run's last words when mask.accessKeyIds is hide", async () => {
    received.length = 0;
    const hide = path.join(work, "hide.yaml");
    await writeFile(hide, "mask:\n  accessKeyIds: hide\n");
    const crashed: NightlyOutcome = {
      runbookId: "leak",
      title: "Leak",
      severity: "high",
      status: "errored",
      exitCode: 2,
      durationMs: 5,
      startedAt: "2026-11-21T02:00:00.000Z",
      stderr:
        'runbooks/leak.md:8:1 error unknown front matter key "bogus_AKIAIOSFODNN7EXAMPLE" [unknown-key]\n',
    };
    await deliveriesOf([crashed], {
      config: hide,
      reportsDir: path.join(work, "hide-crash"),
      webhookUrl: `${base}/hooks/nightly`,
      log: () => {},
    });
    expect(received).toHaveLength(1);
    const posted = JSON.stringify(received[0]!.body);
    expect(posted).toContain("unknown front matter key");
    expect(posted).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });
});

describe("red-team: one bad notify target", () => {
  it("does not silence the others (a target whose secret variable is not set)", async () => {
    received.length = 0;
    const mixed = path.join(work, "mixed.yaml");
    await writeFile(
      mixed,
      `notify:\n  targets:\n    - { type: pagerduty, routingKeyEnv: RT_UNSET_PAGERDUTY_KEY }\n    - { type: slack, name: sec-chat, url: "${base}/slack" }\n`,
    );
    const log: string[] = [];
    const deliveries = await deliveriesOf([outcome("audit-iam", "failed", "high", 1)], {
      config: mixed,
      reportsDir: path.join(work, "mixed-targets"),
      log: (l) => log.push(l),
    });
    // The other target is told; the unusable one is a failed delivery, never "2 of 2".
    expect(deliveries.map((d) => [d.target, d.ok])).toEqual([
      ["pagerduty (notify.targets[0])", false],
      ["sec-chat", true],
    ]);
    expect(received.map((r) => r.path)).toEqual(["/slack"]);
    expect(log.join("\n")).toContain("RT_UNSET_PAGERDUTY_KEY");
    expect(log).toContain("notified 1 of 2 targets about 1 change");
  });
});
