/** The served list pages' tables (src/scripts/lists.ts), filled in a document (linkedom). */
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { auditRow, fillTable, runRow } from "../src/scripts/lists.ts";

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

describe("the runs page's table", () => {
  const doc = () => parseHTML("<!doctype html><html><body></body></html>").document;
  const run = {
    id: "r1",
    runbook: "audit-iam",
    requester: { user: "ana", groups: [] },
    requestedAt: "2026-11-23T02:00:00.000Z",
    params: {},
    window: {},
  };

  it("says how many warnings a run that passed gave, and says nothing of a run without", () => {
    const warned = runRow(doc(), { ...run, status: "passed", warnings: 2 })[2] as HTMLElement;
    expect(warned.textContent).toContain("passed");
    expect(warned.textContent).toContain("⚠ 2 warnings");
    const plain = runRow(doc(), { ...run, status: "passed" })[2] as HTMLElement;
    expect(plain.textContent).not.toContain("warning");
    // A failed run's status already says more than its warnings.
    const failed = runRow(doc(), { ...run, status: "failed", warnings: 1 })[2] as HTMLElement;
    expect(failed.textContent).not.toContain("warning");
  });
});
