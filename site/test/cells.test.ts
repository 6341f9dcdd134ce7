import { describe, expect, it } from "vitest";
import { breakableHtml, cellHtml, rowsHtml, shortValue } from "../src/lib/cells.ts";

describe("table cells", () => {
  it("may wrap an ARN only after its separators, never inside a word", () => {
    expect(breakableHtml("arn:aws:iam::123456789012:user/mallory")).toBe(
      "arn:<wbr>aws:<wbr>iam:<wbr>:<wbr>123456789012:<wbr>user/<wbr>mallory",
    );
    expect(breakableHtml("mallory")).toBe("mallory");
  });

  it("escapes what it shows", () => {
    expect(cellHtml('<img src=x onerror="alert(1)">')).toBe(
      "<td>&lt;img src=<wbr>x onerror=<wbr>&quot;alert(1)&quot;&gt;</td>",
    );
  });

  it("shows the format characters a browser would obey (a right-to-left override) as \\uXXXX", () => {
    expect(cellHtml("invoice\u202egpj.exe")).toBe("<td>invoice\\u202egpj.exe</td>");
    expect(cellHtml("a\u200bb\ufeffc")).toBe("<td>a\\u200bb\\ufeffc</td>");
    // A control character a browser shows as nothing; a tab and a line break stay.
    expect(cellHtml("a\u0007b\u0085c\td\ne")).toBe("<td>a\\u0007b\\u0085c\td\ne</td>");
    // The emoji joiner and the Persian non-joiner stay.
    expect(cellHtml("👩\u200d👧 می\u200cخواهم")).toBe("<td>👩\u200d👧 می\u200cخواهم</td>");
    // A Hangul filler draws nothing: `admin` padded with one is shown for what it is.
    expect(cellHtml("admin\u3164")).toBe("<td>admin\\u3164</td>");
  });

  it("cuts a long value before showing its format characters: never inside an escape, and counts the value's own characters", () => {
    const value = `${"a".repeat(59)}\u202e${"b".repeat(40)}`;
    const html = cellHtml(value);
    expect(html).toContain(`<span>${"a".repeat(59)}\\u202e</span>…`);
    expect(html).toContain(`(${value.length} characters: show all)`);
    expect(html).toContain(`${"a".repeat(59)}\\u202e${"b".repeat(40)}</div>`);
  });

  it("cuts a long value at a separator and keeps the whole of it one click away", () => {
    const json = JSON.stringify({ bucketName: "logs-archive", policy: "x".repeat(120) });
    const html = cellHtml(json);
    expect(html).toContain('<details class="rm-long"><summary><span>');
    expect(html).toContain(`(${json.length} characters: show all)`);
    expect(html.replaceAll("<wbr>", "")).toContain(json.replaceAll('"', "&quot;"));
    expect(shortValue(json)).toBe(`{"bucketName":"logs-archive","policy":`);
  });

  it("marks numbers and nulls, and renders rows in order", () => {
    expect(rowsHtml(3, [["a", 1, null]])).toBe(
      '<tr><td>a</td><td class="rm-num">1</td><td class="rm-null">null</td></tr>',
    );
  });
});
