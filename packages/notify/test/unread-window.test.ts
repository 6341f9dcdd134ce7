/**
 * A failing runbook whose next run passed over a window it did not read to the end (days without
 * logs: a delivery outage, a sync that has not run) has not recovered: nothing was checked there.
 * Its alert stays open, and the run that reads the window whole decides. Truth: what the receiver
 * got.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunReport } from "@run-md/core";
import { notify, parseNotifyConfig } from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { report, startReceiver } from "./helpers.ts";

let chat: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  chat = await startReceiver();
});
afterAll(async () => {
  await chat.close();
});

const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
const config = () =>
  parseNotifyConfig(
    { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
    "run-md.config.yaml",
  );

/** A passing (warned) run of audit-iam whose window has days without logs from `from`. */
function unread(h: number, from: string): RunReport {
  const r = report("audit-iam", "passed", { startedAt: at(h).toISOString() });
  const step = r.steps[0]!;
  return {
    ...r,
    status: "warned",
    steps: [
      {
        ...step,
        status: "warned",
        notReadFrom: from,
        warnings: ["the window's day 2026-11-23 (UTC) has no log file with events"],
      },
    ],
  } as RunReport;
}

describe("a pass over a window not read to the end", () => {
  it("is no recovery: the alert stays open until a run reads the window whole", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-unread-"));
    const night = (h: number, r: RunReport) =>
      notify([{ report: r }], config(), { reportsDir, now: at(h) });
    const before = chat.received.length;
    const texts = () => chat.received.slice(before).map((r) => r.json.text as string);
    await night(1, report("audit-iam", "failed", { startedAt: at(1).toISOString() }));
    expect(texts()).toHaveLength(1);
    // The next night's window (within 2026-11-17..24) has days without logs: nothing told.
    const second = await night(25, unread(25, "2026-11-22T23:00:00.000Z"));
    expect(second.alerts).toEqual([]);
    expect(texts()).toHaveLength(1);
    // Read whole, still failing: nothing new (the same failure).
    await night(49, report("audit-iam", "failed", { startedAt: at(49).toISOString() }));
    expect(texts()).toHaveLength(1);
    // Read whole and passing: recovered.
    await night(73, report("audit-iam", "passed", { startedAt: at(73).toISOString() }));
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toContain("recovered");
  });

  it("a runbook that was not failing: a warned run with days without logs changes nothing", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-unread-"));
    const before = chat.received.length;
    const r = await notify([{ report: unread(1, "2026-11-22T23:00:00.000Z") }], config(), {
      reportsDir,
      now: at(1),
    });
    expect(r.alerts).toEqual([]);
    expect(chat.received.length).toBe(before);
  });
});

describe("a pass over a window not read to the end, with a target yet to be told", () => {
  let down: Awaited<ReturnType<typeof startReceiver>>;
  let answer = 500;
  beforeAll(async () => {
    down = await startReceiver((_r, res) => res.writeHead(answer).end("x"));
  });
  afterAll(async () => {
    await down.close();
  });
  const two = (urls: string[]) =>
    parseNotifyConfig(
      {
        targets: urls.map((url, i) => ({ type: "slack", name: `chat-${i}`, url })),
        retry: { attempts: 1, backoffMs: 1 },
      },
      "run-md.config.yaml",
    );

  it("a target that missed the failure is told the failure as it was, not the unread pass", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-unread-"));
    answer = 500;
    await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }],
      two([down.url]),
      { reportsDir, now: at(1) },
    );
    answer = 200;
    const before = down.received.length;
    await notify([{ report: unread(25, "2026-11-22T23:00:00.000Z") }], two([down.url]), {
      reportsDir,
      now: at(25),
    });
    const texts = down.received.slice(before).map((r) => r.text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("user/mallory");
    expect(texts[0]).not.toContain(at(25).toISOString());
  });

  it("a target added while it fails is told the failure though every run since is an unread pass", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-unread-"));
    await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }],
      two([chat.url]),
      { reportsDir, now: at(1) },
    );
    answer = 200;
    const before = down.received.length;
    await notify([{ report: unread(25, "2026-11-22T23:00:00.000Z") }], two([chat.url, down.url]), {
      reportsDir,
      now: at(25),
    });
    const texts = down.received.slice(before).map((r) => r.text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("user/mallory");
  });
});
