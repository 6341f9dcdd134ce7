import type { ChartSpec } from "./chart.ts";

/**
 * The runbook model: what the parser produces from a Markdown file and what the runner, the
 * engines and the site consume. Positions are 1-based lines and columns in the whole file.
 */

export type Severity = "info" | "low" | "medium" | "high" | "critical";
/** `manual`, `nightly`, `weekly`, or a cron expression (UTC): see schedule.ts. */
export type Schedule = "manual" | "nightly" | "weekly" | (string & {});
/** The query dialect of a step, from its fence language (`sql`/`athena`, `logs-insights`/`insights`). */
export type Dialect = "sql" | "logs-insights";

export interface Position {
  line: number;
  column: number;
}

export interface Span {
  start: Position;
  end: Position;
}

export type ParamType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "timestamp"
  | "duration"
  | "account_id"
  | "arn";

/** A parameter value after validation: strings for string-like types, numbers, booleans. */
export type ParamValue = string | number | boolean;

export interface ParamDecl {
  name: string;
  type: ParamType;
  description?: string;
  /** Present when the front matter gives a default. A parameter without one is required. */
  default?: ParamValue;
  pattern?: string;
  enum?: ParamValue[];
  min?: number;
  max?: number;
  position: Position;
}

export interface RunbookMeta {
  title: string;
  description?: string;
  id: string;
  owner?: string;
  severity: Severity;
  tags: string[];
  schedule: Schedule;
  /** Default window as written (`7d`), validated. */
  window?: string;
  params: Record<string, ParamDecl>;
  escalation?: string;
  /** Events that start the runbook (spec §8); absent when the front matter has none. */
  triggers?: Trigger[];
}

/** One entry of `triggers:` (spec §8), validated. */
export interface Trigger {
  /** An EventBridge event pattern, as JSON. */
  pattern: Record<string, unknown>;
  /** Parameter name → JSON path into the event (`$.detail.id`). */
  params: Record<string, string>;
  /** Durations around the event's `time`, as written. */
  window?: { before?: string; after?: string };
  position: Position;
}

export type Cmp = "==" | "!=" | "<" | "<=" | ">" | ">=";
/**
 * A number literal that a double does not hold exactly (`108374619283746192837`, an id past
 * 2^53): its text as written, compared exactly. Other number literals are plain numbers.
 */
export interface ExactNumber {
  exact: string;
}
export type Literal = number | ExactNumber | string | boolean | null;

export type Metric =
  | { kind: "rows" }
  | { kind: "count" | "distinct" | "min" | "max" | "sum" | "avg"; column: string };

export type Predicate =
  | { kind: "compare"; op: Cmp; value: Literal }
  | { kind: "in"; negated: boolean; values: Literal[] }
  | { kind: "like"; negated: boolean; pattern: string }
  | { kind: "matches"; pattern: string }
  | { kind: "null"; negated: boolean };

export type CheckBody =
  | {
      kind: "compare";
      metric: Metric;
      op: Cmp;
      value: number;
      /** The number as written, when `value` (a double) does not hold it exactly. */
      exact?: string;
    }
  | {
      kind: "between";
      metric: Metric;
      low: number;
      high: number;
      /** The bounds as written, when a double does not hold them exactly. */
      lowExact?: string;
      highExact?: string;
    }
  | {
      kind: "quantified";
      quantifier: "every" | "no" | "some";
      column: string;
      predicate: Predicate;
    };

export type Check = CheckBody & {
  /** The check's text as written, without its comment. */
  source: string;
  /** The comment on the check's line, if any: its label in reports. */
  label?: string;
  warn: boolean;
  position: Position;
};

export interface StepAttributes {
  engine?: string;
  /** `timeout=` in milliseconds. */
  timeoutMs?: number;
  /** `window=` as written (`30d`). */
  window?: string;
  /** `max_scan=` in bytes. */
  maxScanBytes?: number;
  logGroups?: string[];
  /** `dialect=duckdb`: the step uses DuckDB SQL and runs on the local engine only. */
  sqlDialect?: "duckdb";
  /** `chart=`: the picture the site draws of the result. */
  chart?: ChartSpec;
  optional: boolean;
  /** `allow_empty`: a window without CloudTrail events is not an error of this step. */
  allowEmpty?: boolean;
}

export interface ParamRef {
  name: string;
  position: Position;
}

export interface Step {
  id: string;
  /** Text of the nearest heading above the block, if any. */
  title?: string;
  dialect: Dialect;
  /** The fence language as written (`sql`, `athena`, `logs-insights`, `insights`). */
  lang: string;
  /** The query text as written, with `{{name}}` references. */
  query: string;
  attributes: StepAttributes;
  /** The whole fenced block. */
  position: Span;
  /** Line of the first line of the query text. */
  queryLine: number;
  /**
   * The query was given alone (`run-md query`, serve's ad-hoc query) and wrapped in a runbook:
   * an engine's error at a place in it is named by the query's own lines.
   */
  queryAlone?: boolean;
  paramRefs: ParamRef[];
  checks: Check[];
  /** The `expect` block, when there is one. */
  expectPosition?: Span;
  /**
   * Warnings of the parser about this step that a run shows with the step's result, each
   * `file:line:column message`: a block after it whose language looks like `expect`
   * (`expects`), so the step runs without the checks it holds.
   */
  warnings?: string[];
}

/** The document in order, for the site: Markdown prose, steps and their expect blocks. */
export type Segment =
  | { kind: "markdown"; markdown: string; position: Span }
  | { kind: "step"; stepId: string }
  | { kind: "expect"; stepId: string; source: string };

export interface Runbook {
  /** Path as given to the parser (relative paths stay relative). */
  path: string;
  /** sha256 of the file's bytes, hex. */
  sourceHash: string;
  meta: RunbookMeta;
  steps: Step[];
  segments: Segment[];
}

export type DiagnosticSeverity = "error" | "warning";

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: DiagnosticSeverity;
  /** A stable rule id, such as `unknown-attribute` or `expect-syntax`. */
  rule: string;
  message: string;
}

/** Built-in parameters every query can use (section 4 of the format). */
export const BUILTIN_PARAMS = ["start", "end", "start_date", "end_date"] as const;
