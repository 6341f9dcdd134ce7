import {
  isUnjudged,
  ONLY_WARNS_NOTE,
  onlyWarnsTheRun,
  type RunReport,
  SAMPLE_DATA_NOTE,
  type StepReport,
  stepNotes,
} from "./report.ts";

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

/** A suite's test cases and how many of them failed, errored or were skipped. */
interface Suite {
  cases: string[];
  failures: number;
  errors: number;
  skipped: number;
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
    const suite: Suite = { cases: [], failures: 0, errors: 0, skipped: 0 };
    for (const step of r.steps) stepCases(r, step, suite);
    // A run that errored before a step could (a missing parameter, no steps, a bad engine) is
    // one errored test case: a suite of none would read as green.
    if (r.error !== undefined && !r.steps.some((st) => st.error !== undefined)) {
      suite.errors++;
      suite.cases.push(errorCase(esc(r.runbook.id), "run", "0.000", r.error));
    }
    total += suite.cases.length;
    failures += suite.failures;
    errors += suite.errors;
    suites.push(
      `  <testsuite name="${esc(r.runbook.id)}" tests="${suite.cases.length}" failures="${suite.failures}" errors="${suite.errors}" skipped="${suite.skipped}" time="${(r.durationMs / 1000).toFixed(3)}" timestamp="${esc(r.startedAt.replace(/Z$/, ""))}" file="${esc(r.runbook.path)}">\n${suite.cases.join("\n")}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="run-md" tests="${total}" failures="${failures}" errors="${errors}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** A step's test cases, added to its runbook's suite. */
function stepCases(r: RunReport, step: StepReport, suite: Suite): void {
  const classname = esc(`${r.runbook.id}.${step.id}`);
  const time = (step.durationMs / 1000).toFixed(3);
  const testcase = (name: string, body: string) =>
    `    <testcase classname="${classname}" name="${esc(name)}" time="${time}">${body}</testcase>`;
  if (
    step.checks.length === 0 &&
    (step.error || step.status === "cancelled" || step.status === "skipped")
  ) {
    const e = step.error ?? { code: step.status, message: `step ${step.status}` };
    if (step.status === "skipped" || step.status === "cancelled") {
      suite.skipped++;
      suite.cases.push(testcase(`step ${step.id}`, `<skipped message="${esc(e.message)}"/>`));
    } else {
      suite.errors++;
      suite.cases.push(errorCase(classname, `step ${step.id}`, time, e));
    }
    return;
  }
  // A step that errored after its rows came (a file found unreadable, a result capped) has
  // checks that ran on part of the data: the step is an errored case of its own, or the
  // suite would read as green over logs that were not all read (review).
  if (step.error) {
    suite.errors++;
    suite.cases.push(errorCase(classname, `step ${step.id}`, time, step.error));
  }
  // The step's warnings (and its own window) beside each of its checks: a suite that reads
  // green must still show a window with days without logs, or one that ends in the future. A
  // step without checks (a query shown for context) is a case of its own when it has some. A
  // local step of a run over the bundled sample data says so: its passes are no night checked.
  const sample = r.sampleData && step.engine === "local" ? [SAMPLE_DATA_NOTE] : [];
  const notes = [...sample, ...stepNotes(r, step)];
  if (step.checks.length === 0 && !step.error && notes.length > 0)
    suite.cases.push(testcase(`step ${step.id}`, systemOut(notes)));
  for (const c of step.checks) {
    let body = "";
    // An optional step's failed check only warns the run (spec §2; core run.ts): no failure
    // for a CI that publishes the suite (red-team: the run exited 0, its JUnit failed the build).
    const warnsOnly = onlyWarnsTheRun(step, c);
    const rows = c.offendingRows?.length
      ? `\noffending rows:\n${c.offendingRows.map((o) => JSON.stringify(o)).join("\n")}`
      : "";
    if (c.status === "failed" && !warnsOnly) {
      suite.failures++;
      body = `<failure type="expectation" message="${esc(c.message)}">${esc(c.message + rows)}</failure>`;
    } else if (c.status === "errored") {
      suite.errors++;
      body = `<error type="check" message="${esc(c.message)}">${esc(c.message)}</error>`;
    } else if (isUnjudged(step, c)) {
      // A pass on part of the data (a file not read, a result capped) is no passing case.
      suite.skipped++;
      body = `<skipped message="not judged: the step errored (${esc(step.error?.code ?? "")})"/>`;
    }
    const own = c.status === "warned" ? [c.message] : [];
    if (warnsOnly) own.push(`${c.message} (${ONLY_WARNS_NOTE})${rows}`);
    body += systemOut([...own, ...notes]);
    suite.cases.push(testcase(c.label ? `${c.check} # ${c.label}` : c.check, body));
  }
}

/** Warnings as a test case's standard output (nothing without any). */
function systemOut(warnings: string[]): string {
  if (warnings.length === 0) return "";
  return `<system-out>${esc(warnings.map((w) => `warning: ${w}`).join("\n"))}</system-out>`;
}
