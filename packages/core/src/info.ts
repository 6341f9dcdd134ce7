/**
 * The info string of a fence: `sql failed_logins engine=athena timeout=5m optional`.
 * `parseInfo` splits it into words with their offsets; `stepFromInfo` reads a step's id and
 * attributes from those words and reports what is wrong, with the offset of the offending word.
 */
import { parseChartSpec } from "./chart.ts";
import { didYouMean } from "./diagnostics.ts";
import { engineInfo, engineNames } from "./engine-registry.ts";
import type { Dialect, StepAttributes } from "./model.ts";
import { parseBytes, parseDuration, parseTimeout } from "./units.ts";
import { windowLengthProblem } from "./window.ts";

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

/** What `stepFromInfo` builds while it reads a step's words. */
interface InfoReader {
  dialect: Dialect;
  attributes: StepAttributes;
  problems: InfoProblem[];
  /** Attributes and flags already given, to report a repeated one. */
  seen: Set<string>;
  /** The step id; "" once an invalid one was reported. */
  id?: string;
  /** Offset of a valid `dialect=duckdb` value, to check it against `engine=` at the end. */
  duckdbOffset?: number;
}

function problem(
  r: InfoReader,
  offset: number,
  rule: InfoProblem["rule"],
  message: string,
  severity: InfoProblem["severity"] = "error",
): void {
  r.problems.push({ offset, rule, message, severity });
}

/** Reads a step's id and attributes from the words after the fence language. */
export function stepFromInfo(info: Info, dialect: Dialect): StepInfo {
  const r: InfoReader = {
    dialect,
    attributes: { optional: false },
    problems: [],
    seen: new Set<string>(),
  };
  if (info.unterminatedQuote !== undefined) {
    problem(
      r,
      info.unterminatedQuote,
      "invalid-attribute",
      'unterminated " in the fence info string',
    );
  }
  for (let i = 0; i < info.words.length; i++) {
    const spaced = spacedAttribute(r, info.words, i);
    if (spaced > 0) {
      i += spaced;
      continue;
    }
    const word = info.words[i]!;
    if (word.key === undefined) readWord(r, word);
    else readAttribute(r, word, word.key);
  }
  checkDuckdbEngine(r);
  const result: StepInfo = { attributes: r.attributes, problems: r.problems };
  if (r.id !== undefined && r.id !== "") result.id = r.id;
  return result;
}

/**
 * An attribute written with spaces around its `=` (`engine = local`, `engine =local`, `engine=
 * local`): one error saying so, and the number of words after `words[i]` it took (0 when it is
 * not one). Review: it was `unknown attribute ""` and an unexpected word.
 */
function spacedAttribute(r: InfoReader, words: readonly InfoWord[], i: number): number {
  const [word, eq, next] = [words[i]!, words[i + 1], words[i + 2]];
  const known = STEP_ATTRIBUTES as readonly string[];
  let key: string;
  let value: string;
  let taken: number;
  if (word.key === undefined && known.includes(word.text) && eq?.key === "") {
    key = word.text;
    taken = eq.value === "" && next?.key === undefined ? 2 : 1;
    value = taken === 2 ? (next?.text ?? "") : (eq.value ?? "");
  } else if (word.key !== undefined && known.includes(word.key) && word.value === "") {
    if (eq === undefined || eq.key !== undefined) return 0;
    [key, value, taken] = [word.key, eq.text, 1];
  } else return 0;
  problem(
    r,
    word.offset,
    "invalid-attribute",
    `write ${key}=${value || "<value>"} without spaces around "="`,
  );
  r.seen.add(key);
  return taken;
}

/**
 * A word written in double quotes as a whole (`"log_groups=a"`, `"optional"`): the quotes would
 * become part of its name. Reported with the word to write instead; true when it was.
 */
