/**
 * Notify storms: many runbooks failing at once (expired credentials, Athena down) must not open
 * one incident each on a pager. Past `notify.digest` new failures in one notify, a target that
 * sends each alert apart (PagerDuty, GitHub) gets one digest naming them all, resolved when the
 * last of them recovers. Truth: the requests the receivers got.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { notify, parseNotifyConfig } from "@run-md/notify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { report, startReceiver } from "./helpers.ts";

let pager: Awaited<ReturnType<typeof startReceiver>>;
let answer = 202;
beforeAll(async () => {
  pager = await startReceiver((_r, res) => res.writeHead(answer).end('{"status":"success"}'));
});
afterAll(async () => {
  await pager.close();
});
beforeEach(() => {
  pager.received.length = 0;
  answer = 202;
});

const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
const dir = () => mkdtemp(path.join(tmpdir(), "run-md-storm-"));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `runbook-${i + 1}`);
const config = (extra: Record<string, unknown> = {}) =>
  parseNotifyConfig(
    {
      targets: [{ type: "pagerduty", url: pager.url, routingKey: "KEY" }],
      retry: { attempts: 1, backoffMs: 1 },
      ...extra,
    },
    "run-md.config.yaml",
  );

/** Night h: each id with its status. */
const night = (
  reportsDir: string,
  h: number,
  statuses: Record<string, "failed" | "passed">,
  cfg = config(),
) =>
  notify(
    Object.entries(statuses).map(([id, status]) => ({
      report: report(id, status, { startedAt: at(h).toISOString(), title: `Title of ${id}` }),
    })),
    cfg,
    { reportsDir, now: at(h) },
  );
const all = (list: string[], status: "failed" | "passed") =>
  Object.fromEntries(list.map((id) => [id, status]));
const events = () =>
  pager.received.map((r) => ({ action: r.json.event_action, key: r.json.dedup_key, text: r.text }));

/** PagerDuty's events since the last clear: one `action` of each of the six runbooks' own incidents. */
function expectOwnIncidents(action: string): void {
  expect(
    events()
      .map((e) => [e.action, e.key])
      .sort(),
  ).toEqual(
    ids(6)
      .map((id) => [action, `run-md/${id}`])
      .sort(),
  );
}

describe("a notify storm", () => {
  it("8 runbooks failing at once page once, naming all 8; the digest resolves when the last recovers", async () => {
    const reportsDir = await dir();
    const eight = ids(8);
    const first = await night(reportsDir, 1, all(eight, "failed"));
    expect(first.deliveries.map((d) => [d.target, d.ok])).toEqual([["pagerduty", true]]);
    const sent = events();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.action).toBe("trigger");
    for (const id of eight) expect(sent[0]!.text).toContain(`Title of ${id}`);
    const digestKey = sent[0]!.key as string;
    expect(digestKey).not.toMatch(/runbook-/);
    // Still failing: nothing.
    pager.received.length = 0;
    await night(reportsDir, 25, all(eight, "failed"));
    expect(events()).toEqual([]);
    // Seven recover: the digest's incident stays open for the eighth.
    await night(reportsDir, 49, { ...all(eight.slice(0, 7), "passed"), "runbook-8": "failed" });
    expect(events().filter((e) => e.action === "trigger")).toEqual([]);
    expect(events().filter((e) => e.key === digestKey)).toEqual([]);
    // The last one recovers: the digest is resolved.
    pager.received.length = 0;
    await night(reportsDir, 73, { "runbook-8": "passed" });
    expect(
      events()
        .filter((e) => e.key === digestKey)
        .map((e) => e.action),
    ).toEqual(["resolve"]);
  });

  it("at the threshold or under it, each runbook is its own incident", async () => {
    const reportsDir = await dir();
    await night(reportsDir, 1, all(ids(5), "failed"));
    expect(
      events()
        .map((e) => e.key)
        .sort(),
    ).toEqual(
      ids(5)
        .map((id) => `run-md/${id}`)
        .sort(),
    );
  });

  it("a reminder of a digest's runbooks is one event on the digest, not one page each", async () => {
    const reportsDir = await dir();
    const cfg = config({ reminder: "24h" });
    await night(reportsDir, 1, all(ids(7), "failed"), cfg);
    const digestKey = events()[0]!.key;
    pager.received.length = 0;
    await night(reportsDir, 25, all(ids(7), "failed"), cfg);
    expect(events().map((e) => [e.action, e.key])).toEqual([["trigger", digestKey]]);
  });

  it("a digest the pager refused is told again the next night, all its runbooks in it", async () => {
    const reportsDir = await dir();
    answer = 500;
    const first = await night(reportsDir, 1, all(ids(6), "failed"));
    expect(first.deliveries.map((d) => d.ok)).toEqual([false]);
    answer = 202;
    pager.received.length = 0;
    await night(reportsDir, 25, all(ids(6), "failed"));
    const sent = events();
    expect(sent).toHaveLength(1);
    for (const id of ids(6)) expect(sent[0]!.text).toContain(`Title of ${id}`);
  });

  it("a digest that is no whole number of at least 1 is a mistake naming its key", () => {
    for (const digest of [0, 2.5, "five"]) {
      expect(() => config({ digest })).toThrow(
        "notify.digest must be a whole number of at least 1, or off",
      );
    }
    // YAML 1.1 reads off as false.
    expect(config({ digest: false }).digest).toBeUndefined();
    expect(config().digest).toBe(5);
  });

  it("digest: off sends each apart", async () => {
    const reportsDir = await dir();
    await night(reportsDir, 1, all(ids(8), "failed"), config({ digest: "off" }));
    expect(events()).toHaveLength(8);
  });
});

