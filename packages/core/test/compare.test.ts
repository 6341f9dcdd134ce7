/** `run-md compare`'s comparison of a step on two engines (compare.ts). */
import { describe, expect, it } from "vitest";
import {
  comparableValue,
  compareExitCode,
  compareRuns,
  compareStep,
  RowTally,
  rowKey,
  tallyBudget,
} from "../src/compare.ts";
import type { JsonValue, RowChunk } from "../src/engine.ts";
import type { RunReport, StepReport } from "../src/report.ts";

const step = (engine: string, over: Partial<StepReport> = {}): StepReport =>
  ({
    id: "s1",
    dialect: "athena-sql",
    engine,
    optional: false,
    status: "passed",
    durationMs: 1,
    query: "",
    window: { start: "", end: "" },
    stats: {},
    columns: [
      { name: "who", type: "varchar" },
      { name: "n", type: "bigint" },
    ],
    rows: [],
    rowCount: 0,
    truncated: false,
    warnings: [],
    checks: [],
    ...over,
  }) as StepReport;

function tally(rows: JsonValue[][], limit?: number): RowTally {
  const t = new RowTally(tallyBudget(limit));
  const chunk: RowChunk = { columns: [], length: rows.length, rows: () => rows };
  t.sink(chunk);
  return t;
}

describe("comparableValue", () => {
  it("reads Athena's text of nested values as the local engine's typed ones", () => {
    // Athena: ARRAY[1, 2] arrives as ["1", "2"], a row {n=2.5E1, type=IAMUser} as text values.
    expect(rowKey([["1", "2"]])).toBe(rowKey([[1, 2]]));
    expect(rowKey([{ type: "IAMUser", n: "2.5E1" }])).toBe(rowKey([{ n: 25, type: "IAMUser" }]));
    expect(rowKey([[true, null]])).toBe(rowKey([["true", null]]));
    expect(rowKey([["a", "b"]])).not.toBe(rowKey([["b", "a"]]));
    // ARRAY[''] prints as [] on Athena, read back as an empty array.
    expect(rowKey([[""]])).toBe(rowKey([[]]));
    expect(rowKey([{ tags: [""] }])).toBe(rowKey([{ tags: [] }]));
    expect(rowKey([["", ""]])).not.toBe(rowKey([[]]));
  });

  it("tells apart nested numbers' texts that no double holds, and texts no engine writes for a number", () => {
    // By hand: these texts are different values (or no number at all), though each pair reads
    // as one double. Both engines hand a BIGINT past 2^53 over as its digits.
    const pairs: [string, string][] = [
      ["9007199254740993", "9007199254740992"],
      ["123456789012345678901", "123456789012345678902"],
      ["0.123456789012345678901", "0.123456789012345678902"],
      ["007", "7"],
      ["1e3", "1000"],
      ["+5", "5"],
      [".5", "0.5"],
    ];
    for (const [a, b] of pairs) {
      expect(rowKey([[a]]), `${a} / ${b}`).not.toBe(rowKey([[b]]));
      expect(rowKey([{ k: a }]), `${a} / ${b}`).not.toBe(rowKey([{ k: b }]));
    }
    // The same value as each engine writes it still agrees: digits, Java's double, a decimal's scale.
    // (Athena's digits of the largest integer a double holds, the local engine's number: the exact
    // path and the double's meet there.)
    expect(rowKey([["9007199254740991"]])).toBe(rowKey([[9007199254740991]]));
    expect(rowKey([["9.007199254740992E15"]])).toBe(rowKey([[2 ** 53]]));
    expect(rowKey([["1.0E21"]])).toBe(rowKey([[1e21]]));
    expect(rowKey([["0.10000000000000000000"]])).toBe(rowKey([[0.1]]));
    expect(rowKey([["-0.0"]])).toBe(rowKey([[0]]));
    expect(rowKey([["3.3333333333333335"]])).toBe(rowKey([[10 / 3]]));
  });

  it("keeps top-level types apart and compares doubles to 12 significant digits", () => {
    expect(rowKey(["25"])).not.toBe(rowKey([25]));
    expect(rowKey([0.1 + 0.2])).toBe(rowKey([0.3]));
    expect(rowKey([1.0000001])).not.toBe(rowKey([1.0000002]));
    // By hand: a number past 2^53 is a double (both engines hand bigger integers over as text):
    // two sums of doubles that agree to 12 digits, top-level and nested.
    expect(rowKey([12345678901234568])).toBe(rowKey([12345678901234570]));
    expect(rowKey([["1.2345678901234568E16"]])).toBe(rowKey([[12345678901234570]]));
    expect(rowKey([9007199254740991])).not.toBe(rowKey([9007199254740990]));
    expect(comparableValue(null)).toBeNull();
    expect(comparableValue("2026-11-23 01:02:03.000")).toBe("2026-11-23 01:02:03.000");
  });
});

