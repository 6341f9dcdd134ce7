import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { erf, erfInv } from "../src/udf-normal.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function one(expr: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  const r = await engine().query(queryRequest("sql", `SELECT ${expr}`, day));
  return { value: r.rows[0]?.[0], type: r.columns[0]?.type };
}

// The expected doubles were computed apart with mpmath at 60 digits (mp.erf, mp.erfinv of the
// double arguments) and rounded once to the nearest double; the SQL rows apply Trino's formulas to those by hand.
describe("erf and its inverse, rounded once to the nearest double", () => {
  it.each([
    [0.5, 0.5204998778130465],
    [-2.1213203435596424, -0.9973002039367398],
    [1e-300, 1.1283791670955126e-300],
    [3.7, 0.9999998328489421],
    [-5.5, -0.9999999999999927],
    [0.0001, 0.00011283791633342487],
    [7, 1],
    [Number.NEGATIVE_INFINITY, -1],
  ])("erf(%s) = %s", (x, want) => {
    expect(erf(x)).toBe(want);
  });

  it.each([
    [0.5, 0.4769362762044699],
    [-0.4, -0.37080715859355795],
    [0.999999, 3.458910737275499],
    [-0.9999999999999999, -5.8635847487551676],
    [1e-250, 8.862269254527581e-251],
    [0.1, 0.08885599049425769],
    [1, Number.POSITIVE_INFINITY],
  ])("erfInv(%s) = %s", (y, want) => {
    expect(erfInv(y)).toBe(want);
  });

  it("keeps NaN", () => {
    expect(erf(Number.NaN)).toBeNaN();
    expect(erfInv(Number.NaN)).toBeNaN();
  });
});

describe("normal_cdf and inverse_normal_cdf as Trino's MathFunctions", () => {
  it.each([
    // 0.5 * (1 + erf((value - mean) / (sd * sqrt(2)))); mean + sd * sqrt(2) * erfInv(2p - 1).
    ["normal_cdf(0, 1, 1)", 0.8413447460685429],
    ["normal_cdf(100, 15, 130)", 0.9772498680518208],
    ["normal_cdf(-1.5, 2.1, -7.8)", 0.0013498980316301035],
    ["normal_cdf(0, 1, infinity())", 1],
    ["inverse_normal_cdf(0, 1, 0.975)", 1.959963984540054],
    ["inverse_normal_cdf(100, 15, 0.01)", 65.1047818893874],
    ["inverse_normal_cdf(0, 1, DECIMAL '0.3')", -0.5244005127080409],
    ["normal_cdf(0, 1, CAST(NULL AS double))", null],
    ["try(normal_cdf(0, 0, 1))", null],
  ])("%s = %s", async (expr, want) => {
    expect(await one(expr)).toEqual({ value: want, type: "double" });
  });

  it("is NaN for a NaN mean or value (a double NaN prints as Trino's text)", async () => {
    expect(await one("normal_cdf(nan(), 1, 0)")).toEqual({ value: "NaN", type: "double" });
    expect(await one("normal_cdf(0, 1, nan())")).toEqual({ value: "NaN", type: "double" });
  });

  it.each([
    ["normal_cdf(0, 0, 0.1985)", /standardDeviation must be > 0/],
    // Java's NaN > 0 is false; DuckDB orders NaN above every number.
    ["normal_cdf(0, nan(), 1)", /standardDeviation must be > 0/],
    ["inverse_normal_cdf(4, 48, 0)", /p must be 0 > p > 1/],
    ["inverse_normal_cdf(4, 48, 1)", /p must be 0 > p > 1/],
    ["inverse_normal_cdf(4, 1, nan())", /p must be 0 > p > 1/],
    ["inverse_normal_cdf(4, 0, 0.5)", /sd must be > 0/],
  ])("%s fails as in Trino", async (expr, message) => {
    await expect(one(expr)).rejects.toThrow(message);
  });
});