describe("a storm of runbooks already paged apart", () => {
  /** Runbooks 1-6 fail three a night: six incidents of their own. */
  const sixApart = async (reportsDir: string) => {
    await night(reportsDir, 1, all(ids(3), "failed"));
    await night(reportsDir, 25, all(ids(6), "failed"));
    expect(
      events()
        .map((e) => e.key)
        .sort(),
    ).toEqual(
      ids(6)
        .map((id) => `run-md/${id}`)
        .sort(),
    );
    pager.received.length = 0;
  };

  it("six failures told apart that all name a new offender at once stay on their own incidents, each resolved on recovery", async () => {
    const reportsDir = await dir();
    await sixApart(reportsDir);
    await notify(
      ids(6).map((id) => ({
        report: report(id, "failed", {
          startedAt: at(49).toISOString(),
          title: `Title of ${id}`,
          actor: "arn:aws:iam::111122223333:user/eve",
        }),
      })),
      config(),
      { reportsDir, now: at(49) },
    );
    // Each is news on its own open incident: no new digest incident opens for them.
    expectOwnIncidents("trigger");
    pager.received.length = 0;
    await night(reportsDir, 73, all(ids(6), "passed"));
    expectOwnIncidents("resolve");
  });

  it("six failures told apart that all error at once (Athena down) are resolved on their own incidents", async () => {
    const reportsDir = await dir();
    await sixApart(reportsDir);
    await notify(
      ids(6).map((id) => ({
        report: report(id, "errored", { startedAt: at(49).toISOString(), title: `Title of ${id}` }),
      })),
      config(),
      { reportsDir, now: at(49) },
    );
    pager.received.length = 0;
    await night(reportsDir, 73, all(ids(6), "passed"));
    expectOwnIncidents("resolve");
  });
});

describe("a digest's runbook with news", () => {
  it("a new offender of a runbook told in a digest is named in the digest's event", async () => {
    const reportsDir = await dir();
    await night(reportsDir, 1, all(ids(6), "failed"));
    const digestKey = events()[0]!.key;
    pager.received.length = 0;
    await notify(
      [
        {
          report: report("runbook-1", "failed", {
            startedAt: at(25).toISOString(),
            title: "Title of runbook-1",
            actor: "arn:aws:iam::111122223333:user/eve",
          }),
        },
      ],
      config(),
      { reportsDir, now: at(25) },
    );
    const sent = events();
    expect(sent.map((e) => [e.action, e.key])).toEqual([["trigger", digestKey]]);
    expect(sent[0]!.text).toContain("user/eve");
  });
});

describe("a digest of runs over the bundled sample data", () => {
  it("says so in the page's summary, as each runbook's alert would (review: the digest's headline did not)", async () => {
    const reportsDir = await dir();
    const runs = ids(8).map((id) => ({
      report: {
        ...report(id, "failed", { startedAt: at(1).toISOString(), title: `Title of ${id}` }),
        sampleData: true as const,
      },
    }));
    await notify(runs, config(), { reportsDir, now: at(1) });
    expect(pager.received).toHaveLength(1);
    const summary = String(pager.received[0]!.json.payload.summary);
    expect(summary).toContain("8 runbooks at once (run-md digest) failed");
    expect(summary).toContain(
      "this run read the bundled sample data (local.logDir: sample), not your CloudTrail logs",
    );
    // Over real logs, nothing of it.
    pager.received.length = 0;
    await night(await dir(), 1, all(ids(8), "failed"));
    expect(String(pager.received[0]!.json.payload.summary)).not.toContain("sample data");
  });
});
