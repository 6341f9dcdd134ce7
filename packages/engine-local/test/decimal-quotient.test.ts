import { describe, expect, it } from "vitest";
import { decimalQuotient } from "../src/udfs.ts";

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
});
