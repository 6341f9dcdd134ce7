import {
  coerceParam,
  type ParamDecl,
  type ParamType,
  parseRunbook,
  RunMdError,
} from "@run-md/core";
import { describe, expect, it } from "vitest";

const decl = (type: ParamType, extra: Partial<ParamDecl> = {}): ParamDecl => ({
  name: "p",
  type,
  position: { line: 1, column: 1 },
  ...extra,
});

describe("parameter values", () => {
  it.each([
    ["string", "x' OR '1'='1", "x' OR '1'='1"],
    ["integer", "42", 42],
    ["integer", -7, -7],
    ["integer", " 3 ", 3],
    ["number", "2.5", 2.5],
    ["number", "-1e3", -1000],
    ["number", 4, 4],
    ["boolean", "true", true],
    ["boolean", "FALSE", false],
    ["boolean", false, false],
    ["timestamp", "2026-11-23T00:00:00Z", "2026-11-23T00:00:00Z"],
    ["timestamp", "2026-11-23T01:30:00+01:00", "2026-11-23T00:30:00Z"],
    ["timestamp", "2026-11-23T00:00:00.250Z", "2026-11-23T00:00:00.250Z"],
    ["timestamp", new Date("2026-01-02T03:04:05Z"), "2026-01-02T03:04:05Z"],
    ["duration", "30m", "30m"],
    ["account_id", "012345678901", "012345678901"],
    ["account_id", 123456789012, "123456789012"],
    ["arn", "arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/admin"],
    [
      "arn",
      "arn:aws:iam::aws:policy/AdministratorAccess",
      "arn:aws:iam::aws:policy/AdministratorAccess",
    ],
    ["arn", "arn:aws-us-gov:s3:::bucket/key", "arn:aws-us-gov:s3:::bucket/key"],
  ] as const)("%s accepts %j", (type, raw, value) => {
    expect(coerceParam(decl(type), raw, "--param")).toEqual(value);
  });

  it.each([
    ["string", 5, "a string, got 5"],
    ["integer", "4.5", 'an integer such as 10, got "4.5"'],
    ["integer", "ten", 'an integer such as 10, got "ten"'],
    [
      "integer",
      "9007199254740993",
      'an integer from -9007199254740991 to 9007199254740991, got "9007199254740993": larger integers lose digits as numbers',
    ],
    ["number", "1,5", 'a number such as 2.5, got "1,5"'],
    ["boolean", "yes", 'true or false, got "yes"'],
    [
      "timestamp",
      "2026-11-23",
      'an ISO-8601 instant such as 2026-11-23T00:00:00Z, got "2026-11-23"',
    ],
    [
      "timestamp",
      "2026-13-45T00:00:00Z",
      'an ISO-8601 instant such as 2026-11-23T00:00:00Z, got "2026-13-45T00:00:00Z"',
    ],
    ["duration", "forever", 'a duration such as 30m, 24h or 7d, got "forever"'],
    ["account_id", "1234", 'a 12-digit AWS account id such as 123456789012, got "1234"'],
    [
      "arn",
      "role/admin",
      'an AWS ARN such as arn:aws:iam::123456789012:role/admin, got "role/admin"',
    ],
    ["string", null, "a string, got null"],
  ] as const)("%s rejects %j", (type, raw, expected) => {
    expect(() => coerceParam(decl(type), raw, "--param")).toThrow(
      `parameter "p" (from --param): expected ${expected}`,
    );
  });

  it("checks pattern (the whole value), enum and min/max", () => {
    const re = decl("string", { pattern: "[a-z]+" });
    expect(coerceParam(re, "abc", "config")).toBe("abc");
    expect(() => coerceParam(re, "abc1", "config")).toThrow(
      'parameter "p" (from config): expected a value matching the pattern [a-z]+, got "abc1"',
    );
    const en = decl("integer", { enum: [1, 7, 30] });
    expect(coerceParam(en, "7", "--param")).toBe(7);
    expect(() => coerceParam(en, "8", "--param")).toThrow('expected one of 1, 7, 30, got "8"');
    const range = decl("number", { min: 0, max: 1 });
    expect(coerceParam(range, "1", "--param")).toBe(1);
    expect(() => coerceParam(range, "-0.1", "--param")).toThrow("expected a value >= 0");
    expect(() => coerceParam(range, 2, "default")).toThrow("expected a value <= 1");
  });

  it("throws a RunMdError with code bad-param, a hint and the parameter in its details", () => {
    try {
      coerceParam(decl("integer"), "x", "--param");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RunMdError);
      expect(e).toMatchObject({
        code: "bad-param",
        exitCode: 2,
        hint: "pass it as --param p=<integer>",
        details: { param: "p", source: "--param" },
      });
    }
  });
});

describe("timestamp parameters (review: impossible dates moved to another day)", () => {
  it.each([
    ["2026-02-30T00:00:00Z", "2026-02-30 is not a day of the calendar"],
    ["2026-04-31T00:00:00Z", "2026-04-31 is not a day of the calendar"],
    ["2025-02-29T12:00:00+01:00", "2025-02-29 is not a day of the calendar"],
    ["2026-01-01T24:00:00Z", "24:00:00Z is not a time of day with a zone"],
    ["2026-01-01T10:60Z", "10:60Z is not a time of day with a zone"],
    ["2026-01-01T10:00:00+01:60", "10:00:00+01:60 is not a time of day with a zone"],
  ])("refuses %s, naming the parameter", (raw, why) => {
    expect(() => coerceParam(decl("timestamp"), raw, "--param")).toThrow(
      `parameter "p" (from --param): expected an ISO-8601 instant such as 2026-11-23T00:00:00Z, got ${JSON.stringify(raw)}: ${why}`,
    );
  });

  it.each([
    // Every ISO-8601 offset form: ±hh:mm, ±hhmm and ±hh.
    ["2026-11-23T01:30:00+01:00", "2026-11-23T00:30:00Z"],
    ["2026-11-23T01:30:00+0100", "2026-11-23T00:30:00Z"],
    ["2026-11-23T01:30:00+01", "2026-11-23T00:30:00Z"],
    ["2026-11-22T19:30:00-05", "2026-11-23T00:30:00Z"],
    ["2026-11-23T05:15+05:45", "2026-11-22T23:30:00Z"],
    ["2024-02-29t23:59:59.5z", "2024-02-29T23:59:59.500Z"],
    ["2026-11-23 00:00:00Z", "2026-11-23T00:00:00Z"],
    ["0050-06-01T00:00:00Z", "0050-06-01T00:00:00Z"],
  ])("accepts %s as %s", (raw, value) => {
    expect(coerceParam(decl("timestamp"), raw, "--param")).toBe(value);
  });

  it("refuses an impossible default in the front matter, at the value", () => {
    const source =
      "---\ntitle: T\nparams:\n  ts:\n    type: timestamp\n    default: 2026-02-30T00:00:00Z\n---\n\n```sql\nSELECT {{ts}}\n```\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(runbook).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      expect.stringMatching(/^6:14 .*2026-02-30 is not a day of the calendar/),
    ]);
  });
});
