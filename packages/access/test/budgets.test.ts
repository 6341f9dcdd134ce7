import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirForFile } from "../../core/test/temp-dir.ts";
import { BudgetLedger, type Caller, parseAccessConfig } from "../src/index.ts";

const GB = 1e9;
const cfg = parseAccessConfig(
  {
    budgets: [
      { groups: ["analysts"], athenaScanPerDay: "100GB" },
      { groups: ["contractors"], athenaScanPerDay: "10GB" },
    ],
  },
  "x.yaml",
);
const as = (...groups: string[]): Caller => ({ user: "u", groups, via: "oidc" });

const dir = tempDirForFile("budgets");

describe("BudgetLedger", () => {
  it("stops counting a running query the moment its bytes are charged, not after the write (review)", async () => {
    const ledger = await BudgetLedger.open(cfg, path.join(dir(), "charging", "budgets.json"));
    const [a, b] = [ledger.begin(as("analysts")), ledger.begin(as("analysts"))];
    a.scanned = 60 * GB;
    b.scanned = 30 * GB;
    const charging = ledger.charge(as("analysts"), a.scanned, a);
    await new Promise((r) => setImmediate(r)); // charged in memory, the file being written
    // 60 GB charged and b's 30 GB: 90 of 100, not a's 60 twice.
    expect(ledger.check(as("analysts"), 30 * GB, b)).toEqual({ ok: true });
    expect(ledger.remaining(as("analysts"))).toBe(10 * GB);
    await charging;
    expect(ledger.remaining(as("analysts"))).toBe(10 * GB);
  });

  it("counts what running queries have scanned so far against the budget, until they are charged", async () => {
    const ledger = await BudgetLedger.open(cfg, path.join(dir(), "running", "budgets.json"));
    const [a, b] = [ledger.begin(as("analysts")), ledger.begin(as("analysts"))];
    a.scanned = 45 * GB;
    expect(ledger.check(as("analysts"), 45 * GB, a).ok).toBe(true);
    b.scanned = 40 * GB;
    // b's 40 GB fits beside a's 45 GB; its next 20 GB do not (45 + 60 > 100).
    expect(ledger.check(as("analysts"), 40 * GB, b).ok).toBe(true);
    b.scanned = 60 * GB;
    expect(ledger.check(as("analysts"), 60 * GB, b)).toMatchObject({ ok: false, used: 45 * GB });
    // A new run's max_scan is checked beside both running queries.
    expect(ledger.check(as("analysts"), 10 * GB)).toMatchObject({ ok: false, used: 105 * GB });
    expect(ledger.remaining(as("analysts"))).toBe(0);
    // A budget the queries do not count against is not touched.
    expect(ledger.remaining(as("contractors"))).toBe(10 * GB);
    await ledger.charge(as("analysts"), a.scanned);
    a.end();
    b.end();
    expect(ledger.remaining(as("analysts"))).toBe(55 * GB);
  });

  it("refuses what would pass the budget, charges, resets the next UTC day, persists across reopen", async () => {
    let now = new Date("2026-11-30T09:00:00Z");
    const file = path.join(dir(), "a", "budgets.json");
    const ledger = await BudgetLedger.open(cfg, file, () => now);
    expect(ledger.remaining(as("analysts"))).toBe(100 * GB);
    expect(ledger.check(as("analysts"), 100 * GB)).toEqual({ ok: true });
    await ledger.charge(as("analysts"), 60 * GB);
    expect(ledger.remaining(as("analysts"))).toBe(40 * GB);
    const refused = ledger.check(as("analysts"), 50 * GB);
    expect(refused).toMatchObject({
      ok: false,
      used: 60 * GB,
      requested: 50 * GB,
      budget: { groups: ["analysts"] },
    });
    expect(refused.ok || refused.message).toBe(
      "the Athena scan budget of analysts (100GB a day) would be passed: 60.0 GB scanned today, 50.0 GB more requested",
    );
    expect(ledger.check(as("analysts"), 40 * GB).ok).toBe(true);

    // Another process (a restarted server) reads the same figures.
    now = new Date("2026-11-30T23:59:59Z");
    const reopened = await BudgetLedger.open(cfg, file, () => now);
    expect(reopened.remaining(as("analysts"))).toBe(40 * GB);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      version: 1,
      day: "2026-11-30",
      used: { analysts: 60 * GB },
    });

    // Midnight UTC: a new day, a full budget.
    now = new Date("2026-12-01T00:00:00Z");
    expect(reopened.remaining(as("analysts"))).toBe(100 * GB);
    expect(reopened.check(as("analysts"), 100 * GB).ok).toBe(true);
    await reopened.charge(as("analysts"), 1 * GB);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      version: 1,
      day: "2026-12-01",
      used: { analysts: 1 * GB },
    });
  });

  it("binds a caller in several groups by every budget, and charges each", async () => {
    const now = () => new Date("2026-11-30T12:00:00Z");
    const ledger = await BudgetLedger.open(cfg, path.join(dir(), "b", "budgets.json"), now);
    const both = as("analysts", "contractors");
    expect(ledger.remaining(both)).toBe(10 * GB); // the smaller budget
    const refused = ledger.check(both, 20 * GB);
    expect(refused).toMatchObject({ ok: false, budget: { groups: ["contractors"] } });
    await ledger.charge(both, 4 * GB);
    expect(ledger.remaining(as("analysts"))).toBe(96 * GB);
    expect(ledger.remaining(as("contractors"))).toBe(6 * GB);
    await ledger.charge(as("contractors"), 6 * GB);
    // Nothing left: even a run that announces no scan is refused.
    expect(ledger.check(as("contractors"), 0).ok).toBe(false);
    expect(ledger.check(as("analysts"), 0).ok).toBe(true);
  });

  it("leaves callers without a budget unbounded, and names a corrupt ledger", async () => {
    const ledger = await BudgetLedger.open(cfg, path.join(dir(), "c", "budgets.json"));
    expect(ledger.remaining(as("security-leads"))).toBeUndefined();
    expect(ledger.check(as("security-leads"), 1e15).ok).toBe(true);
    const bad = path.join(dir(), "bad.json");
    await writeFile(bad, "{oops");
    await expect(BudgetLedger.open(cfg, bad)).rejects.toThrow(`${bad} is not JSON`);
  });
});
