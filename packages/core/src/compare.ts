/**
 * One runbook's answers on two engines, step by step (`run-md compare`): the same columns, the
 * same rows (as a multiset: engines order ties differently, and order is not compared) and the
 * same expectation outcomes, or what differs. Values are compared as the engines can give them:
 * Athena's text of arrays, rows and maps does not say which elements were strings (docs/engines.md),
 * so inside those a scalar is compared as text and a number by its value; a double is compared
 * to 12 significant digits (a sum's last bits depend on the order it was added in), a decimal exactly.
 */
import type { JsonValue, RowChunk } from "./engine.ts";
import { exactOfText, exactText } from "./exact-number.ts";
import { type MaskOptions, maskText, maskValue } from "./mask.ts";
import type { RunReport, StepReport } from "./report.ts";

/** What one engine's rows of a runbook may take (distinct canonical texts); past it: not compared. */
export const COMPARE_BYTES = 64 * 2 ** 20;
/** How many rows found on one side only are shown, per side. */
export const COMPARE_EXAMPLES = 5;

/**
 * A double to 12 significant digits; an integer within 2^53 as it is. Past 2^53 a number is a
 * double (both engines hand bigger integers over as text), a sum whose last bits vary too.
 */
const roundNumber = (n: number): number =>
  Number.isSafeInteger(n) ? n : Number(n.toPrecision(12));
/**
 * A number's text as the engines write one inside an array, row or map: an integer, a decimal
 * (`0.50`) or Java's double (`2.5E1`). Other texts (`007`, `1e3`, `+5`, `.5`) are strings.
 */
const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?(E-?\d+)?$/;
/** The most significant digits a double's text has: a decimal with more is no double. */
const DOUBLE_DIGITS = 17;

/** A number by its value: a double to 12 significant digits, an integer's digits (past 2^53 too). */
const numberKey = (n: number): string => {
  const r = roundNumber(n);
  return `n:${Number.isInteger(r) ? BigInt(r) : r}`;
};

/** A number's value as exact decimal text (`0.1`, `1e-7` as `0.0000001`), for a DECIMAL column. */
const exactKey = (text: string): string => {
  const exact = exactOfText(text);
  return exact === undefined ? `s:${text}` : `n:${exactText(exact)}`;
};

/**
 * A number's text by its value: exactly when no double is the value (an integer past 2^53, as
 * both engines hand a BIGINT over; a decimal of more than 17 digits), else as the double it reads
 * as (`2.5E1` is the local engine's 25). Read as a double, `9007199254740993` and
 * `9007199254740992` were one value.
 */
function numberTextKey(text: string): string {
  if (/^-?\d+$/.test(text)) return `n:${BigInt(text)}`;
  const exact = exactOfText(text);
  if (!text.includes("E") && exact !== undefined && !("inf" in exact)) {
    const digits = (exact.m < 0n ? -exact.m : exact.m).toString().length;
    if (digits > DOUBLE_DIGITS) return `n:${exactText(exact)}`;
  }
  return numberKey(Number(text));
}

/**
 * A scalar inside an array, row or map, as text: a number (or a number's text) by its value,
 * exactly when the column holds decimals and no doubles (`exact`).
 */
function nestedScalar(v: string | number | boolean, exact: boolean): string {
  if (typeof v === "number") return exact ? exactKey(String(v)) : numberKey(v);
  if (typeof v === "boolean") return `s:${v}`;
  if (!NUMBER_TEXT.test(v)) return `s:${v}`;
  return exact ? exactKey(v) : numberTextKey(v);
}

function nested(v: JsonValue, exact: boolean): JsonValue {
  if (v === null) return null;
  // Athena prints an array of one empty string as `[]`, which reads back empty: the two are one.
  if (Array.isArray(v) && v.length === 1 && v[0] === "") return [];
  if (Array.isArray(v)) return v.map((x) => nested(x, exact));
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    return Object.fromEntries(keys.map((k) => [k, nested(v[k] as JsonValue, exact)]));
  }
  return nestedScalar(v, exact);
}

/**
 * Whether a column's numbers are compared exactly: its type holds DECIMAL and neither DOUBLE nor
 * REAL (a sum of decimals is exact on both engines; only a double's last bits depend on order).
 */
export const exactColumn = (type: string): boolean =>
  /\bdecimal\b/i.test(type) && !/\b(double|real|float)\b/i.test(type);

/**
 * A result value in the form both engines give it: top-level types kept (varchar '25' is no 25),
 * a double to 12 significant digits, a DECIMAL column's numbers (`exact`) as they are.
 */
export function comparableValue(v: JsonValue, exact = false): JsonValue {
  if (typeof v === "number") return exact ? v : roundNumber(v);
  if (v !== null && typeof v === "object") return nested(v, exact);
  return v;
}

/** A row's text for counting: equal texts are the same row on either engine. */
export const rowKey = (row: readonly JsonValue[], exact: readonly boolean[] = []): string =>
  JSON.stringify(row.map((v, i) => comparableValue(v, exact[i] === true)));

