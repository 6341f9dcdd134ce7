/**
 * Front matter: split from the file by gray-matter, parsed by `yaml` (which keeps the position of
 * every key and value), then validated field by field. Every problem becomes a diagnostic at the
 * offending key or value; the published JSON Schema (`schema/runbook-frontmatter.schema.json`)
 * states the same rules for editors, and a test keeps the two in step.
 */
import matter from "gray-matter";
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument } from "yaml";
import { type DiagnosticSink, didYouMean, RULES } from "./diagnostics.ts";
import { isRunMdError, RunMdError } from "./errors.ts";
import {
  BUILTIN_PARAMS,
  type ParamDecl,
  type ParamType,
  type ParamValue,
  type Position,
  type RunbookMeta,
  type Schedule,
  type Severity,
} from "./model.ts";
import { coerceParam, PARAM_TYPES } from "./params.ts";
import { warnCutValues } from "./frontmatter-comments.ts";
import { scheduleProblem } from "./schedule.ts";
import { checkTriggerParams, type MappedParam, readTriggers } from "./triggers-frontmatter.ts";
import { parseDuration } from "./units.ts";

export const FRONT_MATTER_KEYS = [
  "title",
  "description",
  "id",
  "owner",
  "severity",
  "tags",
  "schedule",
  "window",
  "params",
  "escalation",
  "triggers",
] as const;
export const SEVERITIES: readonly Severity[] = ["info", "low", "medium", "high", "critical"];
export const SCHEDULES: readonly Schedule[] = ["manual", "nightly", "weekly"];
export const PARAM_KEYS = [
  "type",
  "description",
  "default",
  "pattern",
  "enum",
  "min",
  "max",
] as const;
/** Parameter types each constraint applies to. */
export const CONSTRAINT_TYPES: Record<"pattern" | "enum" | "min" | "max", readonly ParamType[]> = {
  pattern: ["string"],
  enum: ["string", "integer", "number"],
  min: ["integer", "number"],
  max: ["integer", "number"],
};

export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const PARAM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What the front matter gives; `title` is missing when the front matter has none. */
export type FrontMatter = Partial<RunbookMeta> & {
  params: Record<string, ParamDecl>;
  /** Every parameter name the front matter declares, valid declarations or not. */
  declared: Set<string>;
};

export interface SplitFrontMatter {
  /** The raw YAML block. It begins with the rest of the opening `---` line, so its line N is
   * line N of the file and positions in it are positions in the file. */
  yaml: string;
  present: boolean;
  /** A language named after the opening delimiter (`---toml`), when it is not YAML. */
  language?: string;
}

/** Splits the front matter from the file with gray-matter, keeping line numbers. */
export function splitFrontMatter(source: string): SplitFrontMatter {
  // An engine that does not parse: gray-matter would use js-yaml, which keeps no positions. The
  // `yaml` package parses the raw block below, with the position of every node.
  if (!/^---(?!-)/.test(source)) return { yaml: "", present: false };
  // `---toml`: a language after the delimiter, which gray-matter would look up as an engine.
  const language = /^---[ \t]*([^\s-][^\r\n]*?)[ \t]*\r?\n/.exec(source)?.[1];
  if (language !== undefined && language.toLowerCase() !== "yaml") {
    return { yaml: "", present: true, language };
  }
  const file = matter(source, { engines: { yaml: () => ({}) } });
  if (typeof file.matter !== "string") return { yaml: "", present: false };
  return { yaml: file.matter, present: true };
}

function kindOf(node: unknown): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "nothing";
    if (typeof v === "string") return "a string";
    if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
    if (typeof v === "boolean") return "a boolean";
  }
  return "a value";
}

/**
 * Validates the front matter field by field, reporting each problem into `sink` at the offending
 * key or value, and returns what it declares. `closed` says whether the Markdown parser found the
 * closing `---` (gray-matter takes the whole file as front matter when there is none).
 */