function quotedWord(r: InfoReader, word: InfoWord): boolean {
  if (!word.text.startsWith('"')) return false;
  const bare = word.text.replace(/"/g, "");
  const name = bare.split("=")[0]!;
  const known = [...STEP_ATTRIBUTES, ...STEP_FLAGS] as readonly string[];
  if (!known.includes(name)) return false;
  const what = word.key === undefined ? `"${name}"` : `attribute "${name}"`;
  const values = word.key === undefined ? "" : ` (only a value with spaces is: ${name}="a, b")`;
  problem(
    r,
    word.offset,
    "invalid-attribute",
    `${what} is written in quotes: attributes are not quoted${values}; write ${bare} without quotes`,
  );
  return true;
}

/** A word without `=`: a flag (`optional`, `allow_empty`), else the step id (once). */
function readWord(r: InfoReader, word: InfoWord): void {
  if (quotedWord(r, word)) return;
  if ((STEP_FLAGS as readonly string[]).includes(word.text)) {
    if (r.seen.has(word.text)) {
      problem(r, word.offset, "duplicate-attribute", `attribute "${word.text}" is given twice`);
    }
    r.seen.add(word.text);
    if (word.text === "optional") r.attributes.optional = true;
    else r.attributes.allowEmpty = true;
  } else if (r.id === undefined) {
    if (STEP_ID.test(word.text)) r.id = word.text;
    else {
      problem(
        r,
        word.offset,
        "invalid-step-id",
        `invalid step id "${word.text}": use letters, digits, "_" and "-"`,
      );
      r.id = "";
    }
  } else {
    problem(
      r,
      word.offset,
      "unknown-attribute",
      `unexpected word "${word.text}": a step has one id ("${r.id}") and key=value attributes${didYouMean(word.text, [...STEP_FLAGS])}`,
    );
  }
}

/** A `key=value` word: a known attribute, given once, with a value its reader accepts. */
function readAttribute(r: InfoReader, word: InfoWord, key: string): void {
  const attribute: Attribute = {
    key,
    value: word.value ?? "",
    offset: word.offset,
    valueOffset: word.valueOffset ?? word.offset,
  };
  if (quotedWord(r, word)) return;
  if ((STEP_FLAGS as readonly string[]).includes(key)) {
    problem(
      r,
      word.offset,
      "invalid-attribute",
      `attribute "${key}" takes no value: write ${key}, without "=${attribute.value}"`,
    );
  } else if (!(STEP_ATTRIBUTES as readonly string[]).includes(key)) {
    problem(
      r,
      word.offset,
      "unknown-attribute",
      `unknown attribute "${key}"${idAsAttribute(r, key, attribute.value) ?? didYouMean(key, [...STEP_ATTRIBUTES, ...STEP_FLAGS])}`,
    );
  } else if (r.seen.has(key)) {
    problem(r, word.offset, "duplicate-attribute", `attribute "${key}" is given twice`);
  } else {
    r.seen.add(key);
    if (attribute.value === "") {
      problem(r, attribute.valueOffset, "invalid-attribute", `attribute "${key}" has no value`);
    } else readValue(r, attribute, key as (typeof STEP_ATTRIBUTES)[number]);
  }
}

/**
 * `id=calls` (or `name=`, `step=`) before any id: how an id is written, which is what was meant.
 * Undefined for any other key, or once the step has its id.
 */
function idAsAttribute(r: InfoReader, key: string, value: string): string | undefined {
  if (r.id !== undefined || !["id", "name", "step"].includes(key) || value === "") return undefined;
  return `: a step's id is the first word after the language, without "${key}=" (\`\`\`${r.dialect} ${value})`;
}

/**
 * Attributes that mean something on steps of one dialect only: elsewhere a valid value is kept
 * with a warning that it is ignored.
 */
const ONE_DIALECT: Partial<Record<(typeof STEP_ATTRIBUTES)[number], [Dialect, string]>> = {
  max_scan: ["sql", "max_scan= applies to Athena only; it is ignored on a logs-insights step"],
  log_groups: [
    "logs-insights",
    "log_groups= applies to CloudWatch Logs only; it is ignored on a sql step",
  ],
};

function readValue(r: InfoReader, a: Attribute, key: (typeof STEP_ATTRIBUTES)[number]): void {
  const before = r.problems.length;
  ATTRIBUTE_READERS[key](r, a);
  const only = ONE_DIALECT[key];
  if (only !== undefined && r.problems.length === before && r.dialect !== only[0]) {
    problem(r, a.offset, "attribute-ignored", only[1], "warning");
  }
}

/** A `key=value` word with its value (unquoted) and the offsets of the word and the value. */
interface Attribute {
  key: string;
  value: string;
  offset: number;
  valueOffset: number;
}

type AttributeReader = (r: InfoReader, a: Attribute) => void;

/** One reader per attribute: it sets the attribute or reports what is wrong with the value. */
const ATTRIBUTE_READERS: Record<(typeof STEP_ATTRIBUTES)[number], AttributeReader> = {
  engine: readEngine,
  timeout(r, a) {
    const ms = parsedValue(r, a, parseTimeout, "a duration such as 30s, 5m or 1h, at most 24h");
    if (ms !== undefined) r.attributes.timeoutMs = ms;
  },
  window(r, a) {
    const ms = parsedValue(r, a, parseDuration, "a duration such as 24h, 7d or 30d");
    const length = ms === undefined ? undefined : windowLengthProblem(a.value);
    if (length !== undefined) {
      problem(r, a.valueOffset, "invalid-attribute", `invalid window "${a.value}": ${length}`);
    } else if (ms !== undefined) r.attributes.window = a.value;
  },
  max_scan(r, a) {
    const bytes = parsedValue(r, a, parseBytes, "a size such as 500MB, 10GB or 1TB");
    if (bytes !== undefined) r.attributes.maxScanBytes = bytes;
  },
  dialect: readSqlDialect,
  log_groups(r, a) {
    const groups = parsedValue(r, a, logGroupList, "comma-separated log group names or ARNs");
    // The console and IAM policies show a log group's ARN with `:*`; Logs Insights refuses it.
    const starred = groups?.find((g) => g.startsWith("arn:") && g.endsWith("*"));
    const invalid = groups?.map((g) => [g, logGroupProblem(g)] as const).find(([, p]) => p);
    if (starred !== undefined) {
      const bare = starred.replace(/:?\*+$/, "");
      const message = `invalid log_groups: the ARN ${starred} ends with "*", which Logs Insights refuses: write ${bare}`;
      problem(r, a.valueOffset + a.value.indexOf(starred), "invalid-attribute", message);
    } else if (invalid !== undefined) {
      const [group, why] = invalid;
      const message = `invalid log_groups: ${JSON.stringify(group)} ${why}`;
      problem(r, a.valueOffset + a.value.indexOf(group), "invalid-attribute", message);
    } else if (groups !== undefined) r.attributes.logGroups = groups;
  },
  chart(r, a) {
    const chart = parseChartSpec(a.value);
    if ("error" in chart) problem(r, a.valueOffset, "invalid-attribute", chart.error);
    else r.attributes.chart = chart.spec;
  },
};

/** `parse` of the value, or undefined after reporting `invalid <key> "<value>": expected ...`. */
function parsedValue<T>(
  r: InfoReader,
  a: Attribute,
  parse: (value: string) => T | undefined,
  expected: string,
): T | undefined {
  const parsed = parse(a.value);
  if (parsed === undefined) {
    const message = `invalid ${a.key} "${a.value}": expected ${expected}`;
    problem(r, a.valueOffset, "invalid-attribute", message);
  }
  return parsed;
}

/** What CloudWatch Logs allows in a log group's name (CreateLogGroup's logGroupName). */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** A log group's ARN as StartQuery's logGroupIdentifiers take it (without `:*`). */
const LOG_GROUP_ARN = /^arn:[^:]+:logs:[^:]*:\d{12}:log-group:(.*)$/;

/**
 * Why a name or ARN of `log_groups=` (or of `logs.logGroups`) names no log group (CloudWatch
 * would refuse it), if so.
 */
export function logGroupProblem(group: string): string | undefined {
  const allowed = `1 to 512 letters, digits and "." "-" "_" "/" "#"`;
  if (group.startsWith("arn:")) {
    const name = LOG_GROUP_ARN.exec(group)?.[1];
    if (name === undefined)
      return "is not a log group ARN: expected arn:aws:logs:<region>:<account id>:log-group:<name>";
    return LOG_GROUP_NAME.test(name)
      ? undefined
      : `names the log group ${JSON.stringify(name)}, which is not a log group name (${allowed})`;
  }
  return LOG_GROUP_NAME.test(group) ? undefined : `is not a log group name (${allowed})`;
}

/** `a, b` as log group names; undefined when one is empty. */
function logGroupList(value: string): string[] | undefined {
  const groups = value.split(",").map((g) => g.trim());
  return groups.some((g) => g === "") ? undefined : groups;
}

/** `engine=`: an engine of the registry that runs the step's dialect. */
function readEngine(r: InfoReader, { value, valueOffset }: Attribute): void {
  const engine = engineInfo(value);
  if (engine === undefined) {
    const names = engineNames();
    problem(
      r,
      valueOffset,
      "unknown-engine",
      `unknown engine "${value}": expected one of ${names.join(", ")}${didYouMean(value, names)}`,
    );
  } else if (!engine.dialects.includes(r.dialect)) {
    problem(
      r,
      valueOffset,
      "engine-dialect",
      `engine "${value}" does not run ${r.dialect} steps (it runs ${engine.dialects.join(", ")})`,
    );
  } else r.attributes.engine = value;
}

/** `dialect=duckdb`: on sql steps only. */
function readSqlDialect(r: InfoReader, a: Attribute): void {
  if (!(SQL_DIALECTS as readonly string[]).includes(a.value)) {
    problem(
      r,
      a.valueOffset,
      "invalid-attribute",
      `invalid dialect "${a.value}": expected ${SQL_DIALECTS.join(", ")}${didYouMean(a.value, SQL_DIALECTS)}`,
    );
  } else if (r.dialect !== "sql") {
    problem(r, a.offset, "attribute-ignored", "dialect= applies to sql steps only", "warning");
  } else {
    r.attributes.sqlDialect = "duckdb";
    r.duckdbOffset = a.valueOffset;
  }
}

/** `dialect=duckdb` runs on the local engine only: refused beside another `engine=`. */
function checkDuckdbEngine(r: InfoReader): void {
  const engine = r.attributes.engine;
  if (r.duckdbOffset === undefined || engine === undefined || engine === "local") return;
  problem(
    r,
    r.duckdbOffset,
    "engine-dialect",
    `engine "${engine}" does not run dialect=duckdb steps: only the local engine does`,
  );
  delete r.attributes.sqlDialect;
}
