/**
 * A notify target changed while a runbook fails (a pager added, its minSeverity lowered, its
 * `on:` widened to failures): it has heard nothing of that failure, so it is told once, and the
 * targets that were told are not told again. Truth: what each receiver got.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { notify, parseNotifyConfig, STATE_FILE } from "@run-md/notify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { report, startReceiver } from "./helpers.ts";

let chat: Awaited<ReturnType<typeof startReceiver>>;
let pager: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  chat = await startReceiver();
  pager = await startReceiver();
});
afterAll(async () => {
  await chat.close();
  await pager.close();
});
beforeEach(() => {
  chat.received.length = 0;
  pager.received.length = 0;
});

const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
const dir = () => mkdtemp(path.join(tmpdir(), "run-md-target-changed-"));

/** The chat (every severity) and, when given, the pager with these settings. */
const configOf = (pagerSettings?: Record<string, unknown>) =>
  parseNotifyConfig(
    {
      targets: [
        { type: "slack", name: "chat", url: chat.url },
        ...(pagerSettings
          ? [{ type: "slack", name: "pager", url: pager.url, ...pagerSettings }]
          : []),
      ],
      retry: { attempts: 1, backoffMs: 1 },
    },
    "run-md.config.yaml",
  );

/** audit-iam (severity high) on night h. */
const night = (
  reportsDir: string,
  config: ReturnType<typeof configOf>,
  h: number,
  status: "failed" | "passed" | "errored",
) => {
  const r = report("audit-iam", status === "errored" ? "passed" : status, {
    startedAt: at(h).toISOString(),
    severity: "high",
  });
  const run =
    status === "errored"
      ? { ...r, status: "errored" as const, error: { code: "engine", message: "throttled" } }
      : r;
  return notify([{ report: run }], config, { reportsDir, now: at(h) });
};

describe("a target changed while a runbook fails", () => {
  it("a pager added while it fails is paged once; the chat is not told again; both hear the recovery", async () => {
    const reportsDir = await dir();
    await night(reportsDir, configOf(), 1, "failed");
    expect(chat.received).toHaveLength(1);
    const withPager = configOf({ minSeverity: "high" });
    await night(reportsDir, withPager, 25, "failed");
    expect(pager.received).toHaveLength(1);
    expect(pager.received[0]!.text).toContain("Audit IAM changes");
    expect(chat.received).toHaveLength(1);
    await night(reportsDir, withPager, 49, "failed");
    expect(pager.received).toHaveLength(1);
    expect(chat.received).toHaveLength(1);
    await night(reportsDir, withPager, 73, "passed");
    expect(pager.received).toHaveLength(2);
    expect(chat.received).toHaveLength(2);
  });

  it("a pager's minSeverity lowered to the runbook's while it fails: paged once", async () => {
    const reportsDir = await dir();
    await night(reportsDir, configOf({ minSeverity: "critical" }), 1, "failed");
    expect(pager.received).toHaveLength(0);
    const lowered = configOf({ minSeverity: "high" });
    await night(reportsDir, lowered, 25, "failed");
    expect(pager.received).toHaveLength(1);
    expect(chat.received).toHaveLength(1);
    await night(reportsDir, lowered, 49, "failed");
    expect(pager.received).toHaveLength(1);
  });

  it("a target's on: widened to errored while the runbook errors: told once", async () => {
    const reportsDir = await dir();
    await night(reportsDir, configOf({ on: ["failed", "recovered"] }), 1, "errored");
    expect(pager.received).toHaveLength(0);
    const widened = configOf({ on: ["failed", "errored", "recovered"] });
    await night(reportsDir, widened, 25, "errored");
    expect(pager.received).toHaveLength(1);
    await night(reportsDir, widened, 49, "errored");
    expect(pager.received).toHaveLength(1);
    expect(chat.received).toHaveLength(1);
  });

  it("a pager added while a weekly runbook fails hears of it the next night, though that runbook does not run then", async () => {
    const reportsDir = await dir();
    await night(reportsDir, configOf(), 1, "failed");
    expect(chat.received).toHaveLength(1);
    const withPager = configOf({ minSeverity: "high" });
    // The next night runs another runbook only (audit-iam is weekly).
    const other = (h: number) =>
      notify(
        [{ report: report("root-usage", "passed", { startedAt: at(h).toISOString() }) }],
        withPager,
        { reportsDir, now: at(h) },
      );
    await other(25);
    expect(pager.received).toHaveLength(1);
    expect(pager.received[0]!.text).toContain("Audit IAM changes");
    expect(chat.received).toHaveLength(1);
    await other(49);
    expect(pager.received).toHaveLength(1);
  });

  it("a state written before targets were remembered per failure pages nobody again", async () => {
    const reportsDir = await dir();
    const both = configOf({ minSeverity: "high" });
    await night(reportsDir, both, 1, "failed");
    expect([chat.received.length, pager.received.length]).toEqual([1, 1]);
    // The state as an older run-md wrote it: no record of whom the failure reached.
    const file = path.join(reportsDir, STATE_FILE);
    const state = JSON.parse(await readFile(file, "utf8"));
    for (const entry of Object.values(state.runbooks) as Record<string, unknown>[]) {
      for (const key of Object.keys(entry)) {
        if (
          !["failing", "since", "notifiedAt", "lastStatus", "lastRunAt", "severity"].includes(key)
        )
          delete entry[key];
      }
    }
    await writeFile(file, JSON.stringify(state));
    await writeFile(`${file}.backup`, JSON.stringify(state));
    const second = await night(reportsDir, both, 25, "failed");
    expect(second.alerts).toEqual([]);
    expect([chat.received.length, pager.received.length]).toEqual([1, 1]);
  });

  it("a pager added while it fails, down that night: paged the next night", async () => {
    const reportsDir = await dir();
    await night(reportsDir, configOf(), 1, "failed");
    const { deadUrl } = await import("./helpers.ts");
    const down = parseNotifyConfig(
      {
        targets: [
          { type: "slack", name: "chat", url: chat.url },
          { type: "slack", name: "pager", urlEnv: "PAGER_URL", minSeverity: "high" },
        ],
        retry: { attempts: 1, backoffMs: 1 },
      },
      "run-md.config.yaml",
      { PAGER_URL: await deadUrl() },
    );
    const second = await night(reportsDir, down, 25, "failed");
    expect(second.deliveries.map((d) => [d.target, d.ok])).toEqual([["pager", false]]);
    const up = parseNotifyConfig(
      {
        targets: [
          { type: "slack", name: "chat", url: chat.url },
          { type: "slack", name: "pager", urlEnv: "PAGER_URL", minSeverity: "high" },
        ],
        retry: { attempts: 1, backoffMs: 1 },
      },
      "run-md.config.yaml",
      { PAGER_URL: pager.url },
    );
    await night(reportsDir, up, 49, "failed");
    expect(pager.received).toHaveLength(1);
    expect(chat.received).toHaveLength(1);
  });
});
