/**
 * Front matter: split from the file by gray-matter, parsed by `yaml` (which keeps the position of
 * every key and value), then validated field by field. Every problem becomes a diagnostic at the
 * offending key or value; the published JSON Schema (`schema/runbook-frontmatter.schema.json`)
 * states the same rules for editors, and a test keeps the two in step.
 */
import matter from "gray-matter";
import {
  type Document,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  visit,
  type YAMLMap,
} from "yaml";
import { type DiagnosticSink, didYouMean, RULES, type Rule } from "./diagnostics.ts";
import { isRunMdError, RunMdError } from "./errors.ts";
import { warnValueTraps } from "./frontmatter-comments.ts";
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
import { NAMED_SCHEDULES, scheduleHint, scheduleProblem } from "./schedule.ts";
import {
  type At,
  checkTriggerParams,
  type MappedParam,
  type Pos,
  readTriggers,
  warnUnmappedRequired,
} from "./triggers-frontmatter.ts";
import { parseDuration } from "./units.ts";
import { windowLengthProblem } from "./window.ts";

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
export const SCHEDULES: readonly Schedule[] = NAMED_SCHEDULES;
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
  /**
   * Set when `triggers` may declare more than it gives: the block is not YAML that reads as a
   * mapping (a syntax error, another language, no closing line), an entry of `triggers:` was
   * dropped as invalid, a key like `trigger:` is unknown, or a file without front matter at its
   * top has a `triggers:` line. Nobody can then say which events the runbook was meant to start
   * on. Other files without front matter (notes) declare no trigger.
   */
  triggersUnread?: true;
  /**
   * Set when the front matter is there but does not read as a mapping (a YAML error, no closing
   * line): its `params:` are unknown, so a query's `{{name}}` is not called undeclared (each one
   * would repeat the front matter's own error).
   */
  paramsUnread?: true;
  /**
   * Set when `schedule` may have been meant and was not read: the front matter does not read as
   * a mapping, a key like `scedule:` is unknown, its value is no schedule, or a file without
   * front matter at its top has a `schedule:` line. The nightly job cannot say such a runbook
   * was not due: it runs it (errored, with the parser's errors) rather than leave it out.
   */
  scheduleUnread?: true;
  /**
   * Set when `severity:` is there and its value is no severity (`urgent`, `Critical`): an
   * errored report of the runbook is then critical, never the default medium that a target's
   * `minSeverity` would drop.
   */
  severityUnread?: true;
};

export interface SplitFrontMatter {
  /** The raw YAML block. It begins with the rest of the opening `---` line, so its line N is
   * line N of the file and positions in it are positions in the file. */
  yaml: string;
  present: boolean;
  /** A language named after the opening delimiter (`---toml`), when it is not YAML. */
  language?: string;
  /** Whether a closing `---` ends the block (gray-matter takes the rest of the file otherwise). */
  closed: boolean;
  /**
   * The Markdown the runbook's blocks are read from: the file with the front matter's characters
   * blanked (spaces, line breaks kept), so every line, column and offset in it is the file's.
   * The whole file when there is no closed front matter.
   */
  body: string;
}

/** Parses nothing: the `yaml` package reads the block below, with the position of every node. */
const NO_PARSE = () => ({});

/**
 * Splits the front matter from the file: gray-matter's one parse of the file, for the YAML block,
 * its language and the Markdown after it.
 */
