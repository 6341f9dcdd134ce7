/**
 * The info string of a fence: `sql failed_logins engine=athena timeout=5m optional`.
 * `parseInfo` splits it into words with their offsets; `stepFromInfo` reads a step's id and
 * attributes from those words and reports what is wrong, with the offset of the offending word.
 */
import { parseChartSpec } from "./chart.ts";
import { didYouMean } from "./diagnostics.ts";
import { engineInfo, engineNames } from "./engine-registry.ts";
import type { Dialect, StepAttributes } from "./model.ts";
import { parseBytes, parseDuration } from "./units.ts";

export interface InfoWord {
  /** The word as written (for `key=value`, the whole pair). */
  text: string;
  /** Offset of the word in the info string. */
  offset: number;
  /** For `key=value`: the key. */
  key?: string;
  /** For `key=value`: the value, unquoted when it was written in double quotes. */
  value?: string;
  /** Offset of the value in the info string. */
  valueOffset?: number;
}

export interface Info {
  /** The first word, the fence language as written (empty when there is none). */
  lang: string;
  words: InfoWord[];
  /** Offset of an unterminated `"` in the info string, if any. */
  unterminatedQuote?: number;
}

/** Splits an info string into the language and the words after it. */
export function parseInfo(info: string): Info {
  const words: InfoWord[] = [];
  let unterminatedQuote: number | undefined;
  let i = 0;
  while (i < info.length) {
    while (i < info.length && /\s/.test(info[i]!)) i++;
    if (i >= info.length) break;
    const start = i;
    let key: string | undefined;
    let value: string | undefined;
    let valueOffset: number | undefined;
    while (i < info.length && !/\s/.test(info[i]!)) {
      if (info[i] === "=" && key === undefined) {
        key = info.slice(start, i);
        i++;
        valueOffset = i;
        if (info[i] === '"') {
          const close = info.indexOf('"', i + 1);
          if (close < 0) {
            unterminatedQuote = i;
            value = info.slice(i + 1);
            i = info.length;
          } else {
            value = info.slice(i + 1, close);
            valueOffset = i + 1;
            i = close + 1;
          }
          break;
        }
        continue;
      }
      i++;
    }
    const word: InfoWord = { text: info.slice(start, i), offset: start };
    if (key !== undefined) {
      word.key = key;
      word.value = value ?? info.slice(valueOffset, i);
      word.valueOffset = valueOffset;
    }
    words.push(word);
  }
  const first = words.shift();
  const result: Info = { lang: first?.text ?? "", words };
  if (unterminatedQuote !== undefined) result.unterminatedQuote = unterminatedQuote;
  return result;
}

/** The fence languages that make a step, lower-case, and their dialect. */
export const STEP_LANGUAGES: Record<string, Dialect> = {
  sql: "sql",
  athena: "sql",
  "logs-insights": "logs-insights",
  insights: "logs-insights",
};

export const STEP_ATTRIBUTES = [
  "engine",
  "timeout",
  "window",
  "max_scan",
  "log_groups",
  "dialect",
  "chart",
] as const;

/** `dialect=` values: `duckdb` lets a sql step use the local engine's DuckDB SQL (local only). */
export const SQL_DIALECTS = ["duckdb"] as const;
export const STEP_FLAGS = ["optional", "allow_empty"] as const;

const STEP_ID = /^[A-Za-z0-9_-]+$/;

export interface InfoProblem {
  offset: number;
  severity: "error" | "warning";
  rule:
    | "unknown-attribute"
    | "invalid-attribute"
    | "duplicate-attribute"
    | "unknown-engine"
    | "engine-dialect"
    | "attribute-ignored"
    | "invalid-step-id";
  message: string;
}

export interface StepInfo {
  id?: string;
  attributes: StepAttributes;
  problems: InfoProblem[];
}

