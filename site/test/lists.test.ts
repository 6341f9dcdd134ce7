/** The served list pages' tables (src/scripts/lists.ts), filled in a document (linkedom). */
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { auditRow, fillTable } from "../src/scripts/lists.ts";

describe("the audit page's table", () => {
  it("shows what an entry holds as text, with a right-to-left override or a hidden control as \\uXXXX", () => {
    const { document } = parseHTML(
      "<!doctype html><html><body><div id=p><table data-audit><tbody></tbody></table><p data-list-empty></p></div></body></html>",
    );
    const part = document.getElementById("p") as unknown as HTMLElement;
    const row = auditRow({
      seq: 7,
      time: "2026-11-23T02:00:00.000Z",
      actor: "eve\u202etxt.exe",
      action: "run.request",
      target: "audit-iam",
      details: { comment: "ok\u0007<b>x</b>" },
    } as Parameters<typeof auditRow>[0]);
    fillTable(part, "[data-audit]", [row]);
    const cells = [...part.querySelectorAll("td")].map((td) => td.textContent);
    expect(cells[2]).toBe("eve\\u202etxt.exe");
    expect(cells[5]).toBe('{"comment":"ok\\u0007<b>x</b>"}');
    expect(part.querySelector("b")).toBeNull();
    expect(part.textContent).not.toMatch(/[\u202e\u0007]/);
  });
});
