/**
 * What the pages need to know about a check beyond its outcome: its parsed form (metric,
 * comparison, threshold), read back from the text the report keeps with the core's own parser,
 * and the first offending actor or resource of a failed check.
 */
import {
  asNumber,
  type CheckBody,
  type CheckOutcome,
  compare,
  extremeColumn,
  type JsonValue,
  ONLY_WARNS_NOTE,
  onlyWarnsTheRun,
  parseExpect,
  type StepReport,
  unjudgedPasses,
} from "@run-md/core";
import { shownStatus } from "./format.ts";

/** A check's text without `warn:` and with single spaces: how a runbook's check and a report's are matched. */
export function normCheck(text: string): string {
  return text
    .replace(/^\s*warn\s*:\s*/, "")
    .replace(/\s+/g, " ")
    .trim();
}

const parsed = new Map<string, CheckBody | undefined>();

/** The parsed check, or undefined when the text does not parse (a report from another version). */
export function checkBody(text: string): CheckBody | undefined {
  const key = normCheck(text);
  if (!parsed.has(key)) parsed.set(key, parseExpect(key, 1, "report").checks[0]);
  return parsed.get(key);
}

/** A check comparing a metric with a number: the value(s) it is held against. */
export function thresholds(body: CheckBody | undefined): number[] {
  if (body?.kind === "compare") return [body.value];
  if (body?.kind === "between") return [body.low, body.high];
  return [];
}

/** Whether a value breaks a `min`/`max` check (the rows a failed extreme check is about). */
export function breaks(body: CheckBody, value: number): boolean {
  if (body.kind === "compare") return !compare(value, body.op, body.value);
  if (body.kind === "between") return value < body.low || value > body.high;
  return false;
}

/** Names that say "who" or "what", best first: the column an incident responder looks at. */
const SUBJECT_COLUMNS = [
  /actor|principal|useridentity|caller|user(name)?$|identity/i,
  /arn$|^arn/i,
  /role|bucket|resource|key(id)?$|target|instance|group/i,
  /ip|address|source/i,
  /account/i,
];

/** The column of a row that names who or what it is about: by name, else the first text column. */
export function subjectColumn(row: Record<string, JsonValue>): string | undefined {
  const cols = Object.keys(row);
  for (const re of SUBJECT_COLUMNS) {
    const hit = cols.find((c) => re.test(c) && typeof row[c] === "string" && row[c] !== "");
    if (hit) return hit;
  }
  return cols.find((c) => typeof row[c] === "string" && asNumber(row[c]) === undefined);
}

export interface Offender {
  column: string;
  value: JsonValue;
  /** The whole row, for the reader who wants the context. */
  row: Record<string, JsonValue>;
}

function rowObject(step: StepReport, row: JsonValue[]): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  step.columns.forEach((c, i) => {
    o[c.name] = row[i] ?? null;
  });
  return o;
}

function columnIndex(step: StepReport, name: string): number {
  const lower = name.toLowerCase();
  return step.columns.findIndex((c) => c.name.toLowerCase() === lower);
}

/** The row a failed check is first about: its first offending row, the row with the extreme value, or the first row. */
function offendingRow(step: StepReport, c: CheckOutcome): Record<string, JsonValue> | undefined {
  if (c.offendingRows?.[0]) return c.offendingRows[0];
  const body = checkBody(c.check);
  const col = extremeColumn(body);
  const i = col === undefined ? -1 : columnIndex(step, col);
  if (body && i >= 0) {
    const max =
      body.kind === "compare" || body.kind === "between" ? body.metric.kind === "max" : true;
    let best: JsonValue[] | undefined;
    for (const r of step.rows) {
      const v = asNumber(r[i]);
      if (v === undefined || !breaks(body, v)) continue;
      const b = best ? asNumber(best[i]) : undefined;
      if (b === undefined || (max ? v > b : v < b)) best = r;
    }
    if (best) return rowObject(step, best);
  }
  // `rows == 0` and the like: every row is the problem; the first one is where to start.
  const metric = body?.kind === "compare" || body?.kind === "between" ? body.metric.kind : "";
  if ((metric === "rows" || metric === "count" || metric === "distinct") && step.rows[0]) {
    return rowObject(step, step.rows[0]);
  }
  return undefined;
}