export function splitFrontMatter(file: string): SplitFrontMatter {
  // gray-matter drops a byte-order mark; so does this, so that its content is a suffix of `source`.
  const source = file.replace(/^\uFEFF/, "");
  // gray-matter would parse the block with the engine of its language: js-yaml for YAML (no
  // positions), `eval` for `---js`. Every engine it may look up (the language named after the
  // opening `---`, if any) parses nothing.
  const language = matter.language(source);
  const cut = matter(source, { engines: { yaml: NO_PARSE, [language.name]: NO_PARSE } });
  // gray-matter only cuts the front matter off the front: the content is the file's suffix.
  const present = cut.content !== source;
  if (!present) return { yaml: "", present, closed: false, body: source };
  // The block runs from the opening `---` (and its language) to the end of the file when no
  // closing line follows it. gray-matter closes at any line that starts with `---`: the closing
  // line must be `---` alone (a `----------` rule below the title does not close it).
  const opening = "---".length + (language.name === "" ? 0 : language.raw.length);
  const head = source.slice(0, source.length - cut.content.length);
  const closingRest = head.endsWith("\n") ? "" : /^[^\r\n]*/.exec(cut.content)![0];
  const closed = opening + cut.matter.length < source.length && closingRest.trim() === "";
  const body = closed ? head.replace(/[^\r\n]/g, " ") + cut.content : source;
  const name = language.name.toLowerCase();
  if (name !== "" && name !== "yaml") {
    return { yaml: "", present, language: language.name, closed, body };
  }
  return { yaml: cut.matter, present, closed, body };
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
 * What a file without front matter at its top still meant, by its lines `triggers:` and
 * `schedule:` (front matter below a blank line or a comment, which gray-matter does not take, or
 * not closed): triggers or a schedule meant, and not read.
 */
function unreadBelow(body: string, meta: FrontMatter): FrontMatter {
  return {
    ...meta,
    ...(/^\s*triggers\s*:/im.test(body) ? { triggersUnread: true as const } : {}),
    ...(/^\s*schedule\s*:/im.test(body) ? { scheduleUnread: true as const } : {}),
  };
}

/**
 * Validates the front matter (as `splitFrontMatter` cut it from the file) field by field,
 * reporting each problem into `sink` at the offending key or value, and returns what it declares.
 */
export function readFrontMatter(split: SplitFrontMatter, sink: DiagnosticSink): FrontMatter {
  const meta: FrontMatter = { params: {}, declared: new Set() };
  const unread: FrontMatter = { ...meta, triggersUnread: true, scheduleUnread: true };
  const doc = openFrontMatter(split, sink);
  if (doc === undefined && split.present) return { ...unread, paramsUnread: true };
  if (doc === undefined) return unreadBelow(split.body, meta);
  const { contents } = doc.document;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    sink.error(RULES.missingKey, 1, 1, 'missing required front matter key "title"');
    return meta;
  }
  if (!isMap(contents)) {
    doc.at(
      contents,
      RULES.invalidType,
      `front matter must be a mapping of keys, found ${kindOf(contents)}`,
    );
    return { ...unread, paramsUnread: true };
  }
  const triggerParams: MappedParam[] = [];
  for (const pair of contents.items as Pair<unknown, unknown>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!Object.hasOwn(FIELD_READERS, key)) {
      doc.at(
        pair.key,
        RULES.unknownKey,
        `unknown front matter key "${key}"${didYouMean(key, FRONT_MATTER_KEYS)}`,
      );
      // `trigger:`, `Triggers:`, `scedule:`: triggers or a schedule meant, and not read.
      if (/trigger/i.test(key)) meta.triggersUnread = true;
      if (/schedule/i.test(key) || didYouMean(key, ["schedule"]) !== "") meta.scheduleUnread = true;
      continue;
    }
    const value = pair.value as Node | null;
    FIELD_READERS[key as FrontMatterKey]({
      key,
      keyNode: pair.key,
      value,
      where: value ?? pair.key,
      meta,
      doc,
      triggerParams,
    });
  }
  checkTriggerParams(triggerParams, meta.declared, sink);
  warnUnmappedRequired(meta.triggers ?? [], meta.params, sink);
  if (!contents.items.some((pair) => isScalar(pair.key) && pair.key.value === "title")) {
    const p = doc.pos(contents);
    sink.error(RULES.missingKey, p.line, p.column, 'missing required front matter key "title"');
  }
  return secondBlock(split.body, meta, sink);
}

/**
 * A second `---` block of front matter keys right after the front matter (`schedule: nightly`
 * added below it): Markdown reads it as a rule and a heading, and no key of it is read (review:
 * the runbook stayed manual without a word, while the page showed "schedule: nightly").
 */
function secondBlock(body: string, meta: FrontMatter, sink: DiagnosticSink): FrontMatter {
  const lines = body.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0 || !/^ {0,3}---\s*$/.test(lines[first]!)) return meta;
  const end = lines.findIndex((l, i) => i > first && /^ {0,3}---\s*$/.test(l));
  const block = lines.slice(first + 1, end < 0 ? first + 1 : end);
  const keys = block.flatMap((l) => /^([A-Za-z_][\w-]*)\s*:(\s|$)/.exec(l)?.[1] ?? []);
  if (!keys.some((k) => (FRONT_MATTER_KEYS as readonly string[]).includes(k))) return meta;
  sink.error(
    RULES.frontMatter,
    first + 1,
    1,
    `a second block of front matter keys (${keys.join(", ")}): only the block at the top of the file is front matter, this one is Markdown and none of its keys is read; move them into the front matter above`,
  );
  return unreadBelow(block.join("\n"), meta);
}

