/**
 * Masking per caller (spec §8): a step's rows, as a `step-end` event or a report's step carries
 * them, with `@run-md/access`'s `maskRows` applied for the caller's groups. Only copies are
 * masked: the stored report and the run's event log keep the raw values.
 *
 * Values reach a caller outside the rows too, and are masked there the same way:
 *
 * - a check's `actual` and `message`: a check whose metric is a value of a masked column
 *   (`min`, `max`, `sum`, `avg` over it) gets its `actual` masked with that column's strategy and
 *   the value in its message replaced by the masked one (`max(sourceipaddress) = [redacted],
 *   expected < 0`); any check on a masked column (a metric over it, `every`/`no`/`some` of it)
 *   gets the values its message quotes as JSON masked too (an errored check:
 *   `max(sourceipaddress) is "[redacted]": the column holds values that are not numbers`).
 *   Counts (`rows`, `count(c)`, `distinct(c)`, and the number of rows an `every`/`no`/`some`
 *   check counted) are not values of the column and are kept; the offending rows of a
 *   quantified check are masked as rows. The check's own text, and the literals of the runbook
 *   its message repeats ('...'), are the runbook's, never the data's, and are kept.
 * - a step's `error.message`: an engine's error can quote a value it failed on, in any way and
 *   at any place (DuckDB: `Could not convert string '52.94.133.12' to INT32`; Athena: `Value
 *   cannot be cast to timestamp: 52.94.133.12`; `missing ): alice(`). Which column it came from
 *   is not known, so for a caller with any masking rule an engine's error (`sql-error`,
 *   `athena-query-failed`) keeps its kind and hides its sentence (`engineMessageKind`); run-md's
 *   own errors keep theirs with every quoted text and word that names something replaced by
 *   `[redacted]` (`maskEngineText`). The step's query, with its literals, is shown apart.
 * - a step's `warnings`: an engine's warnings name the accounts and regions whose logs have gaps
 *   and the files it skipped; each is kept (it says which days were not read) with those names
 *   `[redacted]` (`maskEngineText`). So are the text values of its `stats` (`logGroups`).
 */
import {
  type AccessConfig,
  type Caller,
  maskPlan,
  maskRecord,
  maskRows,
  REDACTED,
} from "@run-md/access";
import { type Check, type JsonValue, parseExpect } from "@run-md/core";
import type { RowsHook } from "../context.ts";

type Columns = ReadonlyArray<string | { name: string }>;

/** A value no strategy keeps as it is: whether a column is masked at all for the caller. */
const PROBE = "run-md-mask-probe";

/** Metrics whose `actual` is a value of their column (the others count rows or values). */
const VALUE_METRICS = new Set(["min", "max", "sum", "avg"]);

/** The check as written, parsed again (the outcome keeps only its text). */
function parsedCheck(text: unknown): Check | undefined {
  if (typeof text !== "string") return undefined;
  const { checks } = parseExpect(text, 1, "check");
  return checks.length === 1 ? checks[0] : undefined;
}

/** The column a check reads: its metric's (any metric but `rows`), or the quantified one. */
function columnOfCheck(check: Check): string | undefined {
  if (check.kind === "quantified") return check.column;
  return check.metric.kind === "rows" ? undefined : check.metric.column;
}

/**
 * The masked column a check reads, and whether its `actual` is one of that column's values: the
 * metric's column (any metric but `rows`) or the quantified check's column; for a check that
 * does not parse, any masked column it names (its `actual` then taken for a value).
 */
function maskedColumnOf(
  cfg: AccessConfig,
  caller: Caller,
  checkText: unknown,
  key: string | undefined,
): { column: string; actualIsValue: boolean } | undefined {
  const masked = (column: string) =>
    maskRecord(cfg, caller, { [column]: PROBE }, key)[column] !== PROBE;
  const check = parsedCheck(checkText);
  if (check !== undefined) {
    const column = columnOfCheck(check);
    if (column === undefined || !masked(column)) return undefined;
    const actualIsValue = check.kind !== "quantified" && VALUE_METRICS.has(check.metric.kind);
    return { column, actualIsValue };
  }
  if (typeof checkText !== "string") return undefined;
  const column = checkText.match(/[A-Za-z_@][\w.@]*/g)?.find(masked);
  return column === undefined ? undefined : { column, actualIsValue: true };
}