export function readFrontMatter(
  source: string,
  sink: DiagnosticSink,
  options: { closed: boolean },
): FrontMatter {
  const meta: FrontMatter = { params: {}, declared: new Set() };
  const split = splitFrontMatter(source);
  if (!split.present) {
    sink.error(
      RULES.missingKey,
      1,
      1,
      'missing front matter: start the file with "---", a line "title: ...", and "---"',
    );
    return meta;
  }
  if (split.language !== undefined) {
    sink.error(RULES.frontMatter, 1, 4, `front matter must be YAML, found "${split.language}"`);
    return meta;
  }
  if (!options.closed) {
    sink.error(RULES.frontMatter, 1, 1, 'front matter is not closed: add a line "---" after it');
    return meta;
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(split.yaml, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const pos = (node: unknown): Position => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const { line, col } = lineCounter.linePos(range?.[0] ?? 0);
    return { line, column: col };
  };
  const at = (node: unknown, rule: (typeof RULES)[keyof typeof RULES], message: string) => {
    const p = pos(node);
    sink.error(rule, p.line, p.column, message);
  };

  if (doc.errors.length > 0) {
    // One error a line: a YAML mistake often makes the parser report the same spot twice.
    const seenLines = new Set<number>();
    for (const error of doc.errors) {
      const p = error.linePos?.[0] ?? { line: 1, col: 1 };
      if (seenLines.has(p.line)) continue;
      seenLines.add(p.line);
      const message = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      sink.error(RULES.yamlSyntax, p.line, p.col, `invalid YAML: ${lowerFirst(message)}`);
    }
    return meta;
  }

  warnCutValues(doc, split.yaml, lineCounter, sink);
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    sink.error(RULES.missingKey, 1, 1, 'missing required front matter key "title"');
    return meta;
  }
  if (!isMap(contents)) {
    at(
      contents,
      RULES.invalidType,
      `front matter must be a mapping of keys, found ${kindOf(contents)}`,
    );
    return meta;
  }

  let sawTitle = false;
  const triggerParams: MappedParam[] = [];
  for (const pair of contents.items as Pair<unknown, unknown>[]) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : "";
    const value = pair.value as Node | null;
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      at(
        keyNode,
        RULES.unknownKey,
        `unknown front matter key "${key}"${didYouMean(key, FRONT_MATTER_KEYS)}`,
      );
      continue;
    }
    const where = value ?? keyNode;
    const str = (): string | undefined => {
      if (isScalar(value) && typeof value.value === "string") return value.value;
      at(where, RULES.invalidType, `"${key}" must be a string, found ${kindOf(value)}`);
      return undefined;
    };
    switch (key) {
      case "title": {
        sawTitle = true;
        const s = str();
        if (s !== undefined && s.trim() === "")
          at(where, RULES.invalidValue, '"title" must not be empty');
        else if (s !== undefined) meta.title = s.trim();
        break;
      }
      case "description":
      case "owner":
      case "escalation": {
        const s = str();
        if (s !== undefined) meta[key] = s.trim();
        break;
      }
      case "id": {
        const s = str();
        if (s !== undefined && !ID_PATTERN.test(s)) {
          at(where, RULES.invalidValue, `invalid id "${s}": use letters, digits, "_" and "-"`);
        } else if (s !== undefined) meta.id = s;
        break;
      }
      case "severity": {
        const s = str();
        if (s !== undefined && !(SEVERITIES as readonly string[]).includes(s)) {
          at(
            where,
            RULES.invalidValue,
            `invalid severity "${s}": expected one of ${SEVERITIES.join(", ")}${didYouMean(s, SEVERITIES)}`,
          );
        } else if (s !== undefined) meta.severity = s as Severity;
        break;
      }
      case "schedule": {
        const s = str();
        const problem = s === undefined ? undefined : scheduleProblem(s);
        if (s !== undefined && problem !== undefined) {
          at(
            where,
            RULES.invalidValue,
            `invalid schedule "${s}": ${problem}${/\s/.test(s) ? "" : didYouMean(s, SCHEDULES)}`,
          );
        } else if (s !== undefined) meta.schedule = s;
        break;
      }
      case "window": {
        if (!(isScalar(value) && typeof value.value === "string")) {
          at(
            where,
            RULES.invalidType,
            `"window" must be a duration such as 24h or 7d, found ${kindOf(value)}`,
          );
        } else if (parseDuration(value.value) === undefined) {
          at(
            where,
            RULES.invalidValue,
            `invalid window "${value.value}": expected a duration such as 24h, 7d or 30d`,
          );
        } else meta.window = value.value.trim();
        break;
      }
      case "tags": {
        if (!isSeq(value)) {
          at(where, RULES.invalidType, `"tags" must be a list of strings, found ${kindOf(value)}`);
          break;
        }
        const tags: string[] = [];
        for (const item of value.items) {
          if (isScalar(item) && typeof item.value === "string") tags.push(item.value);
          else
            at(
              item,
              RULES.invalidType,
              `"tags" must be a list of strings, found ${kindOf(item)} in it`,
            );
        }
        meta.tags = tags;
        break;
      }
      case "params": {
        if (!isMap(value)) {
          at(
            where,
            RULES.invalidType,
            `"params" must be a mapping of parameter names, found ${kindOf(value)}`,
          );
          break;
        }
        for (const paramPair of value.items as Pair<unknown, unknown>[]) {
          if (isScalar(paramPair.key)) meta.declared.add(String(paramPair.key.value));
          const decl = readParam(paramPair, at, pos);
          if (decl) meta.params[decl.name] = decl;
        }
        break;
      }
      case "triggers":
        meta.triggers = readTriggers(value, keyNode, at, pos, triggerParams);
        break;
    }
  }
  checkTriggerParams(triggerParams, meta.declared, sink);
  if (!sawTitle) {
    const p = pos(contents);
    sink.error(RULES.missingKey, p.line, p.column, 'missing required front matter key "title"');
  }
  return meta;
}

