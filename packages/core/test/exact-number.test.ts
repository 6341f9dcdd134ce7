import { describe, expect, it } from "vitest";
import {
  addExact,
  compareExact,
  decimalJson,
  exactJson,
  exactOf,
  exactOfText,
  exactText,
} from "../src/exact-number.ts";

const cmp = (a: unknown, b: unknown) => compareExact(exactOf(a)!, exactOf(b)!);

describe("exact numbers", () => {
  it.each([
    ["108374619283746192837", "108374619283746192838", -1],
    ["9007199254740993", 9007199254740992, 1],
    ["7", "007", 0],
    ["7.0", 7, 0],
    [" 1e3 ", 1000, 0],
    ["0.30", 0.3, 0],
    ["-0.5", "-0.50001", 1],
    ["-2", "1", -1],
    ["0", "-0", 0],
    ["1e999999999", "9e999999998", 1],
    ["-1e999999999", "1", -1],
    ["Infinity", "1e999999999", 1],
    ["-Infinity", -1e308, -1],
    ["Infinity", "Infinity", 0],
    [0.1, "0.1", 0],
  ])("%j against %j is %i", (a, b, order) => {
    expect(cmp(a, b)).toBe(order);
    expect(cmp(b, a)).toBe(-order || 0);
  });

  it("reads only numbers", () => {
    for (const v of ["1,000", "NaN", "-", "", "0x10", "1e", true, null, Number.NaN]) {
      expect(exactOf(v), String(v)).toBeUndefined();
    }
    expect(exactOf(12345678901234567890n)).toEqual(exactOfText("12345678901234567890"));
  });

  it("writes the value back as text, and as JSON a number only when a double holds it", () => {
    expect(exactText(exactOfText("-000.0300")!)).toBe("-0.03");
    expect(exactText(exactOfText("9007199254740993")!)).toBe("9007199254740993");
    expect(exactText(exactOfText("1.5e-50")!)).toBe("15e-51");
    expect(exactJson(exactOfText("9007199254740993")!)).toBe("9007199254740993");
    expect(exactJson(exactOfText("9007199254740992")!)).toBe(9007199254740992);
    expect(exactJson(exactOfText("0.30")!)).toBe(0.3);
    // JSON has no Infinity: JSON.stringify would write null.
    expect(exactJson(exactOfText("Infinity")!)).toBe("Infinity");
    expect(exactJson(exactOfText("-Infinity")!)).toBe("-Infinity");
  });

  it("adds exactly, and gives up (undefined) on infinities and far-apart exponents", () => {
    const add = (a: string, b: string) => {
      const x = addExact(exactOfText(a)!, exactOfText(b)!);
      return x && exactText(x);
    };
    expect(add("0.1", "0.2")).toBe("0.3");
    expect(add("-0.25", "0.25")).toBe("0");
    expect(add("1e3", "0.001")).toBe("1000.001");
    expect(add("100000000000000000001", "-0.5")).toBe("100000000000000000000.5");
    expect(add("Infinity", "1")).toBeUndefined();
    expect(add("1e999999999", "1")).toBeUndefined();
  });

  it("gives a decimal as a number only when a double is it exactly", () => {
    expect(decimalJson("0.10")).toBe(0.1);
    expect(decimalJson("-30.80")).toBe(-30.8);
    expect(decimalJson("0.0000001")).toBe(1e-7);
    expect(decimalJson("9007199254740991")).toBe(9007199254740991);
    expect(decimalJson("9007199254740993")).toBe("9007199254740993");
    expect(decimalJson("12345678901234567890.12")).toBe("12345678901234567890.12");
    // 0.1 + 2^-60 is no double: the nearest one (0.1) is not this decimal.
    expect(decimalJson("0.100000000000000000000000000001")).toBe(
      "0.100000000000000000000000000001",
    );
  });
});