/** The front matter's YAML, parsed with the position of every node. */
interface FrontMatterDoc {
  document: Document.Parsed;
  pos: Pos;
  at: At;
}

/**
 * The quote, `[` or `{` whose value YAML read on to `end` without finding its closing character:
 * YAML names the place where it gave up (the end of the front matter, for a quote), while the
 * mistake is at the opening (review: `title: "Unclosed` was reported four lines below it).
 */
function unclosedOpener(
  document: Document.Parsed,
  end: number,
  yaml: string,
): { offset: number; char: string } | undefined {
  let found: { offset: number; char: string } | undefined;
  visit(document, {
    Node(_key, node) {
      const range = (node as { range?: [number, number, number] }).range;
      if (found !== undefined || range === undefined || range[1] !== end) return;
      const char = yaml[range[0]];
      const quoted =
        isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE");
      const flow = isCollection(node) && node.flow === true;
      if ((quoted && (char === '"' || char === "'")) || (flow && (char === "[" || char === "{"))) {
        const closing = { '"': '"', "'": "'", "[": "]", "{": "}" }[char]!;
        if (
          !yaml
            .slice(range[0] + 1, range[1])
            .trimEnd()
            .endsWith(closing)
        ) {
          found = { offset: range[0], char };
        }
      }
    },
  });
  return found;
}

/**
 * Text right after a closing quote (`'it's`, `"say "hi""`): YAML says "unexpected scalar at node
 * end"; the author wrote a quote inside a quoted value, so say that and how to write one.
 */
function quoteEnded(yaml: string, at: number): string {
  const q = yaml[at - 1];
  if ((q !== "'" && q !== '"') || /\s/.test(yaml[at] ?? " ")) return "";
  const other = q === "'" ? '"' : "'";
  return `: the ${q} before it ended the quoted value; write a ${q} inside ${q}...${q} as ${q === "'" ? "''" : '\\"'}, or quote the value with ${other}...${other}`;
}

/**
 * Splits and parses the front matter; undefined (after a diagnostic) when there is none to read:
 * missing, not YAML, not closed, or not valid YAML.
 */
function openFrontMatter(
  split: SplitFrontMatter,
  sink: DiagnosticSink,
): FrontMatterDoc | undefined {
  if (!split.present) {
    sink.error(
      RULES.missingKey,
      1,
      1,
      'missing front matter: start the file with "---", a line "title: ...", and "---"',
    );
    return undefined;
  }
  if (split.language !== undefined) {
    sink.error(RULES.frontMatter, 1, 4, `front matter must be YAML, found "${split.language}"`);
    return undefined;
  }
  if (!split.closed) {
    sink.error(RULES.frontMatter, 1, 1, 'front matter is not closed: add a line "---" after it');
    return undefined;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(split.yaml, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    // One error a line: a YAML mistake often makes the parser report the same spot twice.
    const seenLines = new Set<number>();
    for (const error of document.errors) {
      const found = error.linePos?.[0] ?? { line: 1, col: 1 };
      const opener = unclosedOpener(document, error.pos[0], split.yaml);
      const p = opener === undefined ? found : lineCounter.linePos(opener.offset);
      if (seenLines.has(p.line)) continue;
      seenLines.add(p.line);
      const message = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      const where =
        opener === undefined
          ? quoteEnded(split.yaml, error.pos[0])
          : `: the ${opener.char} here is not closed (YAML read on to line ${found.line}, column ${found.col})`;
      sink.error(RULES.yamlSyntax, p.line, p.col, `invalid YAML: ${lowerFirst(message)}${where}`);
    }
    return undefined;
  }
  warnValueTraps(document, split.yaml, lineCounter, sink);
  const pos = (node: unknown): Position => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const { line, col } = lineCounter.linePos(range?.[0] ?? 0);
    return { line, column: col };
  };
  if (refuseAliases(document, pos, sink)) return undefined;
  const at: At = (node, rule, message) => {
    const p = pos(node);
    sink.error(rule, p.line, p.column, message);
  };
  return { document, pos, at };
}

/**
 * YAML aliases (`*name`, a copy of an `&name` value) are refused, each at its place: every field
 * is read where it is written, and a value that stands elsewhere would be told "found a value"
 * (review). True when there was one.
 */
function refuseAliases(
  document: Document,
  pos: (node: unknown) => Position,
  sink: DiagnosticSink,
): boolean {
  let found = false;
  visit(document, {
    Alias(_, node) {
      const p = pos(node);
      const message = `YAML aliases (*${node.source}) are not read in front matter: write the value out where it is used`;
      sink.error(RULES.frontMatter, p.line, p.column, message);
      found = true;
    },
  });
  return found;
}

