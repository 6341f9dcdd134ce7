import { describe, expect, it } from "vitest";
import { cpuMsSince } from "../../core/test/cpu-time.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { decimalQuotient } from "../src/udfs.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();

// The quotient the local engine computes in JavaScript where a decimal division passes 128 bits
// (trino.ts trino_decimal_quotient); the SQL path is tested in trino-fidelity.test.ts.
describe("decimalQuotient: n * 10^k / d with s decimals, rounded half away from zero", () => {
  it.each([
    // 2 * 10^37 * 100 / 30 = 6.666...e37: the last digit rounds up.
    [
      "20000000000000000000000000000000000000",
      "30",
      2,
      38,
      "0.66666666666666666666666666666666666667",
    ],
    [
      "-20000000000000000000000000000000000000",
      "30",
      2,
      38,
      "-0.66666666666666666666666666666666666667",
    ],
    // An exact half: 5 / 2 = 2.5 → 3, -5 / 2 → -3, 5 / -2 → -3.
    ["5", "2", 0, 0, "3"],
    ["-5", "2", 0, 0, "-3"],
    ["5", "-2", 0, 0, "-3"],
    // Below a half: 7 / 3 = 2.33 → 2; a quotient below one gets its leading zero.
    ["7", "3", 0, 0, "2"],
    ["1", "8", 2, 2, "0.13"],
  ])("n %s, d %s, k %s, s %s: %s", (n, d, k, s, want) => {
    expect(decimalQuotient(n, d, k, s)).toBe(want);
  });

  it("refuses a scale two decimals cannot give, building no unbounded power of ten", () => {
    expect(() => decimalQuotient("1", "1", 77, 0)).toThrow(/bad scale/);
    expect(() => decimalQuotient("1", "1", 1, 39)).toThrow(/bad scale/);
    expect(() => decimalQuotient("1", "1", -1, 0)).toThrow(/bad scale/);
  });

  it("refuses an operand two decimals cannot give, before any arithmetic on it", () => {
    const digits = "9".repeat(41);
    expect(() => decimalQuotient(digits, "7", 0, 0)).toThrow(
      /more than 40 digits, or not an integer/,
    );
    expect(() => decimalQuotient("7", `-${digits}`, 0, 0)).toThrow(
      /more than 40 digits, or not an integer/,
    );
    expect(() => decimalQuotient("1e5", "7", 0, 0)).toThrow(
      /more than 40 digits, or not an integer/,
    );
    expect(decimalQuotient(`-${"9".repeat(40)}`, "9", 0, 0)).toBe(`-1${"1".repeat(39)}`);
  });

  // A step in DuckDB's SQL can call the function itself. A million digits took 1.4 s a call on
  // JavaScript's thread, which timers wait for: a query with a 3 s timeout ran 117 s, its
  // process's event loop (the server's, without local.processMemoryLimit) blocked all along.
  it("a step calling it with a million digits fails at once, naming the function", async () => {
    const cpu = process.cpuUsage();
    const err = await engine()
      .query(
        queryRequest(
          "sql",
          "SELECT trino_decimal_quotient_wide(repeat('9', 1000000) || '1', '7', 76, 0) AS q",
          window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"),
          { attributes: { optional: false, sqlDialect: "duckdb" } },
        ),
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).toMatch(/trino_decimal_quotient_wide: an operand of more than 40 digits/);
    expect(cpuMsSince(cpu)).toBeLessThan(1000);
  });
});