type At = (node: unknown, rule: (typeof RULES)[keyof typeof RULES], message: string) => void;

function readParam(
  pair: Pair<unknown, unknown>,
  at: At,
  pos: (n: unknown) => Position,
): ParamDecl | undefined {
  const nameNode = pair.key;
  const name = isScalar(nameNode) ? String(nameNode.value) : "";
  const body = pair.value as Node | null;
  if (!PARAM_NAME_PATTERN.test(name)) {
    at(
      nameNode,
      RULES.invalidValue,
      `invalid parameter name "${name}": use a letter or "_", then letters, digits and "_"`,
    );
    return undefined;
  }
  if (name === "__proto__") {
    // Every other name works, `toString` and `constructor` included (own-property lookups).
    at(nameNode, RULES.invalidValue, `parameter name "__proto__" is reserved; choose another name`);
    return undefined;
  }
  if ((BUILTIN_PARAMS as readonly string[]).includes(name)) {
    at(
      nameNode,
      RULES.invalidValue,
      `parameter "${name}" is built in (the run's window); choose another name`,
    );
    return undefined;
  }
  if (!isMap(body)) {
    at(
      body ?? nameNode,
      RULES.invalidType,
      `parameter "${name}" must be a mapping with at least "type:", found ${kindOf(body)}`,
    );
    return undefined;
  }
  const entries = new Map<string, { key: unknown; value: Node | null }>();
  let ok = true;
  for (const item of body.items as Pair<unknown, unknown>[]) {
    const key = isScalar(item.key) ? String(item.key.value) : "";
    if (!(PARAM_KEYS as readonly string[]).includes(key)) {
      at(
        item.key,
        RULES.unknownKey,
        `unknown key "${key}" in parameter "${name}"${didYouMean(key, PARAM_KEYS)}`,
      );
      ok = false;
      continue;
    }
    entries.set(key, { key: item.key, value: item.value as Node | null });
  }

  const typeEntry = entries.get("type");
  if (!typeEntry) {
    at(
      nameNode,
      RULES.missingKey,
      `parameter "${name}" has no "type": expected one of ${PARAM_TYPES.join(", ")}`,
    );
    return undefined;
  }
  const typeValue = typeEntry.value;
  const typeText =
    isScalar(typeValue) && typeof typeValue.value === "string" ? typeValue.value : undefined;
  if (typeText === undefined || !(PARAM_TYPES as readonly string[]).includes(typeText)) {
    at(
      typeValue ?? typeEntry.key,
      RULES.invalidValue,
      `invalid type ${typeText === undefined ? kindOf(typeValue) : `"${typeText}"`} for parameter "${name}": expected one of ${PARAM_TYPES.join(", ")}${typeText ? didYouMean(typeText, PARAM_TYPES) : ""}`,
    );
    return undefined;
  }
  const type = typeText as ParamType;
  const decl: ParamDecl = { name, type, position: pos(nameNode) };

  const description = entries.get("description");
  if (description) {
    const v = description.value;
    if (isScalar(v) && typeof v.value === "string") decl.description = v.value.trim();
    else {
      at(
        v ?? description.key,
        RULES.invalidType,
        `"description" of parameter "${name}" must be a string, found ${kindOf(v)}`,
      );
      ok = false;
    }
  }

  for (const constraint of ["pattern", "enum", "min", "max"] as const) {
    const entry = entries.get(constraint);
    if (entry && !CONSTRAINT_TYPES[constraint].includes(type)) {
      at(
        entry.key,
        RULES.invalidValue,
        `"${constraint}" does not apply to ${type} parameters (only to ${CONSTRAINT_TYPES[constraint].join(", ")}); parameter "${name}"`,
      );
      entries.delete(constraint);
      ok = false;
    }
  }

  const pattern = entries.get("pattern");
  if (pattern) {
    const v = pattern.value;
    if (!(isScalar(v) && typeof v.value === "string")) {
      at(
        v ?? pattern.key,
        RULES.invalidType,
        `"pattern" of parameter "${name}" must be a string, found ${kindOf(v)}`,
      );
      ok = false;
    } else {
      try {
        new RegExp(v.value);
        decl.pattern = v.value;
      } catch (e) {
        at(
          v,
          RULES.invalidValue,
          `invalid pattern of parameter "${name}": ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "")}`,
        );
        ok = false;
      }
    }
  }

  for (const bound of ["min", "max"] as const) {
    const entry = entries.get(bound);
    if (!entry) continue;
    const v = entry.value;
    if (
      isScalar(v) &&
      typeof v.value === "number" &&
      (type !== "integer" || Number.isInteger(v.value))
    ) {
      decl[bound] = v.value;
    } else {
      at(
        v ?? entry.key,
        RULES.invalidType,
        `"${bound}" of parameter "${name}" must be ${type === "integer" ? "an integer" : "a number"}, found ${kindOf(v)}`,
      );
      ok = false;
    }
  }
  if (decl.min !== undefined && decl.max !== undefined && decl.min > decl.max) {
    at(
      entries.get("min")!.value,
      RULES.invalidValue,
      `"min" (${decl.min}) of parameter "${name}" is greater than "max" (${decl.max})`,
    );
    ok = false;
  }

  const enumEntry = entries.get("enum");
  if (enumEntry) {
    const v = enumEntry.value;
    if (!isSeq(v) || v.items.length === 0) {
      at(
        v ?? enumEntry.key,
        RULES.invalidType,
        `"enum" of parameter "${name}" must be a non-empty list, found ${kindOf(v)}`,
      );
      ok = false;
    } else {
      const values: ParamValue[] = [];
      for (const item of v.items) {
        const raw = isScalar(item) ? item.value : item;
        try {
          strictYamlType(name, type, raw, "enum");
          values.push(coerceParam({ name, type, position: decl.position }, raw, "enum"));
        } catch (e) {
          if (!isRunMdError(e)) throw e;
          at(item, RULES.invalidValue, e.message);
          ok = false;
        }
      }
      decl.enum = values;
    }
  }

  const def = entries.get("default");
  if (def && ok) {
    const v = def.value;
    const raw = isScalar(v) ? v.value : v === null ? null : (v.toJSON() as unknown);
    try {
      strictYamlType(name, type, raw, "default");
      decl.default = coerceParam(decl, raw, "default");
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      at(v ?? def.key, RULES.invalidDefault, e.message);
      return undefined;
    }
  }
  return ok ? decl : undefined;
}