type FrontMatterKey = (typeof FRONT_MATTER_KEYS)[number];

/** One top-level key of the front matter, as its reader sees it. */
interface Field {
  key: string;
  keyNode: unknown;
  value: Node | null;
  /** Where a problem with the value is shown: the value, or its key when it has none. */
  where: unknown;
  meta: FrontMatter;
  doc: FrontMatterDoc;
  triggerParams: MappedParam[];
}

/** The field's value when it is a string; otherwise undefined, after a diagnostic. */
function stringField(f: Field): string | undefined {
  if (isScalar(f.value) && typeof f.value.value === "string") return f.value.value;
  f.doc.at(f.where, RULES.invalidType, `"${f.key}" must be a string, found ${kindOf(f.value)}`);
  return undefined;
}

/** A string field that must pass `problem` (undefined when it does) before it is kept. */
function checkedString(
  f: Field,
  problem: (s: string) => string | undefined,
  keep: (s: string) => void,
): void {
  const s = stringField(f);
  if (s === undefined) return;
  const message = problem(s);
  if (message === undefined) keep(s);
  else f.doc.at(f.where, RULES.invalidValue, message);
}

function plainString(f: Field): void {
  const s = stringField(f);
  if (s !== undefined) f.meta[f.key as "description" | "owner" | "escalation"] = s.trim();
}

/** How each front matter key is read into `meta`; its keys are FRONT_MATTER_KEYS. */
const FIELD_READERS: Record<FrontMatterKey, (f: Field) => void> = {
  title: (f) =>
    checkedString(
      f,
      (s) => (s.trim() === "" ? '"title" must not be empty' : undefined),
      (s) => {
        f.meta.title = s.trim();
      },
    ),
  description: plainString,
  owner: plainString,
  escalation: plainString,
  id: (f) =>
    checkedString(
      f,
      (s) =>
        ID_PATTERN.test(s) ? undefined : `invalid id "${s}": use letters, digits, "_" and "-"`,
      (s) => {
        f.meta.id = s;
      },
    ),
  severity: (f) => {
    // Said, then cleared once the value reads as a severity.
    f.meta.severityUnread = true;
    checkedString(
      f,
      (s) =>
        (SEVERITIES as readonly string[]).includes(s)
          ? undefined
          : `invalid severity "${s}": expected one of ${SEVERITIES.join(", ")}${didYouMean(s, SEVERITIES)}`,
      (s) => {
        f.meta.severity = s as Severity;
        delete f.meta.severityUnread;
      },
    );
  },
  schedule: (f) => {
    // A value that is no text (`[nightly]`, nothing) is a schedule meant and not read too.
    if (!isScalar(f.value) || typeof f.value.value !== "string") f.meta.scheduleUnread = true;
    checkedString(
      f,
      (s) => {
        const problem = scheduleProblem(s);
        if (problem === undefined) return undefined;
        f.meta.scheduleUnread = true;
        return `invalid schedule "${s}": ${problem}${scheduleHint(s)}`;
      },
      (s) => {
        f.meta.schedule = s;
      },
    );
  },
  window: readWindow,
  tags: readTags,
  params: readParams,
  triggers: (f) => {
    const triggers = readTriggers(f.value, f.keyNode, f.doc.at, f.doc.pos, f.triggerParams);
    f.meta.triggers = triggers;
    if (!isSeq(f.value) || f.value.items.length !== triggers.length) f.meta.triggersUnread = true;
  },
};

function readWindow({ value, where, meta, doc }: Field): void {
  if (!(isScalar(value) && typeof value.value === "string")) {
    doc.at(
      where,
      RULES.invalidType,
      `"window" must be a duration such as 24h or 7d, found ${kindOf(value)}`,
    );
  } else if (parseDuration(value.value) === undefined) {
    doc.at(
      where,
      RULES.invalidValue,
      `invalid window "${value.value}": expected a duration such as 24h, 7d or 30d`,
    );
  } else {
    const problem = windowLengthProblem(value.value);
    if (problem !== undefined) {
      doc.at(where, RULES.invalidValue, `invalid window "${value.value}": ${problem}`);
    } else meta.window = value.value.trim();
  }
}

