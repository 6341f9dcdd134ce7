/**
 * Text from the logs or an event on a terminal: nothing in it drives the terminal. The truth is
 * written out by hand: each character that would, as the `\uXXXX` text shown instead.
 */
import { errorReport, parseRunbook, printable, printableJson, RunMdError } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { planLine } from "../src/automation/trigger-run.ts";
import { rowsTable, summaryLine } from "../src/terminal.ts";

describe("printable", () => {
  it("writes control characters, separators and bidirectional overrides as \\uXXXX", () => {
    expect(printable("a\u001b[31mb\rc\u0007d\u009be\u2028f\u202eg\u2066h")).toBe(
      "a\\u001b[31mb\\u000dc\\u0007d\\u009be\\u2028f\\u202eg\\u2066h",
    );
    expect(printable("plain é 漢字 🔥 tab-free")).toBe("plain é 漢字 🔥 tab-free");
  });

  it("writes the bidirectional marks and the invisible format characters as \\uXXXX, and keeps the emoji joiner", () => {
    // Arabic letter mark, left-to-right and right-to-left marks, zero-width space, byte order
    // mark, soft hyphen, and a tag character (outside the BMP: its two UTF-16 units).
    expect(printable("a\u061cb\u200ec\u200fd\u200be\ufefff\u00adg\u{e0041}h")).toBe(
      "a\\u061cb\\u200ec\\u200fd\\u200be\\ufefff\\u00adg\\udb40\\udc41h",
    );
    const family = "👩\u200d👩\u200d👧";
    expect(printable(family)).toBe(family);
    // The non-joiner shapes Persian words ("می‌خواهم").
    expect(printable("می\u200cخواهم")).toBe("می\u200cخواهم");
    expect(printableJson(undefined)).toBe("null");
    const value = { v: "x\u200fy\u{e0041}\u0085", joined: family };
    expect(printableJson(value)).toBe(
      '{"v":"x\\u200fy\\udb40\\udc41\\u0085","joined":"👩\u200d👩\u200d👧"}',
    );
    expect(JSON.parse(printableJson(value))).toEqual(value);
  });

  it("writes the characters Unicode shows as nothing (Hangul fillers, variation selectors) as \\uXXXX", () => {
    // A user name padded with a Hangul filler (a letter that draws nothing) passes for `admin`;
    // so does one with a variation selector or a combining grapheme joiner after a letter. None
    // of them is a format character (Cf): they are Lo and Mn, but default ignorable.
    expect(printable("admin\u3164")).toBe("admin\\u3164");
    expect(printable("a\u115fb\uffa0c\ufe0fd\u034fe\u180bf\u{e0100}g")).toBe(
      "a\\u115fb\\uffa0c\\ufe0fd\\u034fe\\u180bf\\udb40\\udd00g",
    );
    expect(printableJson({ user: "admin\u3164" })).toBe('{"user":"admin\\u3164"}');
    // Visible letters around them stay as they are, and so does an emoji's variation selector
    // (a runbook's "⚠️"), in a keycap and a flag sequence too.
    expect(printable("한국어 ㄱ")).toBe("한국어 ㄱ");
    for (const emoji of ["⚠️ check", "1️⃣", "🏳️‍🌈", "↔︎"]) expect(printable(emoji)).toBe(emoji);
  });

  it("keeps a CloudTrail value's escape sequences out of a result table", () => {
    const agent = "curl\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2K\r✓ passed";
    const table = rowsTable(["useragent"], [[agent]], 200);
    expect(table).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(table).toContain("curl\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2K ✓ passed");
  });

  it("keeps an event's parameter value on the trigger's one plan line", () => {
    const { runbook } = parseRunbook(
      "---\ntitle: T\nparams:\n  s: { type: string }\n---\n",
      "t.md",
    );
    const window = {
      start: new Date("2026-01-01T00:00:00Z"),
      end: new Date("2026-01-02T00:00:00Z"),
    };
    const plan = {
      matched: true as const,
      trigger: 0,
      params: { s: "x)\n✓ passed\u001b[31m" },
      window,
      reason: "trigger 1 matched",
    };
    const line = planLine({ runbook: runbook!, plan });
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toContain("s=x)\\u000a✓ passed\\u001b[31m");
  });

  it("keeps an engine message's quoted value and an event's quoted field off the terminal's controls", () => {
    const { runbook } = parseRunbook("---\ntitle: T\n---\n", "t.md");
    // DuckDB quotes the value a cast refused; the value is a userAgent from the logs.
    const cast = new RunMdError("local-query", "Could not convert '\u001b]0;PWNED\u0007\r✓ x'");
    const line = summaryLine(errorReport(runbook!, cast, { toolVersion: "t" }, new Date()));
    expect(line).toContain("Could not convert '\\u001b]0;PWNED\\u0007\\u000d✓ x'");
    const plan = { matched: false as const, reason: 'source is "aws.\u202egd\u009b"' };
    expect(planLine({ runbook: runbook!, plan })).toBe(
      '· skips t: source is "aws.\\u202egd\\u009b"',
    );
  });
});
