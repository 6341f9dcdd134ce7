/**
 * A damaged alert state (truncated by a full disk or a sync, a hand edit gone wrong, a merge's
 * conflict markers) must not read as "nothing was failing": every failing runbook would be told
 * again as new (a page storm) and every recovery lost. The truth here is what the receiver got
 * on the first night, not what the state says.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { notify, parseNotifyConfig, STATE_FILE } from "@run-md/notify";
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
const dir = () => mkdtemp(path.join(tmpdir(), "run-md-damage-"));
const config = () =>
  parseNotifyConfig(
    { targets: [{ type: "slack", url: chat.url }], retry: { attempts: 1, backoffMs: 1 } },
    "run-md.config.yaml",
  );

/** Night h: audit-iam as `iam`, root-usage as `root`. */
function night(reportsDir: string, h: number, iam: "failed" | "passed", root: "failed" | "passed") {
  const startedAt = at(h).toISOString();
  return notify(
    [
      { report: report("audit-iam", iam, { startedAt }) },
      { report: report("root-usage", root, { startedAt }) },
    ],
    config(),
    { reportsDir, now: at(h) },
  );
}

const kinds = (r: Awaited<ReturnType<typeof night>>) =>
  r.alerts.map((a) => `${a.runbook.id}:${a.kind}`).sort();

describe("a damaged alert state", () => {
  it("a truncated state falls back to the last good copy: no failure told again, the recovery told, the damage named", async () => {
    const reportsDir = await dir();
    const file = path.join(reportsDir, STATE_FILE);
    const first = await night(reportsDir, 1, "failed", "failed");
    expect(kinds(first)).toEqual(["audit-iam:failing", "root-usage:failing"]);
    const good = await readFile(file, "utf8");
    const cut = good.slice(0, Math.floor(good.length / 2));
    await writeFile(file, cut);
    const second = await night(reportsDir, 25, "failed", "passed");
    // audit-iam was told last night and still fails: nothing new. root-usage recovered.
    expect(kinds(second)).toEqual(["root-usage:recovered"]);
    const said = (second.problems ?? []).join("\n");
    expect(said).toContain(file);
    expect(said).toContain("damaged");
    // The damaged file is kept for whoever looks into it, never silently overwritten.
    expect(await readFile(`${file}.damaged`, "utf8")).toBe(cut);
    // The state written tonight is whole again: the third night is quiet.
    const third = await night(reportsDir, 49, "failed", "passed");
    expect(kinds(third)).toEqual([]);
    expect(third.problems ?? []).toEqual([]);
  });

  it("a hand-edited entry that is no entry makes the file damaged, not that runbook forgotten", async () => {
    const reportsDir = await dir();
    const file = path.join(reportsDir, STATE_FILE);
    await night(reportsDir, 1, "failed", "failed");
    const state = JSON.parse(await readFile(file, "utf8"));
    state.runbooks["audit-iam"].failing = "yes";
    await writeFile(file, JSON.stringify(state));
    const second = await night(reportsDir, 25, "failed", "failed");
    expect(kinds(second)).toEqual([]);
    expect((second.problems ?? []).join("\n")).toContain("audit-iam");
  });

  it("with no good copy either, every failure is told again, and it says so naming both files", async () => {
    const reportsDir = await dir();
    const file = path.join(reportsDir, STATE_FILE);
    await night(reportsDir, 1, "failed", "failed");
    const { readdir } = await import("node:fs/promises");
    for (const name of await readdir(reportsDir)) {
      if (name.startsWith(".notify-state"))
        await writeFile(path.join(reportsDir, name), "<<<<<<< HEAD\n");
    }
    const second = await night(reportsDir, 25, "failed", "failed");
    // Told again rather than never: the state cannot say they were told.
    expect(kinds(second)).toEqual(["audit-iam:failing", "root-usage:failing"]);
    const said = (second.problems ?? []).join("\n");
    expect(said).toContain(file);
    expect(said).toMatch(/no good copy/);
    expect(said).toMatch(/told again/);
  });
});

describe("a state copy that cannot be written", () => {
  it("never stops the alerts, also when another notifier's state is stored first (claim)", async () => {
    const reportsDir = await dir();
    // The copy's path is a directory: writing the copy fails, the state itself is written.
    const { mkdir } = await import("node:fs/promises");
    await mkdir(path.join(reportsDir, `${STATE_FILE}.backup`));
    const before = chat.received.length;
    let claims = 0;
    const r = await notify(
      [{ report: report("audit-iam", "failed", { startedAt: at(1).toISOString() }) }],
      config(),
      {
        reportsDir,
        now: at(1),
        // Another notifier stored an empty state first, once.
        claim: async () => (claims++ === 0 ? { version: 1, runbooks: {} } : undefined),
      },
    );
    expect(chat.received.length - before).toBe(1);
    expect(r.problems?.join("\n")).toContain(".backup");
  });
});