function readTags({ value, where, meta, doc }: Field): void {
  if (!isSeq(value)) {
    doc.at(where, RULES.invalidType, `"tags" must be a list of strings, found ${kindOf(value)}`);
    return;
  }
  const tags: string[] = [];
  for (const item of value.items) {
    if (isScalar(item) && typeof item.value === "string") tags.push(item.value);
    else
      doc.at(
        item,
        RULES.invalidType,
        `"tags" must be a list of strings, found ${kindOf(item)} in it`,
      );
  }
  meta.tags = tags;
}

function readParams({ value, where, meta, doc }: Field): void {
  if (!isMap(value)) {
    doc.at(
      where,
      RULES.invalidType,
      `"params" must be a mapping of parameter names, found ${kindOf(value)}`,
    );
    return;
  }
  for (const paramPair of value.items as Pair<unknown, unknown>[]) {
    if (isScalar(paramPair.key)) meta.declared.add(String(paramPair.key.value));
    const decl = readParam(paramPair, doc.at, doc.pos);
    if (decl) meta.params[decl.name] = decl;
  }
}

/**
 * One parameter declaration; undefined (after diagnostics) when it has a problem. Every key is
 * checked, so one run of `check` shows all of a declaration's problems.
 */
function readParam(pair: Pair<unknown, unknown>, at: At, pos: Pos): ParamDecl | undefined {
  const nameNode = pair.key;
  const name = isScalar(nameNode) ? String(nameNode.value) : "";
  const body = pair.value as Node | null;
  const nameProblem = paramNameProblem(name);
  if (nameProblem !== undefined) {
    at(nameNode, RULES.invalidValue, nameProblem);
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
  const reader = new ParamReader(name, body, at);
  const type = reader.type(nameNode);
  if (type === undefined) return undefined;
  const decl: ParamDecl = { name, type, position: pos(nameNode) };
  reader.description(decl);
  reader.dropInapplicable(type);
  reader.pattern(decl);
  reader.bounds(decl);
  reader.enum(decl);
  if (!reader.defaultValue(decl)) return undefined;
  return reader.ok ? decl : undefined;
}

function paramNameProblem(name: string): string | undefined {
  if (!PARAM_NAME_PATTERN.test(name)) {
    return `invalid parameter name "${name}": use a letter or "_", then letters, digits and "_"`;
  }
  // Every other name works, `toString` and `constructor` included (own-property lookups).
  if (name === "__proto__") return `parameter name "__proto__" is reserved; choose another name`;
  if ((BUILTIN_PARAMS as readonly string[]).includes(name)) {
    return `parameter "${name}" is built in (the run's window); choose another name`;
  }
  return undefined;
}

/** The keys of one parameter's mapping, read one at a time; `ok` turns false on a problem. */
class ParamReader {
  ok = true;
  private readonly entries = new Map<string, { key: unknown; value: Node | null }>();

  constructor(
    private readonly name: string,
    body: YAMLMap<unknown, unknown>,
    private readonly at: At,
  ) {
    for (const item of body.items as Pair<unknown, unknown>[]) {
      const key = isScalar(item.key) ? String(item.key.value) : "";
      if (!(PARAM_KEYS as readonly string[]).includes(key)) {
        at(
          item.key,
          RULES.unknownKey,
          `unknown key "${key}" in parameter "${name}"${didYouMean(key, PARAM_KEYS)}`,
        );
        this.ok = false;
        continue;
      }
      this.entries.set(key, { key: item.key, value: item.value as Node | null });
    }
  }

  /** `type:`, which must be there and name a parameter type. */
  type(nameNode: unknown): ParamType | undefined {
    const { name } = this;
    const entry = this.entries.get("type");
    if (!entry) {
      this.at(
        nameNode,
        RULES.missingKey,
        `parameter "${name}" has no "type": expected one of ${PARAM_TYPES.join(", ")}`,
      );
      return undefined;
    }
    const v = entry.value;
    const text = isScalar(v) && typeof v.value === "string" ? v.value : undefined;
    if (text !== undefined && (PARAM_TYPES as readonly string[]).includes(text)) {
      return text as ParamType;
    }
    this.at(
      v ?? entry.key,
      RULES.invalidValue,
      `invalid type ${text === undefined ? kindOf(v) : `"${text}"`} for parameter "${name}": expected one of ${PARAM_TYPES.join(", ")}${text ? didYouMean(text, PARAM_TYPES) : ""}`,
    );
    return undefined;
  }

  /** A problem with a key's value, shown at the value (or the key when it has none). */
  private fail(entry: { key: unknown; value: Node | null }, rule: Rule, message: string): void {
    this.at(entry.value ?? entry.key, rule, message);
    this.ok = false;
  }

  description(decl: ParamDecl): void {
    const entry = this.entries.get("description");
    if (!entry) return;
    const v = entry.value;
    if (isScalar(v) && typeof v.value === "string") decl.description = v.value.trim();
    else
      this.fail(
        entry,
        RULES.invalidType,
        `"description" of parameter "${this.name}" must be a string, found ${kindOf(v)}`,
      );
  }

  /** Constraints that do not apply to the type are errors, and are not read further. */
  dropInapplicable(type: ParamType): void {
    for (const constraint of ["pattern", "enum", "min", "max"] as const) {
      const entry = this.entries.get(constraint);
      if (entry && !CONSTRAINT_TYPES[constraint].includes(type)) {
        this.at(
          entry.key,
          RULES.invalidValue,
          `"${constraint}" does not apply to ${type} parameters (only to ${CONSTRAINT_TYPES[constraint].join(", ")}); parameter "${this.name}"`,
        );
        this.entries.delete(constraint);
        this.ok = false;
      }
    }
  }

  pattern(decl: ParamDecl): void {
    const entry = this.entries.get("pattern");
    if (!entry) return;
    const v = entry.value;
    if (!(isScalar(v) && typeof v.value === "string")) {
      this.fail(
        entry,
        RULES.invalidType,
        `"pattern" of parameter "${this.name}" must be a string, found ${kindOf(v)}`,
      );
      return;
    }
    try {
      new RegExp(v.value);
      decl.pattern = v.value;
    } catch (e) {
      this.fail(
        entry,
        RULES.invalidValue,
        `invalid pattern of parameter "${this.name}": ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "")}`,
      );
    }
  }

  bounds(decl: ParamDecl): void {
    const { type } = decl;
    for (const bound of ["min", "max"] as const) {
      const entry = this.entries.get(bound);
      if (!entry) continue;
      const v = entry.value;
      if (
        isScalar(v) &&
        typeof v.value === "number" &&
        (type !== "integer" || Number.isInteger(v.value))
      ) {
        decl[bound] = v.value;
      }
      // `.nan` compares false with every value, so that it bounded nothing (review).
      if (isScalar(v) && typeof v.value === "number" && !Number.isFinite(v.value)) {
        delete decl[bound];
        this.fail(
          entry,
          RULES.invalidValue,
          `"${bound}" of parameter "${this.name}" must be a finite number, found ${v.value}`,
        );
      } else if (decl[bound] === undefined) {
        this.fail(
          entry,
          RULES.invalidType,
          `"${bound}" of parameter "${this.name}" must be ${type === "integer" ? "an integer" : "a number"}, found ${kindOf(v)}`,
        );
      }
    }
    if (decl.min !== undefined && decl.max !== undefined && decl.min > decl.max) {
      this.fail(
        this.entries.get("min")!,
        RULES.invalidValue,
        `"min" (${decl.min}) of parameter "${this.name}" is greater than "max" (${decl.max})`,
      );
    }
  }

  enum(decl: ParamDecl): void {
    const entry = this.entries.get("enum");
    if (!entry) return;
    const v = entry.value;
    if (!isSeq(v) || v.items.length === 0) {
      this.fail(
        entry,
        RULES.invalidType,
        `"enum" of parameter "${this.name}" must be a non-empty list, found ${kindOf(v)}`,
      );
      return;
    }
    const values: ParamValue[] = [];
    for (const item of v.items) {
      const raw = isScalar(item) ? item.value : item;
      try {
        strictYamlType(this.name, decl.type, raw, "enum");
        values.push(
          coerceParam({ name: this.name, type: decl.type, position: decl.position }, raw, "enum"),
        );
      } catch (e) {
        if (!isRunMdError(e)) throw e;
        this.at(item, RULES.invalidValue, e.message);
        this.ok = false;
      }
    }
    decl.enum = values;
  }

  /** `default:`, checked only when the rest is valid; false when it does not fit. */
  defaultValue(decl: ParamDecl): boolean {
    const entry = this.entries.get("default");
    if (!entry || !this.ok) return true;
    const v = entry.value;
    const raw = isScalar(v) ? v.value : v === null ? null : (v.toJSON() as unknown);
    try {
      strictYamlType(this.name, decl.type, raw, "default");
      decl.default = coerceParam(decl, raw, "default");
      return true;
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      this.at(v ?? entry.key, RULES.invalidDefault, e.message);
      return false;
    }
  }
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
