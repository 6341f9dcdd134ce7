import { type RunReport, stepNotes } from "./report.ts";

function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** A test case that errored, with the error's code, message and hint. */
function errorCase(
  classname: string,
  name: string,
  time: string,
  e: { code: string; message: string; hint?: string },
): string {
  const text = esc([e.message, e.hint].filter(Boolean).join("\n"));
  return `    <testcase classname="${classname}" name="${esc(name)}" time="${time}"><error type="${esc(e.code)}" message="${esc(e.message)}">${text}</error></testcase>`;
}

/**
 * JUnit XML for CI systems: one `<testsuite>` per runbook, one `<testcase>` per expectation.
 * A step that errored before its checks could run becomes one errored test case, so nothing
 * disappears from the CI's view.
 */
export function toJUnit(reports: RunReport[]): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  for (const r of reports) {
    const cases: string[] = [];
    let sFail = 0;
    let sErr = 0;
    let sSkip = 0;
    for (const step of r.steps) {
      const classname = esc(`${r.runbook.id}.${step.id}`);
      const time = (step.durationMs / 1000).toFixed(3);
      if (
        step.checks.length === 0 &&
        (step.error || step.status === "cancelled" || step.status === "skipped")
      ) {
        const e = step.error ?? { code: step.status, message: `step ${step.status}` };
        if (step.status === "skipped" || step.status === "cancelled") {
          sSkip++;
          cases.push(
            `    <testcase classname="${classname}" name="${esc(`step ${step.id}`)}" time="${time}"><skipped message="${esc(e.message)}"/></testcase>`,
          );
        } else {
          sErr++;
          cases.push(errorCase(classname, `step ${step.id}`, time, e));
        }
        continue;
      }
      // A step that errored after its rows came (a file found unreadable, a result capped) has
      // checks that ran on part of the data: the step is an errored case of its own, or the
      // suite would read as green over logs that were not all read (review).
      if (step.error) {
        sErr++;
        cases.push(errorCase(classname, `step ${step.id}`, time, step.error));
      }
      // The step's warnings (and its own window) beside each of its checks: a suite that reads
      // green must still show a window with days without logs, or one that ends in the future.
      const notes = stepNotes(r, step);
      for (const c of step.checks) {
        const name = esc(c.label ? `${c.check} # ${c.label}` : c.check);
        let body = "";
        if (c.status === "failed") {
          sFail++;
          const rows = c.offendingRows?.length
            ? `\noffending rows:\n${c.offendingRows.map((o) => JSON.stringify(o)).join("\n")}`
            : "";
          body = `<failure type="expectation" message="${esc(c.message)}">${esc(c.message + rows)}</failure>`;
        } else if (c.status === "errored") {
          sErr++;
          body = `<error type="check" message="${esc(c.message)}">${esc(c.message)}</error>`;
        }
        const out = [...(c.status === "warned" ? [c.message] : []), ...notes];
        if (out.length > 0)
          body += `<system-out>${esc(out.map((o) => `warning: ${o}`).join("\n"))}</system-out>`;
        cases.push(
          `    <testcase classname="${classname}" name="${name}" time="${time}">${body}</testcase>`,
        );
      }
    }
    // A run that errored before a step could (a missing parameter, no steps, a bad engine) is
    // one errored test case: a suite of none would read as green.
    if (r.error !== undefined && !r.steps.some((st) => st.error !== undefined)) {
      sErr++;
      cases.push(errorCase(esc(r.runbook.id), "run", "0.000", r.error));
    }
    total += cases.length;
    failures += sFail;
    errors += sErr;
    suites.push(
      `  <testsuite name="${esc(r.runbook.id)}" tests="${cases.length}" failures="${sFail}" errors="${sErr}" skipped="${sSkip}" time="${(r.durationMs / 1000).toFixed(3)}" timestamp="${esc(r.startedAt.replace(/Z$/, ""))}" file="${esc(r.runbook.path)}">\n${cases.join("\n")}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="run-md" tests="${total}" failures="${failures}" errors="${errors}">\n${suites.join("\n")}\n</testsuites>\n`;
}