/** What the tallies of one run (one engine's side of a runbook) may hold together, in bytes. */
export interface TallyBudget {
  left: number;
}

export const tallyBudget = (bytes = COMPARE_BYTES): TallyBudget => ({ left: bytes });

/**
 * Every row of a step, as canonical texts counted, within the run's budget (shared by its steps:
 * one engine's side holds COMPARE_BYTES at most, whatever the number of steps).
 */
export class RowTally {
  readonly counts = new Map<string, number>();
  rows = 0;
  /** Past the budget: the rows are counted, not kept, and the step is not compared. */
  over = false;
  private bytes = 0;

  constructor(private readonly budget: TallyBudget = tallyBudget()) {}

  /** The run's row sink for the step (masked rows, as the report shows them). */
  readonly sink = (chunk: RowChunk): void => {
    if (chunk.restart === true) this.forget();
    const exact = chunk.columns.map((c) => exactColumn(c.type));
    for (const row of chunk.rows()) this.add(row, exact);
  };

  private forget(): void {
    this.counts.clear();
    this.budget.left += this.bytes;
    this.rows = 0;
    this.bytes = 0;
    this.over = false;
  }

  add(row: readonly JsonValue[], exact: readonly boolean[] = []): void {
    this.rows++;
    if (this.over) return;
    const key = rowKey(row, exact);
    const count = this.counts.get(key);
    // A repeat is a count: it holds nothing more (a step of a million equal rows holds one key).
    if (count !== undefined) {
      this.counts.set(key, count + 1);
      return;
    }
    const size = 2 * key.length + 64;
    if (size > this.budget.left) {
      const rows = this.rows;
      this.forget();
      this.rows = rows;
      this.over = true;
      return;
    }
    this.budget.left -= size;
    this.bytes += size;
    this.counts.set(key, 1);
  }
}

/** A step on both engines: `same`, `differs` (with `notes` saying how), or `not-compared`. */
export interface StepComparison {
  step: string;
  engines: [string, string];
  verdict: "same" | "differs" | "not-compared";
  /** What differs, or why the step was not compared. */
  notes: string[];
  /** Whether not comparing is an error (it errored on both, or too many rows), not a choice. */
  inconclusive: boolean;
  rows: [number, number];
  /** How many rows each side has that the other lacks (by count: a row twice on one, once on the other, is one). */
  only: [number, number];
  /** Up to COMPARE_EXAMPLES of those rows per side (doubles rounded, nested scalars as Athena's text reads). */
  onlyExamples: [JsonValue[][], JsonValue[][]];
}

interface Side {
  step: StepReport;
  tally: RowTally;
}

/** A canonical value shown to people: nested scalars without their tags (`n:25` is 25). */
function readable(v: JsonValue): JsonValue {
  if (typeof v === "string") {
    const text = v.slice(2);
    // A number no double holds is shown as its digits.
    if (!v.startsWith("n:") || String(Number(text)) !== text) return text;
    return Number(text);
  }
  if (Array.isArray(v)) return v.map(readable);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readable(x as JsonValue)]));
  return v;
}

/** The rows one tally has more of than the other: how many, and the first few. */
function surplus(a: RowTally, b: RowTally): { n: number; examples: JsonValue[][] } {
  let n = 0;
  const examples: JsonValue[][] = [];
  for (const [key, count] of a.counts) {
    const more = count - (b.counts.get(key) ?? 0);
    if (more <= 0) continue;
    n += more;
    if (examples.length < COMPARE_EXAMPLES) {
      const row = JSON.parse(key) as JsonValue[];
      examples.push(row.map((v) => (v !== null && typeof v === "object" ? readable(v) : v)));
    }
  }
  return { n, examples };
}

/** Why a step cannot be compared (same engine, not run, errored on both, cut, too many rows). */
function notComparable(a: Side, b: Side): { note: string; inconclusive: boolean } | undefined {
  const [x, y] = [a.step, b.step];
  if (x.engine === y.engine)
    return { note: `both ran it on ${x.engine} (nothing to compare)`, inconclusive: false };
  if (x.status === "cancelled" || y.status === "cancelled")
    return { note: "cancelled", inconclusive: true };
  if (x.status === "skipped" || y.status === "skipped")
    return {
      note: `skipped on ${x.status === "skipped" ? x.engine : y.engine}`,
      inconclusive: false,
    };
  if (x.error && y.error)
    return {
      note: `errored on both: ${x.engine}: ${x.error.message}; ${y.engine}: ${y.error.message}`,
      inconclusive: true,
    };
  // A result the engine cut at its row limit is part of an answer (`StepReport.capped`).
  const cut = [x, y].find((s) => s.capped !== undefined);
  if (!x.error && !y.error && cut)
    return {
      note: `${cut.engine} returned its limit of ${cut.capped?.toLocaleString("en")} rows and there may be more: a part of each answer cannot say they are the same (add a limit command, or narrow the window)`,
      inconclusive: true,
    };
  if (!x.error && !y.error && (a.tally.over || b.tally.over))
    return {
      note: `more rows than the ${COMPARE_BYTES / 2 ** 20} MB an engine's rows of a runbook may take (${a.tally.rows} on ${x.engine}, ${b.tally.rows} on ${y.engine}): give a narrower window or --step`,
      inconclusive: true,
    };
  return undefined;
}