describe("RowTally", () => {
  const typed = (type: string, rows: JsonValue[][]) => {
    const t = new RowTally(tallyBudget());
    t.sink({ columns: [{ name: "v", type }], length: rows.length, rows: () => rows });
    return [...t.counts.keys()];
  };

  it("compares a DECIMAL column's values exactly, a DOUBLE's to 12 significant digits", () => {
    // By hand: 12345678901234.56 and 12345678901234.57 are two decimal(16,2) values (a sum of
    // decimals is exact on both engines); as doubles they agree to 12 digits.
    expect(typed("decimal(16,2)", [[12345678901234.56]])).not.toEqual(
      typed("decimal(16,2)", [[12345678901234.57]]),
    );
    expect(typed("array(decimal(16,2))", [[["12345678901234.56"]]])).not.toEqual(
      typed("array(decimal(16,2))", [[[12345678901234.57]]]),
    );
    // Athena's text of an array(decimal(3,2)) element, and the local engine's number.
    expect(typed("array(decimal(3,2))", [[["0.10"]]])).toEqual(
      typed("array(decimal(3,2))", [[[0.1]]]),
    );
    expect(typed("double", [[12345678901234.56]])).toEqual(typed("double", [[12345678901234.57]]));
    expect(typed("array(double)", [[["1.2345678901234568E13"]]])).toEqual(
      typed("array(double)", [[[12345678901234.57]]]),
    );
  });
});