function valueText(v: JsonValue): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The message with the raw value's text replaced by the masked one's. */
function maskMessage(message: unknown, raw: JsonValue, masked: JsonValue): unknown {
  if (typeof message !== "string" || raw === null) return message;
  const from = valueText(raw);
  if (from === "") return message;
  // Core writes `max(c) = <value>, expected ...`: the value's place, else wherever it occurs.
  const at = ` = ${from}`;
  if (message.includes(at)) return message.replace(at, () => ` = ${valueText(masked)}`);
  return message.split(from).join(valueText(masked));
}

/** The end (exclusive) of the JSON object or array that opens at `start`, if it closes. */
function bracketEnd(text: string, start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
      if (m === null) return undefined;
      i += m[0].length - 1;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/**
 * The values a check's message quotes as JSON (core: `max(c) is "52.94.133.12": ...`, `c holds
 * "x", which is not a number`) replaced by their masked JSON. The runbook's own literals are
 * SQL-quoted ('...') and kept; so is a quoted name of the column itself.
 */
function maskQuotedValues(message: unknown, column: string, mask: (v: JsonValue) => JsonValue) {
  if (typeof message !== "string") return message;
  let out = "";
  let i = 0;
  while (i < message.length) {
    const ch = message[i]!;
    let end: number | undefined;
    if (ch === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(message.slice(i));
      end = m === null ? undefined : i + m[0].length;
    } else if (ch === "{" || ch === "[") end = bracketEnd(message, i);
    let value: JsonValue | undefined;
    if (end !== undefined) {
      try {
        value = JSON.parse(message.slice(i, end)) as JsonValue;
      } catch {
        value = undefined;
      }
    }
    if (
      end === undefined ||
      value === undefined ||
      (typeof value === "string" && value.toLowerCase() === column.toLowerCase())
    ) {
      out += ch;
      i++;
      continue;
    }
    out += JSON.stringify(mask(value));
    i = end;
  }
  return out;
}

function maskCheck(
  cfg: AccessConfig,
  caller: Caller,
  c: Record<string, unknown>,
  key: string | undefined,
): Record<string, unknown> {
  if (c === null || typeof c !== "object") return c;
  const out: Record<string, unknown> = { ...c };
  if (Array.isArray(c.offendingRows)) {
    out.offendingRows = (c.offendingRows as Record<string, JsonValue>[]).map((r) =>
      maskRecord(cfg, caller, r, key),
    );
  }
  const read = maskedColumnOf(cfg, caller, c.check, key);
  if (read === undefined) return out;
  const { column } = read;
  const mask = (v: JsonValue) => maskRecord(cfg, caller, { [column]: v }, key)[column] ?? REDACTED;
  if (read.actualIsValue && c.actual !== undefined && c.actual !== null) {
    const raw = c.actual as JsonValue;
    const masked = mask(raw);
    out.actual = masked;
    out.message = maskMessage(c.message, raw, masked);
  }
  out.message = maskQuotedValues(out.message, column, mask);
  return out;
}

function maskChecks(
  cfg: AccessConfig,
  caller: Caller,
  checks: unknown,
  key: string | undefined,
): unknown {
  if (!Array.isArray(checks)) return checks;
  return checks.map((c: Record<string, unknown>) => maskCheck(cfg, caller, c, key));
}

/**
 * A word kept as it is: a day, a range of days, an instant, a number, a duration, an extension.
 * A day is dashed or, as the local engine's store names its days (core `dayRanges`), slashed.
 */
const KEPT_WORD =
  /^(?:\d{4}([-/])\d{2}\1\d{2}(?:T[\d:.]+Z?)?(?:\.\.\d{4}\1\d{2}\1\d{2}(?:T[\d:.]+Z?)?)?|\d{1,3}(?:,\d{3})*(?:\.\d+)?%?|\d+(?:\.\d+)?%?|\d+(?:ms|s|m|h|d|KB|MB|GB|TB)|\.[a-z0-9]+)$/i;

/** Whether a word of an engine's message names something (a file, a place, a person). */
function namesSomething(word: string): boolean {
  return (
    /[/\\@]/.test(word) || // paths, S3 locations, log groups, e-mail addresses
    /^arn:/i.test(word) ||
    /\d{12}/.test(word) || // an account id, alone or in a file's name
    /\b[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d\b/.test(word) || // a region
    /\d{1,3}(?:\.\d{1,3}){3}/.test(word) || // an IPv4 address
    /[0-9a-f]{0,4}:[0-9a-f]{0,4}:[0-9a-f:]*/i.test(word) || // an IPv6 address
    /[A-Za-z0-9_-]\.[A-Za-z0-9_-]/.test(word) // a file or host name
  );
}

/**
 * A single-quoted text (`'52.94.133.12'`, `'O''Brien'`, `'bob's laptop'`): its quote opens after
 * no letter or digit, and closes before none. An apostrophe inside a word (the window's days,
 * cloudtrail_logs's projection) opens no quote: taken for one, it hid the days a warning names
 * up to the next such word (review, 2026-12-07).
 */
const SINGLE_QUOTED = /(?<![\p{L}\p{N}_'])'(?:[^']|''|'(?=[\p{L}\p{N}_]))*'(?![\p{L}\p{N}_])/gu;

/**
 * An engine's text (a step's warning or error) for a caller whom masking covers: quoted text
 * and the words that name something (files and paths, S3 locations, log groups, accounts,
 * regions, addresses, ARNs, e-mail addresses, hosts) are `[redacted]`; the sentence, its days,
 * instants and counts are kept, so a warning still says which days were not read. Which column
 * a name came from is not known (a region is the gap warning's and `awsregion`'s alike), so
 * every such name goes (red-team, 2026-12-07).
 */
export function maskEngineText(text: string): string {
  return text
    .replace(SINGLE_QUOTED, `'${REDACTED}'`)
    .replace(/"(?:[^"\\]|\\.)*"/g, `"${REDACTED}"`)
    .replace(/\S+/g, (token) => {
      if (token === `'${REDACTED}'` || token === `"${REDACTED}"`) return token;
      // The word without the punctuation around it (a sentence's, a list's, brackets).
      const m = /^([([{<]*)(.*?)([)\]}>.,;:!?]*)$/.exec(token)!;
      const word = m[2]!;
      const account = /\d{12}/.test(word); // an account id is no count
      if (word === "" || (!account && (KEPT_WORD.test(word) || !namesSomething(word))))
        return token;
      return `${m[1]}${REDACTED}${m[3]}`;
    });
}

/** The codes whose message is an engine's own sentence about the query and the data it read. */
const ENGINE_MESSAGE_CODES: ReadonlySet<string> = new Set(["sql-error", "athena-query-failed"]);

/**
 * What such a message says before its sentence: Athena's query id, then the kinds of error
 * (`INVALID_CAST_ARGUMENT: `, `Conversion Error: `, both stacked).
 */
const ENGINE_MESSAGE_KIND =
  /^(?:Athena query \S+ failed: )?(?:(?:[A-Z][A-Z0-9_]{2,}|[A-Z][a-z]+(?: [A-Za-z]+)* Error): )*/;

/**
 * An engine's message for a masked caller: its kind, the sentence `[redacted]`. An engine quotes
 * the value it failed on in any way and at any place of the sentence: in quotes, in brackets,
 * after a colon (`Key not present in map: ...`), before one (`missing ): ...`); each way found
 * was one more leak of a masked column (red-team and reviews, 2026-12-07), so no sentence of an
 * engine reaches such a caller. The run's own record and unmasked callers keep it whole.
 */
export function engineMessageKind(message: string): string {
  const kind = ENGINE_MESSAGE_KIND.exec(message)?.[0] ?? "";
  return kind.length === message.length ? message : `${kind}${REDACTED}`;
}

/** A step's error with the values it quotes replaced (see the file's comment). */
function maskError(error: unknown): unknown {
  if (error === null || typeof error !== "object") return error;
  const e = error as Record<string, unknown>;
  if (typeof e.message !== "string") return error;
  if (typeof e.code === "string" && ENGINE_MESSAGE_CODES.has(e.code))
    return { ...e, message: engineMessageKind(e.message) };
  // Other errors are run-md's sentences: names (files, log groups, accounts) hidden as in warnings.
  return { ...e, message: maskEngineText(e.message) };
}

/**
 * A step's statistics for a masked caller: figures kept, text ones with their names hidden as in
 * warnings (`logGroups` names an account's log group). Athena's bound `executionParameters` are
 * another person's parameters, which routes/run-params.ts hides by value, the requester's kept.
 */
function maskStats(stats: unknown): unknown {
  if (stats === null || typeof stats !== "object" || Array.isArray(stats)) return stats;
  return Object.fromEntries(
    Object.entries(stats as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === "string" && k !== "executionParameters" ? maskEngineText(v) : v,
    ]),
  );
}

/** A step's warnings for a masked caller: each one kept, its names hidden (`maskEngineText`). */
function maskWarnings(warnings: unknown): unknown {
  if (!Array.isArray(warnings)) return warnings;
  return warnings.map((w) => (typeof w === "string" ? maskEngineText(w) : w));
}

/** A step's result columns, as its rows are aligned with them. */
function columnsOf(data: Record<string, unknown>): Columns {
  return (Array.isArray(data.columns) ? data.columns : []) as Columns;
}

function columnNames(columns: Columns): string[] {
  return columns.map((c) => (typeof c === "string" ? c : c.name));
}

/**
 * The masked field a step's query reads that no result column is named after: one read under
 * another name (`useridentity.arn AS actor`), which masking by column name cannot follow. Told
 * from the query's words (every part of the field's path, in any case), so a mention anywhere
 * counts: the answer errs towards hiding, and a step whose query is not known reads them all.
 */
function renamedField(
  plan: Map<string, unknown>,
  query: unknown,
  columns: Columns,
): string | undefined {
  // A step whose query is not known is taken to read every masked field.
  const words = typeof query === "string" ? queryWords(query) : null;
  const names = columnNames(columns).map((n) => n.toLowerCase());
  return [...plan.keys()].find((field) => {
    const parts = field.split(".");
    if (words !== null && !parts.every((p) => words.has(p))) return false;
    // A column named after the field, its last part or a struct or JSON text holding it is
    // masked by name (maskRows).
    const holders = new Set([
      parts.at(-1),
      ...parts.map((_, i) => parts.slice(0, i + 1).join(".")),
    ]);
    if (!names.some((n) => holders.has(n))) return true;
    // Beside a column named after it, the field may be selected under another name too.
    return typeof query === "string" && selectedUnderOtherName(query, parts, holders);
  });
}

/**
 * Whether a SELECT list of the query, at any depth (a WITH query's, a subquery's), has an item
 * that reads every part of the field's path under a label no rule masks by name
 * (`lag(sourceipaddress) OVER (...) AS previous_ip` beside a `sourceipaddress` column showed the
 * masked caller every previous address: second review, 2026-12-08). Told from the text, as
 * `renamedField` tells what a query reads.
 */
function selectedUnderOtherName(
  query: string,
  parts: string[],
  holders: ReadonlySet<string | undefined>,
): boolean {
  return selectItems(query.toLowerCase()).some((item) => {
    const words = queryWords(item);
    return parts.every((p) => words.has(p)) && !holders.has(itemLabel(item));
  });
}

/** Where a SELECT list ends, at its own depth. */
const LIST_END =
  /(?<![\w$])(?:from|where|group|order|limit|having|union|intersect|except|offset|fetch|window)\b/y;

/**
 * The items of every SELECT list of a (lower-cased) query, as written: its commas and brackets
 * read with literals, quoted names and comments blanked.
 */
function selectItems(query: string): string[] {
  const blank = (m: string) => " ".repeat(m.length);
  const shape = query.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, blank);
  const items: string[] = [];
  for (const m of shape.matchAll(/(?<![\w$])select\b/g)) {
    let start = m.index + m[0].length;
    let depth = 0;
    let i = start;
    for (; i < shape.length; i++) {
      const c = shape[i];
      if (c === "(") depth++;
      else if (c === ")" && depth-- === 0) break;
      else if (depth === 0 && c === ",") {
        items.push(query.slice(start, i));
        start = i + 1;
      } else if (depth === 0) {
        LIST_END.lastIndex = i;
        if (LIST_END.test(shape)) break;
      }
    }
    items.push(query.slice(start, i));
  }
  return items.map((item) => item.trim().replace(/^(?:distinct|all)\s+/, ""));
}

/**
 * The label Athena gives a SELECT item: its alias, else the last part of a column or field it is
 * (`t.sourceipaddress` is `sourceipaddress`); undefined for an expression without one (`_col1`).
 */
function itemLabel(item: string): string | undefined {
  const text = item.replaceAll('"', "");
  if (/^[a-z_]\w*(?:\.[a-z_]\w*)*$/.test(text)) return text.split(".").at(-1);
  return /(?:\bas\s+|\)\s*)([a-z_]\w*)$/.exec(text)?.[1];
}

/** A query's words, lower-cased: names, keywords, and the words in its literals (`@message` too). */
function queryWords(query: string): Set<string> {
  return new Set(query.toLowerCase().match(/[a-z_@][\w@]*/g) ?? []);
}

/**
 * The masked field a query may read, told from its words as `renamedField` tells it: every part
 * of a masked field's path is a word of it, or it names Logs Insights' `@message` (the whole
 * record); undefined when it names none.
 */
export function maskedFieldRead(plan: Map<string, unknown>, query: string): string | undefined {
  const words = queryWords(query);
  if (words.has("@message")) return "@message";
  return [...plan.keys()].find((field) => field.split(".").every((p) => words.has(p)));
}

/** Text values hidden, numbers, booleans and nulls kept (counts stay readable). */
function hideText(v: JsonValue): JsonValue {
  return typeof v === "string" || (typeof v === "object" && v !== null) ? REDACTED : v;
}

/**
 * A step that reads a masked field under another name: every text value of its rows, of its
 * checks' offending rows and actual values, and the values its checks' messages quote, hidden,
 * with a note that says why (`masked`).
 */
function withheld(
  data: Record<string, unknown>,
  field: string,
  maskedByName: (column: string) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  // Columns a rule names are masked by their strategy already (a hash stays a hash).
  const names = columnNames(columnsOf(data));
  const hide = (v: JsonValue, column: string | undefined) =>
    column !== undefined && maskedByName(column) ? v : hideText(v);
  if (Array.isArray(data.rows))
    out.rows = (data.rows as JsonValue[][]).map((r) => r.map((v, i) => hide(v, names[i])));
  if (Array.isArray(data.checks))
    out.checks = (data.checks as Record<string, unknown>[]).map((c) => hiddenCheck(c, hide));
  // A note of its own, apart from the step's warnings (what the engine did not read): the runs
  // list counts those, the same for every caller, and a masked caller's page shows as many.
  out.masked = `text values hidden for your groups: this step reads ${field} under another column name, which masking by name cannot follow`;
  return out;
}

/**
 * A check of a step that reads a masked field under another name: its offending rows as rows,
 * and its `actual` and the values its message quotes hidden, unless it reads a column a rule
 * names (already masked by that rule's strategy).
 */
function hiddenCheck(
  c: Record<string, unknown>,
  hide: (v: JsonValue, column: string | undefined) => JsonValue,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if (Array.isArray(c.offendingRows)) {
    out.offendingRows = (c.offendingRows as Record<string, JsonValue>[]).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, hide(v, k)])),
    );
  }
  const check = parsedCheck(c.check);
  const column = check === undefined ? undefined : columnOfCheck(check);
  if (column !== undefined && hide(PROBE, column) === PROBE) return out;
  if (c.actual !== undefined) out.actual = hide(c.actual as JsonValue, undefined);
  if (typeof c.message === "string")
    out.message = c.message.replace(/"(?:[^"\\]|\\.)*"/g, JSON.stringify(REDACTED));
  return out;
}

/** The hook the server applies to every step's rows a caller receives. */
export function maskingHook(cfg: AccessConfig, key: string | undefined): RowsHook {
  return (caller, _runbook, data) => {
    const plan = maskPlan(cfg, caller);
    if (plan.size === 0) return data;
    const out: Record<string, unknown> = { ...data };
    if (Array.isArray(data.columns) && Array.isArray(data.rows)) {
      out.rows = maskRows(cfg, caller, data.columns as Columns, data.rows as JsonValue[][], key);
    }
    if (data.checks !== undefined) out.checks = maskChecks(cfg, caller, data.checks, key);
    if (data.error !== undefined) out.error = maskError(data.error);
    if (data.warnings !== undefined) out.warnings = maskWarnings(data.warnings);
    if (data.stats !== undefined) out.stats = maskStats(data.stats);
    const renamed = renamedField(plan, data.query, columnsOf(data));
    if (renamed === undefined) return out;
    const maskedByName = (column: string) =>
      maskRecord(cfg, caller, { [column]: PROBE }, key)[column] !== PROBE;
    return withheld(out, renamed, maskedByName);
  };
}
