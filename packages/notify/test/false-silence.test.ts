/** Red-team: runs that failed or errored and must not end in silence. */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunReport } from "@run-md/core";
import {
  type AlertState,
  investigationDigest,
  notify,
  parseNotifyConfig,
  STATE_FILE,
  stateText,
} from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { report, startReceiver } from "./helpers.ts";

let chat: Awaited<ReturnType<typeof startReceiver>>;
let answer = 200;
beforeAll(async () => {
  chat = await startReceiver((_r, res) => res.writeHead(answer).end("x"));
});
afterAll(async () => {
  await chat.close();
});

const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
const dir = () => mkdtemp(path.join(tmpdir(), "run-md-silence-"));

function errored(id: string, startedAt: string): RunReport {
  const r = report(id, "passed", { startedAt });
  return {
    ...r,
    status: "errored",
    error: { code: "engine", message: "Athena: throttled" },
  } as RunReport;
}

/** audit-iam failing, told to the chat receiver with one attempt. */
function failingToSlack(reportsDir: string) {
  const config = parseNotifyConfig(
    { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
    "run-md.config.yaml",
  );
  return notify(
    [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }],
    config,
    { reportsDir, now: at(1) },
  );
}

describe("false silences", () => {
  it("a failure no target could be told about is told again on the next run", async () => {
    const reportsDir = await dir();
    const config = parseNotifyConfig(
      { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
      "run-md.config.yaml",
    );
    const run = (h: number) =>
      notify(
        [{ report: report("audit-iam", "failed", { startedAt: at(h).toISOString() }) }],
        config,
        {
          reportsDir,
          now: at(h),
        },
      );
    answer = 503;
    const first = await run(1);
    expect(first.deliveries.map((d) => d.ok)).toEqual([false]);
    answer = 200;
    const second = await run(2);
    expect(second.alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect(second.deliveries.map((d) => d.ok)).toEqual([true]);
    const third = await run(3);
    expect(third.alerts).toEqual([]);
  });

  it("an investigation's failure that no target heard goes out with the next event's runs: its own event never comes again (red-team)", async () => {
    const reportsDir = await dir();
    const config = parseNotifyConfig(
      { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
      "run-md.config.yaml",
    );
    const investigate = (key: string, status: "failed" | "passed", h: number) =>
      notify(
        [
          {
            report: {
              ...report("access-key-activity", status, { startedAt: at(h).toISOString() }),
              params: { access_key_id: key },
            },
            investigation: investigationDigest("access-key-activity", { access_key_id: key }),
            about: ["access_key_id"],
          },
        ],
        config,
        { reportsDir, now: at(h) },
      );
    chat.received.length = 0;
    answer = 503;
    const first = await investigate("AKIAEXAMPLEMALLORY01", "failed", 1);
    expect(first.deliveries.map((d) => d.ok)).toEqual([false]);
    // Another key's event, an hour later, finds nothing: the chat is back, and hears of both the
    // first key's failure and nothing of the second's quiet run.
    answer = 200;
    chat.received.length = 0;
    const second = await investigate("AKIAEXAMPLEBOB000001", "passed", 2);
    expect(second.deliveries.map((d) => d.ok)).toEqual([true]);
    expect(chat.received).toHaveLength(1);
    expect(chat.received[0]?.text).toContain("access_key_id=AKIAEXAMPLEMALLORY01) failed");
    expect(chat.received[0]?.text).not.toContain("AKIAEXAMPLEBOB000001");
    // Told once.
    chat.received.length = 0;
    expect((await investigate("AKIAEXAMPLEBOB000001", "passed", 3)).deliveries).toEqual([]);
    expect(chat.received).toEqual([]);
  });

  it("an alert another notifier claimed is not sent again while it sends it, and is sent once its claim ran out (it died before telling)", async () => {
    const config = parseNotifyConfig(
      { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
      "run-md.config.yaml",
    );
    // The state as the first notifier stored it before sending (its claim), kept as it was: that
    // notifier died before the message went out.
    let claimedState: AlertState | undefined;
    answer = 200;
    await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }],
      config,
      {
        reportsDir: await dir(),
        now: at(1),
        claim: async (planned) => {
          claimedState = structuredClone(planned);
          return undefined;
        },
      },
    );
    expect(claimedState?.runbooks["audit-iam"]?.claimedUntil).toBeDefined();
    const reportsDir = await dir();
    await writeFile(path.join(reportsDir, STATE_FILE), stateText(claimedState!));
    const another = (minutes: number) =>
      notify(
        [{ report: report("kms-key-deletion", "passed", { startedAt: at(1).toISOString() }) }],
        config,
        { reportsDir, now: new Date(at(1).getTime() + minutes * 60_000) },
      );
    chat.received.length = 0;
    // A minute later, another notifier: the claim stands (its holder may still be sending).
    expect((await another(1)).alerts).toEqual([]);
    // Sixteen minutes later: no notifier sends that long; the failure is told.
    const late = await another(16);
    expect(late.alerts.map((a) => [a.runbook.id, a.kind])).toEqual([["audit-iam", "failing"]]);
    expect(late.deliveries.map((d) => d.ok)).toEqual([true]);
    expect(chat.received).toHaveLength(1);
    expect((await another(17)).alerts).toEqual([]);
  });

  it("a retry of the notifier that claimed an alert and died (the same event again) tells it, while another notifier still does not (red-team)", async () => {
    // Lambda runs an asynchronous invocation that failed (a timeout, out of memory) again, with
    // the same event, a minute or two later: well within the claim's 15 minutes. When that retry
    // took its own dead attempt's claim for another notifier's, nobody told the failure until
    // some other event came, maybe never.
    const config = parseNotifyConfig(
      { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
      "run-md.config.yaml",
    );
    const runs = [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }];
    let claimedState: AlertState | undefined;
    answer = 200;
    await notify(runs, config, {
      reportsDir: await dir(),
      now: at(1),
      claimant: "event-1",
      claim: async (planned) => {
        claimedState = structuredClone(planned);
        return undefined;
      },
    });
    const reportsDir = await dir();
    await writeFile(path.join(reportsDir, STATE_FILE), stateText(claimedState!));
    chat.received.length = 0;
    const later = { reportsDir, now: new Date(at(1).getTime() + 60_000) };
    // Another event's notifier a minute later: the claim stands.
    expect((await notify(runs, config, { ...later, claimant: "event-2" })).alerts).toEqual([]);
    expect(chat.received).toHaveLength(0);
    // The same event's retry: the claim is its own dead attempt's, and the failure is told.
    const retry = await notify(runs, config, { ...later, claimant: "event-1" });
    expect(retry.alerts.map((a) => [a.runbook.id, a.kind])).toEqual([["audit-iam", "failing"]]);
    expect(chat.received).toHaveLength(1);
    const state = JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8"));
    expect(state.runbooks["audit-iam"].untold).toBeUndefined();
    expect(state.runbooks["audit-iam"].claimedUntil).toBeUndefined();
    expect(state.runbooks["audit-iam"].claimedBy).toBeUndefined();
  });

  it("a target that takes only findings hears of a finding that follows an error", async () => {
    const reportsDir = await dir();
    answer = 200;
    const config = parseNotifyConfig(
      {
        targets: [{ type: "slack", url: chat.url, on: ["failed", "recovered"] }],
        retry: { attempts: 1, backoffMs: 1 },
      },
      "run-md.config.yaml",
    );
    const first = await notify([{ report: errored("audit-iam", at(1).toISOString()) }], config, {
      reportsDir,
      now: at(1),
    });
    expect(first.deliveries).toEqual([]);
    const second = await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(2).toISOString() }) }],
      config,
      { reportsDir, now: at(2) },
    );
    expect(second.alerts.map((a) => [a.kind, a.status])).toEqual([["failing", "failed"]]);
    expect(second.deliveries.map((d) => d.ok)).toEqual([true]);
  });

  it("two runs of one runbook id in a batch: the failure wins, no recovery in the same breath", async () => {
    const reportsDir = await dir();
    answer = 200;
    const config = parseNotifyConfig(
      { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
      "run-md.config.yaml",
    );
    const runs = (h: number) => [
      { report: report("audit-iam", "failed", { startedAt: at(h).toISOString() }) },
      { report: report("audit-iam", "passed", { startedAt: at(h).toISOString() }) },
    ];
    const first = await notify(runs(1), config, { reportsDir, now: at(1) });
    expect(first.alerts.map((a) => [a.kind, a.status])).toEqual([["failing", "failed"]]);
    const state = JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8"));
    expect(state.runbooks["audit-iam"].failing).toBe(true);
  });

  it("a state file of the wrong shape does not stop the alerts", async () => {
    const reportsDir = await dir();
    answer = 200;
    await writeFile(path.join(reportsDir, STATE_FILE), '{"version":1,"runbooks":null}');
    const r = await failingToSlack(reportsDir);
    expect(r.alerts.map((a) => a.kind)).toEqual(["failing"]);
  });

  it("a state file that cannot be read or written does not stop the alerts", async () => {
    const reportsDir = await dir();
    answer = 200;
    await mkdir(path.join(reportsDir, STATE_FILE));
    const r = await failingToSlack(reportsDir);
    expect(r.alerts.map((a) => a.kind)).toEqual(["failing"]);
    expect(r.deliveries.map((d) => d.ok)).toEqual([true]);
  });

  it("two notifiers sharing one state file at once keep each other's changes (a lost recovery is a later silence)", async () => {
    const reportsDir = await dir();
    answer = 200;
    const slow = await startReceiver((r, res) => {
      setTimeout(() => res.writeHead(200).end("ok"), r.text.includes("recovered") ? 300 : 0);
    });
    try {
      const config = parseNotifyConfig(
        { targets: [{ type: "slack", url: slow.url }], retry: { attempts: 1, backoffMs: 1 } },
        "run-md.config.yaml",
      );
      const one = (id: string, status: "failed" | "passed", h: number) =>
        notify([{ report: report(id, status, { startedAt: at(h).toISOString() }) }], config, {
          reportsDir,
          now: at(h),
        });
      await one("audit-iam", "failed", 1);
      // The nightly job and a trigger (or two triggers) at once: one tells a recovery, the
      // other a new failure of another runbook.
      const [recovery, other] = await Promise.all([
        one("audit-iam", "passed", 2),
        one("root-usage", "failed", 2),
      ]);
      expect(recovery.alerts.map((a) => a.kind)).toEqual(["recovered"]);
      expect(other.alerts.map((a) => a.kind)).toEqual(["failing"]);
      const state = JSON.parse(await readFile(path.join(reportsDir, STATE_FILE), "utf8"));
      expect(state.runbooks["audit-iam"].failing).toBe(false);
      expect(state.runbooks["root-usage"].failing).toBe(true);
      const again = await one("audit-iam", "failed", 3);
      expect(again.alerts.map((a) => a.kind)).toEqual(["failing"]);
    } finally {
      await slow.close();
    }
  });
});