/** The first offending actor or resource of a failed check, when its rows name one. */
export function firstOffender(step: StepReport, c: CheckOutcome): Offender | undefined {
  const row = offendingRow(step, c);
  if (!row) return undefined;
  const column = subjectColumn(row);
  return column === undefined ? undefined : { column, value: row[column] ?? null, row };
}

/**
 * The summary's sentence about the checks: how many were not judged because their step
 * errored (also when such a step kept no checks at all) or was cancelled (a run stopped before
 * it, or during it), else "All n checks passed." when nothing else is wrong; undefined when the
 * problems listed say it all.
 */
export function checksSentence(
  steps: { status?: string; error?: unknown; checks?: { status: string }[] }[],
  problems: number,
): string | undefined {
  const all = steps.flatMap((s) => (s.checks ?? []).map((c) => shownStatus(s, c)));
  const unjudged = all.filter((s) => s === "unjudged").length;
  if (unjudged > 0)
    return `${unjudged} check${unjudged === 1 ? "" : "s"} not judged (a step errored).`;
  if (problems > 0) return undefined;
  // A step that errored before its checks were judged keeps none, nor does one the run was
  // cancelled before or during: the others' passes are not all of the runbook's checks.
  const bare = steps.filter(
    (s) => (s.error !== undefined || s.status === "cancelled") && !s.checks?.length,
  );
  const cancelled = bare.filter((s) => s.status === "cancelled").length;
  const errored = bare.length - cancelled;
  const steps_ = (n: number) => `${n} step${n === 1 ? "" : "s"}`;
  const which = [
    errored > 0 ? `${steps_(errored)} that errored` : "",
    cancelled > 0 ? `${steps_(cancelled)} that ${cancelled === 1 ? "was" : "were"} cancelled` : "",
  ]
    .filter(Boolean)
    .join(" and ");
  if (all.length > 0 && bare.length > 0)
    return `${all.length} check${all.length === 1 ? "" : "s"} passed; the checks of ${which} were not judged.`;
  if (all.length > 0) return `All ${all.length} checks passed.`;
  // An errored or cancelled step keeps no checks: its runbook's checks were not judged, not absent.
  if (bare.length > 0)
    return `No check was judged (${errored > 0 ? "a step errored" : "the run was cancelled"}).`;
  return "The run has no checks.";
}

/**
 * A run page's count of its checks (`2 passed, 1 failed`) from the report's summary, with the
 * passes of steps that errored (a file not read, a result capped) counted apart as not judged:
 * the runner's summary counts them as passed; and how many of its failed checks only warn the
 * run (an optional step's: `1 failed (1 failed in an optional step: the run only warns)`).
 */
export function checksCountText(report: {
  summary: { checks: Record<string, number> };
  steps: { error?: unknown; optional?: boolean; checks?: { status: string }[] }[];
}): string {
  const unjudged = unjudgedPasses(report.steps);
  // An optional step's failed checks only warn the run: said beside the failed count.
  const warnsOnly = report.steps.reduce(
    (n, s) => n + (s.checks ?? []).filter((c) => onlyWarnsTheRun(s, c)).length,
    0,
  );
  const counts = { ...report.summary.checks };
  counts.passed = (counts.passed ?? 0) - unjudged;
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) =>
      s === "failed" && warnsOnly > 0
        ? `${n} failed (${warnsOnly} ${ONLY_WARNS_NOTE})`
        : `${n} ${s}`,
    );
  if (unjudged > 0) parts.push(`${unjudged} not judged (their step errored)`);
  return parts.join(", ") || "none";
}

/**
 * Why a check of the runbook has no outcome in the run shown: no run at all, its step errored
 * (the runner judges no check of a step that errored), the run was cancelled before its step
 * finished (the step is in the report, cancelled, without checks: it said "not in this run"),
 * or the check (or its step) is not in the run (added since, or another `--step`).
 */
export function noOutcomeText(of: {
  noRun: boolean;
  step: { status?: string | undefined; error?: unknown } | undefined;
}): string {
  if (of.noRun) return "No run yet";
  if (of.step?.error) return "not judged: the step errored";
  if (of.step?.status === "cancelled")
    return "not judged: the run was cancelled before this step finished";
  return "not in this run";
}