/** Reads a step's id and attributes from the words after the fence language. */
export function stepFromInfo(info: Info, dialect: Dialect): StepInfo {
  const attributes: StepAttributes = { optional: false };
  const problems: InfoProblem[] = [];
  const seen = new Set<string>();
  let id: string | undefined;
  /** Offset of a valid `dialect=duckdb` value, to check it against `engine=` at the end. */
  let duckdbOffset: number | undefined;
  const problem = (
    offset: number,
    rule: InfoProblem["rule"],
    message: string,
    severity: InfoProblem["severity"] = "error",
  ) => problems.push({ offset, rule, message, severity });

  if (info.unterminatedQuote !== undefined) {
    problem(info.unterminatedQuote, "invalid-attribute", 'unterminated " in the fence info string');
  }

  for (const word of info.words) {
    if (word.key === undefined) {
      if ((STEP_FLAGS as readonly string[]).includes(word.text)) {
        if (seen.has(word.text)) {
          problem(word.offset, "duplicate-attribute", `attribute "${word.text}" is given twice`);
        }
        seen.add(word.text);
        if (word.text === "optional") attributes.optional = true;
        else attributes.allowEmpty = true;
      } else if (id === undefined) {
        if (STEP_ID.test(word.text)) id = word.text;
        else {
          problem(
            word.offset,
            "invalid-step-id",
            `invalid step id "${word.text}": use letters, digits, "_" and "-"`,
          );
          id = "";
        }
      } else {
        problem(
          word.offset,
          "unknown-attribute",
          `unexpected word "${word.text}": a step has one id ("${id}") and key=value attributes${didYouMean(word.text, [...STEP_FLAGS])}`,
        );
      }
      continue;
    }
    const key = word.key;
    const value = word.value ?? "";
    const valueOffset = word.valueOffset ?? word.offset;
    if (!(STEP_ATTRIBUTES as readonly string[]).includes(key)) {
      problem(
        word.offset,
        "unknown-attribute",
        `unknown attribute "${key}"${didYouMean(key, [...STEP_ATTRIBUTES, ...STEP_FLAGS])}`,
      );
      continue;
    }
    if (seen.has(key)) {
      problem(word.offset, "duplicate-attribute", `attribute "${key}" is given twice`);
      continue;
    }
    seen.add(key);
    if (value === "") {
      problem(valueOffset, "invalid-attribute", `attribute "${key}" has no value`);
      continue;
    }
    switch (key) {
      case "engine": {
        const engine = engineInfo(value);
        if (engine === undefined) {
          const names = engineNames();
          problem(
            valueOffset,
            "unknown-engine",
            `unknown engine "${value}": expected one of ${names.join(", ")}${didYouMean(value, names)}`,
          );
        } else if (!engine.dialects.includes(dialect)) {
          problem(
            valueOffset,
            "engine-dialect",
            `engine "${value}" does not run ${dialect} steps (it runs ${engine.dialects.join(", ")})`,
          );
        } else attributes.engine = value;
        break;
      }
      case "timeout": {
        const ms = parseDuration(value);
        if (ms === undefined) {
          problem(
            valueOffset,
            "invalid-attribute",
            `invalid timeout "${value}": expected a duration such as 30s, 5m or 1h`,
          );
        } else attributes.timeoutMs = ms;
        break;
      }
      case "window": {
        if (parseDuration(value) === undefined) {
          problem(
            valueOffset,
            "invalid-attribute",
            `invalid window "${value}": expected a duration such as 24h, 7d or 30d`,
          );
        } else attributes.window = value;
        break;
      }
      case "max_scan": {
        const bytes = parseBytes(value);
        if (bytes === undefined) {
          problem(
            valueOffset,
            "invalid-attribute",
            `invalid max_scan "${value}": expected a size such as 500MB, 10GB or 1TB`,
          );
        } else {
          attributes.maxScanBytes = bytes;
          if (dialect !== "sql") {
            problem(
              word.offset,
              "attribute-ignored",
              "max_scan= applies to Athena only; it is ignored on a logs-insights step",
              "warning",
            );
          }
        }
        break;
      }
      case "dialect": {
        if (!(SQL_DIALECTS as readonly string[]).includes(value)) {
          problem(
            valueOffset,
            "invalid-attribute",
            `invalid dialect "${value}": expected ${SQL_DIALECTS.join(", ")}${didYouMean(value, SQL_DIALECTS)}`,
          );
        } else if (dialect !== "sql") {
          problem(
            word.offset,
            "attribute-ignored",
            "dialect= applies to sql steps only",
            "warning",
          );
        } else {
          attributes.sqlDialect = "duckdb";
          duckdbOffset = valueOffset;
        }
        break;
      }
      case "log_groups": {
        const groups = value.split(",").map((g) => g.trim());
        if (groups.some((g) => g === "")) {
          problem(
            valueOffset,
            "invalid-attribute",
            `invalid log_groups "${value}": expected comma-separated log group names or ARNs`,
          );
        } else {
          attributes.logGroups = groups;
          if (dialect !== "logs-insights") {
            problem(
              word.offset,
              "attribute-ignored",
              "log_groups= applies to CloudWatch Logs only; it is ignored on a sql step",
              "warning",
            );
          }
        }
        break;
      }
      case "chart": {
        const chart = parseChartSpec(value);
        if ("error" in chart) problem(valueOffset, "invalid-attribute", chart.error);
        else attributes.chart = chart.spec;
        break;
      }
    }
  }
  if (
    duckdbOffset !== undefined &&
    attributes.engine !== undefined &&
    attributes.engine !== "local"
  ) {
    problem(
      duckdbOffset,
      "engine-dialect",
      `engine "${attributes.engine}" does not run dialect=duckdb steps: only the local engine does`,
    );
    delete attributes.sqlDialect;
  }
  const result: StepInfo = { attributes, problems };
  if (id !== undefined && id !== "") result.id = id;
  return result;
}