/**
 * In the front matter a value must already have its type's YAML form: `default: "42"` is not an
 * integer (the command line's text, by contrast, is converted).
 */
function strictYamlType(name: string, type: ParamType, raw: unknown, source: string): void {
  const want: Record<ParamType, string[]> = {
    string: ["string"],
    integer: ["number"],
    number: ["number"],
    boolean: ["boolean"],
    timestamp: ["string"],
    duration: ["string"],
    account_id: ["string", "number"],
    arn: ["string"],
  };
  if (want[type].includes(typeof raw) && raw !== null) return;
  const expected: Record<ParamType, string> = {
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "true or false",
    timestamp: "an ISO-8601 instant such as 2026-11-23T00:00:00Z",
    duration: "a duration such as 30m, 24h or 7d",
    account_id: "a 12-digit AWS account id such as 123456789012",
    arn: "an AWS ARN such as arn:aws:iam::123456789012:role/admin",
  };
  const shown =
    typeof raw === "string"
      ? JSON.stringify(raw)
      : raw === null
        ? "nothing"
        : Array.isArray(raw)
          ? "a list"
          : typeof raw === "object"
            ? "a mapping"
            : String(raw);
  throw new RunMdError(
    "bad-param",
    `parameter "${name}" (from ${source}): expected ${expected[type]}, got ${shown}`,
  );
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