/** What differs between two runs of a step that both answered (or one errored). */
function differences(a: Side, b: Side): string[] {
  const [x, y] = [a.step, b.step];
  const notes: string[] = [];
  for (const s of [x, y])
    if (s.error) notes.push(`errored on ${s.engine} only: ${s.error.code}: ${s.error.message}`);
  if (notes.length > 0) return notes;
  const [cx, cy] = [x.columns.map((c) => c.name), y.columns.map((c) => c.name)];
  if (cx.join("\u0000") !== cy.join("\u0000"))
    notes.push(`columns ${cx.join(", ")} on ${x.engine}; ${cy.join(", ")} on ${y.engine}`);
  x.checks.forEach((c, i) => {
    const other = y.checks[i];
    if (other !== undefined && other.status !== c.status)
      notes.push(`expect ${c.check}: ${c.status} on ${x.engine}, ${other.status} on ${y.engine}`);
  });
  return notes;
}

export function compareStep(a: Side, b: Side): StepComparison {
  const engines: [string, string] = [a.step.engine, b.step.engine];
  const base = {
    step: a.step.id,
    engines,
    rows: [a.tally.rows, b.tally.rows] as [number, number],
    only: [0, 0] as [number, number],
    onlyExamples: [[], []] as [JsonValue[][], JsonValue[][]],
  };
  const not = notComparable(a, b);
  if (not)
    return { ...base, verdict: "not-compared", notes: [not.note], inconclusive: not.inconclusive };
  const notes = differences(a, b);
  if (!a.step.error && !b.step.error) {
    const [ab, ba] = [surplus(a.tally, b.tally), surplus(b.tally, a.tally)];
    base.only = [ab.n, ba.n];
    base.onlyExamples = [ab.examples, ba.examples];
    if (ab.n > 0 || ba.n > 0)
      notes.push(`${ab.n} row(s) only on ${engines[0]}, ${ba.n} only on ${engines[1]}`);
  }
  return { ...base, verdict: notes.length > 0 ? "differs" : "same", notes, inconclusive: false };
}

/** A runbook on both engines: each step compared, or why the runbook could not be. */
export interface RunComparison {
  runbook: string;
  steps: StepComparison[];
  /** A run that stopped before its steps (a bad parameter, an engine that cannot start). */
  errors: string[];
}

/** One engine's run of a runbook, with its row tallies by step id. */
export interface RunSide {
  report: RunReport;
  tallies: Map<string, RowTally>;
}

/**
 * The runs of one runbook on two engines. A side is undefined when it was not run: the other
 * stopped before its steps, and nothing could be compared.
 */
export function compareRuns(a: RunSide | undefined, b: RunSide | undefined): RunComparison {
  const runs = [a, b].flatMap((side) => (side === undefined ? [] : [side.report]));
  const errors = runs.flatMap((r) => (r.error ? [`${r.error.code}: ${r.error.message}`] : []));
  const steps: StepComparison[] = [];
  for (const x of a && b ? a.report.steps : []) {
    const y = b?.report.steps.find((s) => s.id === x.id);
    if (a === undefined || b === undefined || y === undefined) continue;
    const tally = (side: RunSide, id: string) => side.tallies.get(id) ?? new RowTally();
    steps.push(compareStep({ step: x, tally: tally(a, x.id) }, { step: y, tally: tally(b, y.id) }));
  }
  return { runbook: runs[0]?.runbook.id ?? "", steps, errors };
}

/**
 * 2 when a step could not be compared for an error (or a run stopped before its steps), else 1
 * when a step differs, else 0: as `run`, an error outranks a finding.
 */
export function compareExitCode(runs: readonly RunComparison[]): number {
  const steps = runs.flatMap((r) => r.steps);
  if (runs.some((r) => r.errors.length > 0) || steps.some((s) => s.inconclusive)) return 2;
  return steps.some((s) => s.verdict === "differs") ? 1 : 0;
}

/**
 * A comparison as the configuration lets it be shown: the runs compare access key ids as they are
 * (`accessKeyIds: hide` would make two keys one masked value, and their difference disappear),
 * and what is printed is masked here.
 */
export function maskComparison(run: RunComparison, mask: MaskOptions): RunComparison {
  const rows = (r: JsonValue[][]) => r.map((row) => row.map((v) => maskValue(v, mask)));
  return {
    ...run,
    errors: run.errors.map((e) => maskText(e, mask)),
    steps: run.steps.map((s) => ({
      ...s,
      notes: s.notes.map((n) => maskText(n, mask)),
      onlyExamples: [rows(s.onlyExamples[0]), rows(s.onlyExamples[1])],
    })),
  };
}