describe("compareStep", () => {
  it("finds the rows one engine has more of, counting repeats", () => {
    const a = tally([
      ["alice", 1],
      ["alice", 1],
      ["bob", 2],
    ]);
    const b = tally([
      ["alice", 1],
      ["bob", 2],
      ["bob", 2],
    ]);
    const c = compareStep({ step: step("local"), tally: a }, { step: step("athena"), tally: b });
    expect(c.verdict).toBe("differs");
    expect(c.rows).toEqual([3, 3]);
    expect(c.only).toEqual([1, 1]);
    expect(c.onlyExamples).toEqual([[["alice", 1]], [["bob", 2]]]);
    expect(c.notes).toEqual(["1 row(s) only on local, 1 only on athena"]);
    // Nested values shown without the comparison's tags: a number, a text.
    const n = compareStep(
      { step: step("local"), tally: tally([[[25, "x"]]]) },
      { step: step("athena"), tally: tally([]) },
    );
    expect(n.onlyExamples).toEqual([[[[25, "x"]]], []]);
  });

  it("calls the same rows in another order the same", () => {
    const a = tally([
      ["alice", 1],
      ["bob", 2],
    ]);
    const b = tally([
      ["bob", 2],
      ["alice", 1],
    ]);
    const c = compareStep({ step: step("local"), tally: a }, { step: step("athena"), tally: b });
    expect([c.verdict, c.notes, c.inconclusive]).toEqual(["same", [], false]);
  });

  it("shares one budget among a run's steps, and gives back what a restarted result held", () => {
    const budget = tallyBudget(2 * rowKey(["x", 1]).length + 64 + 10);
    const first = new RowTally(budget);
    first.add(["x", 1]);
    const second = new RowTally(budget);
    second.add(["y", 2]);
    expect([first.over, second.over, second.rows]).toEqual([false, true, 1]);
    first.sink({ columns: [], length: 0, rows: () => [], restart: true });
    const third = new RowTally(budget);
    third.add(["y", 2]);
    expect(third.over).toBe(false);
  });

  it("takes budget for a row's first copy only: repeats are a count", () => {
    // By hand: one distinct row costs 2 × its key's length + 64 bytes; a thousand copies of it
    // hold one key and one count.
    const t = tally(
      Array.from({ length: 1000 }, () => ["CreateUser", 1]),
      2 * rowKey(["CreateUser", 1]).length + 64,
    );
    expect([t.over, t.rows, [...t.counts.values()]]).toEqual([false, 1000, [1000]]);
  });

  it("forgets the rows before a chunk that restarts the result", () => {
    const t = tally([["x", 1]]);
    t.sink({ columns: [], length: 1, rows: () => [["y", 2]], restart: true });
    expect([t.rows, [...t.counts.keys()]]).toEqual([1, [rowKey(["y", 2])]]);
  });

  it("says what differs besides rows: an error on one side, columns, an expectation's outcome", () => {
    const err = step("athena", { status: "errored", error: { code: "engine", message: "boom" } });
    const one = compareStep(
      { step: step("local"), tally: tally([]) },
      { step: err, tally: tally([]) },
    );
    expect([one.verdict, one.notes]).toEqual(["differs", ["errored on athena only: engine: boom"]]);
    const cols = step("athena", { columns: [{ name: "who", type: "varchar" }] });
    const c = compareStep(
      { step: step("local"), tally: tally([]) },
      { step: cols, tally: tally([]) },
    );
    expect(c.notes).toEqual(["columns who, n on local; who on athena"]);
    const check = (status: "passed" | "failed") =>
      ({ check: "rows = 0", line: 9, warn: false, status, message: "" }) as const;
    const x = step("local", { checks: [check("passed")] });
    const y = step("athena", { checks: [check("failed")] });
    const e = compareStep({ step: x, tally: tally([]) }, { step: y, tally: tally([]) });
    expect(e.notes).toEqual(["expect rows = 0: passed on local, failed on athena"]);
  });

  it("does not compare a step run on one engine twice, and says when it cannot", () => {
    const same = compareStep(
      { step: step("local"), tally: tally([]) },
      { step: step("local"), tally: tally([["x", 1]]) },
    );
    expect([same.verdict, same.inconclusive]).toEqual(["not-compared", false]);
    expect(same.notes).toEqual(["both ran it on local (nothing to compare)"]);
    const big = compareStep(
      { step: step("local"), tally: tally([["x", 1]], 10) },
      { step: step("athena"), tally: tally([["x", 1]]) },
    );
    expect([big.verdict, big.inconclusive]).toEqual(["not-compared", true]);
    const errored = (engine: string) =>
      step(engine, { status: "errored", error: { code: "no-data", message: "none" } });
    const both = compareStep(
      { step: errored("local"), tally: tally([]) },
      { step: errored("athena"), tally: tally([]) },
    );
    expect([both.verdict, both.inconclusive]).toEqual(["not-compared", true]);
  });
});

describe("compareExitCode", () => {
  const report = (s: StepReport, error?: RunReport["error"]) =>
    ({ runbook: { id: "r" }, steps: [s], ...(error ? { error } : {}) }) as unknown as RunReport;
  const run = (x: StepReport, rows: JsonValue[][], error?: RunReport["error"]) => ({
    report: report(x, error),
    tallies: new Map([["s1", tally(rows)]]),
  });

  it("is 0 when every step is the same, 1 when one differs, 2 when a run stopped", () => {
    const same = compareRuns(run(step("local"), [["a", 1]]), run(step("athena"), [["a", 1]]));
    expect(compareExitCode([same])).toBe(0);
    const differs = compareRuns(run(step("local"), [["a", 1]]), run(step("athena"), []));
    expect(compareExitCode([same, differs])).toBe(1);
    const stopped = compareRuns(
      run(step("local"), []),
      run(step("athena"), [], { code: "bad-param", message: "x" }),
    );
    expect(stopped.errors).toEqual(["bad-param: x"]);
    expect(compareExitCode([differs, stopped])).toBe(2);
  });
});