describe("a runbook whose severity changed while it failed", () => {
  /** A chat that hears every severity and a pager that hears `high` and above, both answering. */
  async function targets() {
    const pager = await startReceiver();
    const config = parseNotifyConfig(
      {
        targets: [
          { type: "slack", name: "chat", url: chat.url },
          { type: "slack", name: "pager", url: pager.url, minSeverity: "high" },
        ],
        retry: { attempts: 1, backoffMs: 1 },
      },
      "run-md.config.yaml",
    );
    return { pager, config };
  }
  const night = (
    reportsDir: string,
    config: ReturnType<typeof parseNotifyConfig>,
    h: number,
    status: "passed" | "failed",
    severity: string,
  ) =>
    notify(
      [{ report: report("audit-iam", status, { startedAt: at(h).toISOString(), severity }) }],
      config,
      { reportsDir, now: at(h) },
    );

  it("raised to a severity a pager takes while it still fails: the pager is paged, the chat is not told again", async () => {
    answer = 200;
    const reportsDir = await dir();
    const { pager, config } = await targets();
    try {
      const chatBefore = chat.received.length;
      await night(reportsDir, config, 1, "failed", "medium");
      expect(chat.received.length - chatBefore).toBe(1);
      expect(pager.received).toHaveLength(0);
      // The author raised it to high: the failure the pager never heard of is news to it.
      const second = await night(reportsDir, config, 2, "failed", "high");
      expect(pager.received).toHaveLength(1);
      expect(pager.received[0]!.text).toContain("Audit IAM changes");
      expect(second.deliveries.map((d) => [d.target, d.ok])).toEqual([["pager", true]]);
      expect(chat.received.length - chatBefore).toBe(1);
      // Told once: the next night of the same failure says nothing.
      const third = await night(reportsDir, config, 3, "failed", "high");
      expect(third.alerts).toEqual([]);
      // Its recovery reaches both.
      await night(reportsDir, config, 4, "passed", "high");
      expect(pager.received).toHaveLength(2);
      expect(chat.received.length - chatBefore).toBe(2);
    } finally {
      await pager.close();
    }
  });

  it("lowered below a pager's severity while it fails: its recovery still reaches the pager it paged", async () => {
    answer = 200;
    const reportsDir = await dir();
    const { pager, config } = await targets();
    try {
      await night(reportsDir, config, 1, "failed", "high");
      expect(pager.received).toHaveLength(1);
      // Lowered to medium, still failing: nothing new; then it passes.
      expect((await night(reportsDir, config, 2, "failed", "medium")).alerts).toEqual([]);
      const recovered = await night(reportsDir, config, 3, "passed", "medium");
      expect(recovered.alerts.map((a) => a.kind)).toEqual(["recovered"]);
      // The pager opened an incident for it: it hears that it is over.
      expect(pager.received).toHaveLength(2);
      expect(recovered.deliveries.map((d) => d.target).sort()).toEqual(["chat", "pager"]);
    } finally {
      await pager.close();
    }
  });
});

describe("red-team: a target's secret address", () => {
  it("a webhook address that is no URL is said without quoting it, and not retried", async () => {
    // No https://: the configuration's reading refuses it, naming the key only.
    const schemeless = "hooks.slack.com/services/T0000/B0000/XXXXSECRETXXXX";
    const read = (url: string) =>
      parseNotifyConfig(
        { targets: [{ type: "slack", url }], retry: { attempts: 3, backoffMs: 1 } },
        "run-md.config.yaml",
      );
    expect(() => read(schemeless)).toThrow("notify.targets[0].url must be an http(s) URL");
    expect(() => read(schemeless)).not.toThrow("SECRET");
    // An http(s) address no URL parser takes (a space in the host) is for the sending to say.
    const config = read("https://hooks slack.com/services/T0000/B0000/XXXXSECRETXXXX");
    const { deliveries } = await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }],
      config,
      { reportsDir: await dir(), now: at(1) },
    );
    expect(deliveries.map((d) => [d.ok, d.attempts])).toEqual([[false, 1]]);
    expect(deliveries[0]!.error).toBe(
      "the target's address is not a URL (not shown: it may hold a secret)",
    );
    expect(JSON.stringify(deliveries)).not.toContain("SECRET");
  });
});
