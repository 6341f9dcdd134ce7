/**
 * The runbook parser: gray-matter cuts the front matter off (`splitFrontMatter`), the Markdown
 * parser reads the rest with positions that match the file, and named passes read the blocks;
 * every problem is collected as a diagnostic. `runbook` is undefined when any error was found.
 */

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import leven from "leven";
import type { Code, Heading, Html, Paragraph, Root, RootContent } from "mdast";
import { toString as mdastToString } from "mdast-util-to-string";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { visit } from "unist-util-visit";
import { type BidiControl, bidiControls, bidiInCode } from "./bidi.ts";
import { DiagnosticSink, didYouMean, hasErrors, RULES, sortDiagnostics } from "./diagnostics.ts";
import { RunMdError } from "./errors.ts";
import { parseExpect } from "./expect.ts";
import { deniedError } from "./files.ts";
import { type FrontMatter, ID_PATTERN, readFrontMatter, splitFrontMatter } from "./frontmatter.ts";
import { parseInfo, STEP_LANGUAGES, stepFromInfo } from "./info.ts";
import { warnLikePatternsAsRegex } from "./like-as-regex.ts";
import {
  BUILTIN_PARAMS,
  type Diagnostic,
  type Dialect,
  type ParamRef,
  type Runbook,
  type Segment,
  type Span,
  type Step,
} from "./model.ts";
import { referencedOutsideComments, scanTemplate, templateProblems } from "./template.ts";

export interface ParseResult {
  runbook: Runbook | undefined;
  diagnostics: Diagnostic[];
  /**
   * The steps that were read, even when the file has errors (then `runbook` is undefined), so
   * that `run-md check` can check their queries in the same pass.
   */
  steps: Step[];
  /**
   * What the front matter declares, even when the file has errors: `trigger` decides from it
   * whether an event was meant to start a runbook that does not load.
   */
  frontMatter: FrontMatter;
}

const processor = unified().use(remarkParse);

/** Reads and parses a runbook file. A missing file is a `RunMdError` with code `not-found`. */
export async function loadRunbook(path: string): Promise<ParseResult> {
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") {
      throw new RunMdError("not-found", `runbook not found: ${path}`, {
        hint: "give the path of a Markdown runbook, such as runbooks/audit-iam.md",
        cause: e,
      });
    }
    throw deniedError(path, e) ?? e;
  }
  return parseRunbook(source, path);
}

interface Fence {
  /** Index in the line of the first character after the fence characters. */
  infoStart: number;
  info: string;
  char: string;
  length: number;
}

/** Turns a title into a step id: lower-case letters, digits, `_` and `-`. */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
}

/** Parses a runbook's source. `path` names the file in diagnostics and the model. */
export function parseRunbook(original: string, path: string): ParseResult {
  const sink = new DiagnosticSink(path);
  // A byte-order mark (some Windows editors write one) is invisible: columns ignore it. CRLF and
  // lone CR line endings read as LF (as Markdown and YAML define them), so that no value keeps a
  // trailing "\r" and the file parses exactly as its LF copy, on the same lines and columns.
  const source = original.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  // The front matter is cut off once (gray-matter); the Markdown parser reads the rest, in
  // which the front matter is blank so that positions stay the file's.
  const split = splitFrontMatter(source);
  const fm = readFrontMatter(split, sink);
  const tree = processor.parse(split.body) as Root;
  const ctx: ParseContext = {
    path,
    source,
    lines: source.split("\n"),
    sink,
    unclosed: new Set(),
    swallowed: new Map(),
    declared: [...fm.declared, ...BUILTIN_PARAMS],
    paramsUnread: fm.paramsUnread === true,
  };
  checkFences(tree, ctx);
  const reader = new SegmentReader(ctx);
  reader.read(tree.children);
  const drafts = reader.drafts;
  assignStepIds(drafts, sink);
  warnUnusedParams(drafts, fm.params, sink);
  warnLikePatternsAsRegex(
    drafts.map((d) => d.step),
    fm.params,
    sink,
    (step, offset) => queryPositions(step.query, step.queryLine - 1, ctx.lines)(offset),
  );
  const fileId = fileIdOf(path, fm.id, sink);

  const diagnostics = sortDiagnostics(sink.diagnostics);
  const steps = drafts.map((d) => d.step);
  if (hasErrors(diagnostics) || fm.title === undefined) {
    return { runbook: undefined, diagnostics, steps, frontMatter: fm };
  }
  const runbook: Runbook = {
    path,
    sourceHash: createHash("sha256").update(original).digest("hex"),
    meta: runbookMeta(fm, fm.title, fileId),
    steps,
    segments: reader.segments.map(finalSegment),
  };
  return { runbook, diagnostics, steps, frontMatter: fm };
}

/** What the passes over one file share. */
interface ParseContext {
  path: string;
  /** The file without its byte-order mark, with LF line endings, and its lines. */
  source: string;
  lines: string[];
  sink: DiagnosticSink;
  /**
   * Fences with no closing line. Such a fence swallows the rest of its container: its content is
   * not checked further (that would report the swallowed prose as a broken query or check).
   */
  unclosed: Set<Code>;
  /** Blocks that swallow a step's or expect block's opening line, with the warning saying so. */
  swallowed: Map<Code, { lang: string; warning: string }>;
  /** The names a query may use: the front matter's parameters and the built-in ones. */
  declared: readonly string[];
  /** The front matter could not be read: no name is known to be undeclared. */
  paramsUnread: boolean;
}

/** A step as read, before its id is settled (explicit ids first, then derived ones). */
interface Draft {
  step: Step;
  explicitId?: string;
  idColumn: number;
  heading?: string;
  index: number;
}

/** A segment whose step id is not known yet. */
type DraftSegment =
  | Segment
  | { kind: "step-draft"; draft: Draft }
  | { kind: "expect-draft"; draft: Draft; source: string };

function finalSegment(s: DraftSegment): Segment {
  if (s.kind === "step-draft") return { kind: "step", stepId: s.draft.step.id };
  if (s.kind === "expect-draft")
    return { kind: "expect", stepId: s.draft.step.id, source: s.source };
  return s;
}

/** The opening fence of a code block, or undefined for an indented one. */
function fenceOf(node: Code, lines: readonly string[]): Fence | undefined {
  const start = node.position!.start;
  const line = lines[start.line - 1] ?? "";
  const from = start.column - 1;
  const match = /^(`{3,}|~{3,})/.exec(line.slice(from));
  if (!match) return undefined;
  const infoStart = from + match[1]!.length;
  return {
    infoStart,
    info: line.slice(infoStart),
    char: match[1]![0]!,
    length: match[1]!.length,
  };
}

function isUnclosed(node: Code, fence: Fence, lines: readonly string[]): boolean {
  const { start, end } = node.position!;
  if (end.line === start.line) return true;
  const closing = (lines[end.line - 1] ?? "").slice(0, end.column - 1);
  const m = /^[\s>]*(`{3,}|~{3,})\s*$/.exec(closing);
  return !m || m[1]![0] !== fence.char || m[1]!.length < fence.length;
}

/**
 * Fences anywhere in the document: unclosed ones (recorded in `ctx.unclosed`), and query or
 * expect blocks that are not at the top level.
 */
function checkFences(tree: Root, ctx: ParseContext): void {
  const { sink } = ctx;
  visit(tree, "code", (node, _index, parent) => {
    const fence = fenceOf(node, ctx.lines);
    if (!fence) return;
    const { line, column } = node.position!.start;
    if (isUnclosed(node, fence, ctx.lines)) {
      ctx.unclosed.add(node);
      sink.error(
        RULES.unclosedFence,
        line,
        column,
        `unclosed code fence: add a closing ${fence.char.repeat(fence.length)} line (the block runs to the end of the ${parent === tree ? "file" : "list or quote"})`,
      );
    }
    swallowedStep(node, fence, ctx);
    const lang = (node.lang ?? "").toLowerCase();
    if (parent !== tree && (Object.hasOwn(STEP_LANGUAGES, lang) || lang === "expect")) {
      sink.error(
        RULES.nestedStep,
        line,
        column,
        `this ${lang} block is inside a ${parent?.type === "blockquote" ? "quote" : "list"} and would not run: steps and expect blocks must be at the top level of the document`,
      );
    }
  });
  visit(tree, "html", (node) => stepInHtml(node, ctx));
  visit(tree, "paragraph", (node) => backtickInInfo(node, ctx));
}

/**
 * A line of a paragraph that looks like a ``` step or expect fence but whose info string holds a
 * backtick (```` ```sql lost `note` ````): CommonMark takes no such line as a fence, so it is
 * text, the next ``` line opens a block instead, and the step never runs (review: check warned
 * at that next line only, and the run passed without the step).
 */
function backtickInInfo(node: Paragraph, ctx: ParseContext): void {
  const { start, end } = node.position!;
  for (let line = start.line; line <= end.line; line++) {
    const text = ctx.lines[line - 1] ?? "";
    const opening = runnableOpening(text);
    if (opening === undefined || opening.fence[0] !== "`") continue;
    if (!text.slice(text.indexOf(opening.fence) + opening.fence.length).includes("`")) continue;
    ctx.sink.error(
      RULES.invalidFence,
      line,
      text.indexOf("`") + 1,
      `this line opens no ${opening.lang} block: the info string of a \`\`\` fence may not hold a backtick, so Markdown reads the line as text and the block never runs; remove the backtick, or fence the block with ~~~`,
    );
  }
}

/** A line's opening fence and language when it opens a step or an expect block. */
function runnableOpening(text: string): { fence: string; lang: string } | undefined {
  const m = /^ {0,3}(`{3,}|~{3,})[ \t]*([A-Za-z][\w-]*)/.exec(text);
  const lang = m?.[2]?.toLowerCase();
  if (lang === undefined || (!Object.hasOwn(STEP_LANGUAGES, lang) && lang !== "expect"))
    return undefined;
  return { fence: m![1]!, lang };
}

/**
 * A step or expect fence inside an HTML block (```` ```expect ```` right under a `<details>`
 * line, with no blank line between): Markdown reads the block as HTML up to the next blank line,
 * so the fence is text that GitHub and the site show and that never runs (review: the step ran
 * without its checks and passed). Comments and `<pre>`, `<script>`, `<style>`, `<textarea>`
 * blocks hide or quote their text on purpose, unless they are never closed: then they run to the
 * end of the file and hide every step after them (review: `<!-- note ->` did).
 */
function stepInHtml(node: Html, ctx: ParseContext): void {
  const v = node.value;
  const hiding = /^(<!--|<(pre|script|style|textarea)\b)/i.exec(v)?.[2]?.toLowerCase();
  const closed =
    hiding === undefined
      ? !v.startsWith("<!--") || v.includes("-->")
      : new RegExp(`</${hiding}`, "i").test(v);
  if (!/^<(!--|\/?[A-Za-z])/.test(v) || (closed && (hiding !== undefined || v.startsWith("<!--"))))
    return;
  const from = node.position!.start.line;
  const why = closed
    ? `inside the HTML block of line ${from}, which Markdown shows as text and which never runs: leave a blank line between the HTML line and the fence`
    : `inside the HTML ${hiding === undefined ? "comment" : `<${hiding}> block`} opened on line ${from}, which is never closed (${hiding === undefined ? "-->" : `</${hiding}>`}), so it hides the rest of the file and this never runs: close it`;
  for (const [i, text] of v.split("\n").entries()) {
    const lang = runnableOpening(text)?.lang;
    if (lang === undefined) continue;
    const line = from + i;
    const column = (ctx.lines[line - 1] ?? "").search(/[`~]/) + 1;
    ctx.sink.error(RULES.nestedStep, line, column, `this ${lang} block is ${why}`);
  }
}

/**
 * A line inside a block that opens a step or expect block with the block's own fence (```` ```sql
 * x ```` inside a ```` ```text ```` block whose closing line was forgotten): a fence with a
 * language does not close a block, so that step is part of the block and never runs (review: it
 * was silent). A longer outer fence (```` ````markdown ````) is an example on purpose.
 */
function swallowedStep(node: Code, fence: Fence, ctx: ParseContext): void {
  const lines = node.value.split("\n");
  for (const [i, text] of lines.entries()) {
    const m = runnableOpening(text);
    if (!m || m.fence[0] !== fence.char || m.fence.length < fence.length) continue;
    const { lang } = m;
    const { line } = node.position!.start;
    // A warning: the same text is an example on purpose in a block that is closed (review).
    const message = `this ${lang} block is inside the block opened on line ${line}, which is not closed before it (a fence with a language closes nothing), so it never runs: close that block with a ${fence.char.repeat(fence.length)} line above this one, or show an example in a longer fence`;
    ctx.sink.warning(RULES.unclosedFence, line + 1 + i, 1, message);
    ctx.swallowed.set(node, { lang, warning: `${ctx.path}:${line + 1 + i}:1 ${message}` });
    return;
  }
}

/**
 * A language as a reader sees it: invisible characters (a zero-width space) dropped and
 * compatibility forms (ｓｑｌ) folded (review: `s\u200Bql` was documentation without a word).
 */
function seenAs(lang: string): string {
  return lang
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .toLowerCase();
}

/**
 * Query languages one letter from `sql` that are languages of their own (Kusto, Splunk, Hive,
 * Cassandra, GraphQL, Jira, ArangoDB, Standard ML): a runbook showing a detection in one of them
 * beside its step is documentation, not a mistyped step (review: every run warned of them).
 */
const OTHER_LANGUAGES = new Set(["kql", "spl", "hql", "cql", "gql", "jql", "aql", "pql", "sml"]);

/** The step language a block's language seems meant to be (`sq1`, `SQL-athena`), if any. */
function stepLanguageMeant(lang: string): string | undefined {
  if (lang === "" || Object.hasOwn(STEP_LANGUAGES, lang) || OTHER_LANGUAGES.has(lang))
    return undefined;
  const seen = seenAs(lang);
  if (Object.hasOwn(STEP_LANGUAGES, seen)) return seen;
  const words = lang.split(/[^a-z0-9]+/);
  const names = Object.keys(STEP_LANGUAGES);
  return (
    names.find((n) => words.includes(n)) ??
    names.find((n) => n.length > 3 && leven(lang, n) === 1) ??
    (lang.length === 3 && leven(lang, "sql") === 1 ? "sql" : undefined) ??
    // A letter of sql typed twice (sqll, ssql): no language of its own, unlike psql or tsql.
    (/^s+q+l+$/.test(lang) && lang.length === 4 ? "sql" : undefined)
  );
}

/**
 * Whether a block's language seems meant to be `expect`: a plural or suffixed form (`expects`,
 * `expectations`, `expect-`, `expect_`), one edit from it (`expec`, `expectt`) or two letters of
 * it swapped (`expcet`). Words that are languages or documentation of their own stay quiet:
 * `expected` (an output block), `export`, `except`, `exec`, `aspect` are two edits away or more.
 */
function expectMeant(lang: string): boolean {
  if (lang === "expect" || lang.startsWith("expected")) return false;
  if (seenAs(lang) === "expect") return true;
  return (
    /^expect(s|ations?|[-_].*)$/.test(lang) ||
    leven(lang, "expect") === 1 ||
    swapped(lang, "expect")
  );
}

/** Whether `a` is `b` with two neighbouring letters swapped. */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((c, i) => c !== b[i]);
  return (
    at >= 0 && a[at] === b[at + 1] && a[at + 1] === b[at] && a.slice(at + 2) === b.slice(at + 2)
  );
}

/**
 * Reads the top-level blocks in order into segments: runs of Markdown, steps (their title is the
 * heading above them) and the expect block that follows a step.
 */
class SegmentReader {
  readonly drafts: Draft[] = [];
  readonly segments: DraftSegment[] = [];
  private heading: string | undefined;
  private run: RootContent[] = [];
  /** The step an expect block may still follow. */
  private awaiting: Draft | undefined;
  /** A code block (not a step) since the last step: an expect block after it checks nothing. */
  private between: { line: number; what: string } | undefined;
  private lastWithExpect: Draft | undefined;
  /** Warnings for the run from before the first step (`tellRun`). */
  private readonly untold: string[] = [];

  constructor(private readonly ctx: ParseContext) {}

  read(children: RootContent[]): void {
    for (const node of children) {
      const fence = node.type === "code" ? fenceOf(node, this.ctx.lines) : undefined;
      const lang = node.type === "code" ? (node.lang ?? "").toLowerCase() : "";
      if (node.type === "code" && fence && Object.hasOwn(STEP_LANGUAGES, lang)) {
        this.step(node, fence, lang);
      } else if (node.type === "code" && fence && lang === "expect") {
        this.expect(node, fence);
      } else if (node.type === "code" && fence) {
        this.otherCode(node, lang);
      } else if (node.type === "code") {
        // Indented code is a code block too: an expect block after it no longer follows the
        // step above (review: it checked that step without a word).
        this.run.push(node);
        this.awaiting = undefined;
        this.between = { line: node.position!.start.line, what: "indented code block" };
      } else {
        if (node.type === "heading") this.heading = mdastToString(node as Heading).trim();
        this.nestedCode(node);
        this.run.push(node);
      }
    }
    this.flush();
  }

  /**
   * A code block inside a list or a quote stands between a step and an expect block as one at
   * the top level does (review: the expect block checked the step above it without a word).
   */
  private nestedCode(node: RootContent): void {
    let code: Code | undefined;
    visit(node, "code", (c) => {
      code ??= c;
    });
    if (code === undefined || this.awaiting === undefined) return;
    this.awaiting = undefined;
    const lang = (code.lang ?? "").toLowerCase();
    const inside = node.type === "blockquote" ? "quote" : node.type === "list" ? "list" : "block";
    const what = `${lang === "" ? "" : `"${lang}" `}code block in a ${inside}`;
    this.between = { line: code.position!.start.line, what };
  }

  /**
   * A fenced block that is documentation. An expect block after it no longer follows the step
   * above (spec: "right after a step"), and a language that looks like a step's is named.
   */
  private otherCode(node: Code, lang: string): void {
    this.run.push(node);
    const { line, column } = node.position!.start;
    const step = this.awaiting;
    this.awaiting = undefined;
    this.between = { line, what: `${lang === "" ? "plain" : `"${lang}"`} code block` };
    const meant = stepLanguageMeant(lang);
    if (meant !== undefined) {
      const message = `"${node.lang}" is not a step language, so this block is documentation and never runs (did you mean "${meant}"?)`;
      this.ctx.sink.warning(RULES.stepLanguage, line, column, message);
      this.tellRun(`${this.ctx.path}:${line}:${column} ${message}`);
    } else if (expectMeant(lang)) {
      this.expectLanguage(node, step?.step);
    }
    // The step above runs without the checks this block swallowed, or a step never runs: the
    // run says so too.
    const swallowed = this.ctx.swallowed.get(node);
    if (swallowed?.lang !== "expect") {
      if (swallowed) this.tellRun(swallowed.warning);
    } else if (step) step.step.warnings = [...(step.step.warnings ?? []), swallowed.warning];
  }

  /**
   * A block whose language looks like `expect` (`expects`): a warning, like a step language's
   * near miss (spec section 2: any other block is documentation). The step above, which runs
   * without its checks, also shows it with its result, so that a run says it too.
   */
  private expectLanguage(node: Code, step: Step | undefined): void {
    const { line, column } = node.position!.start;
    const checks = step
      ? `its checks are not checks of the step on line ${step.position.start.line}`
      : "its lines are never checked";
    const message = `"${node.lang}" is not "expect", so this block is documentation and ${checks} (did you mean "expect"?)`;
    this.ctx.sink.warning(RULES.expectLanguage, line, column, message);
    if (step)
      step.warnings = [...(step.warnings ?? []), `${this.ctx.path}:${line}:${column} ${message}`];
  }

  /**
   * A warning a run shows too, with the step nearest above it (else the first step): a block
   * that looks like a step and never runs was said by check alone (review).
   */
  private tellRun(message: string): void {
    const above = this.drafts.at(-1)?.step;
    if (above) above.warnings = [...(above.warnings ?? []), message];
    else this.untold.push(message);
  }

  private step(node: Code, fence: Fence, lang: string): void {
    this.flush();
    this.between = undefined;
    const draft = readStep(node, fence, lang, this.drafts.length + 1, this.heading, this.ctx);
    if (this.untold.length > 0) draft.step.warnings = this.untold.splice(0);
    this.drafts.push(draft);
    this.segments.push({ kind: "step-draft", draft });
    this.awaiting = draft;
  }

  private expect(node: Code, fence: Fence): void {
    this.flush();
    const { sink, lines, path } = this.ctx;
    const { start, end } = node.position!;
    for (const word of parseInfo(fence.info).words) {
      sink.error(
        RULES.unknownAttribute,
        start.line,
        fence.infoStart + word.offset + 1,
        `unexpected "${word.text}": expect blocks take no attributes (they belong to the step above)`,
      );
    }
    const draft = this.awaiting;
    if (!draft) {
      this.orphanExpect(start);
      return;
    }
    const swallowed = this.ctx.unclosed.has(node);
    const body = swallowed ? "" : lines.slice(start.line, end.line - 1).join("\n");
    const parsed = parseExpect(body, start.line + 1, path);
    sink.diagnostics.push(...parsed.diagnostics);
    const expectAt = queryPositions(body, start.line, lines);
    reportBidi(body, (b) => bidiInCode(b, "expect block"), expectAt, sink);
    if (parsed.checks.length === 0 && parsed.diagnostics.length === 0 && !swallowed) {
      sink.warning(
        RULES.emptyExpect,
        start.line,
        start.column,
        "empty expect block: write one check a line, such as rows == 0",
      );
    }
    draft.step.checks = parsed.checks;
    draft.step.expectPosition = spanOf(node);
    this.segments.push({ kind: "expect-draft", draft, source: node.value });
    this.lastWithExpect = draft;
    this.awaiting = undefined;
  }

  /** An expect block with no step right before it: a second one, or one before any step. */
  private orphanExpect(start: { line: number; column: number }): void {
    const last = this.lastWithExpect;
    if (this.between !== undefined) {
      const { line, what } = this.between;
      this.ctx.sink.error(
        RULES.expectWithoutStep,
        start.line,
        start.column,
        `expect block after the ${what} on line ${line}, which is not a step: an expect block goes right after the sql or logs-insights block it checks`,
      );
    } else if (last) {
      this.ctx.sink.error(
        RULES.duplicateExpect,
        start.line,
        start.column,
        `${last.explicitId !== undefined ? `step "${last.explicitId}"` : `the step on line ${last.step.position.start.line}`} already has an expect block (line ${last.step.expectPosition!.start.line}): put all its checks in one block`,
      );
    } else {
      this.ctx.sink.error(
        RULES.expectWithoutStep,
        start.line,
        start.column,
        "expect block with no step before it: put it right after the sql or logs-insights block it checks",
      );
    }
  }

  /** Ends the current run of Markdown blocks as one segment (its text as written). */
  private flush(): void {
    if (this.run.length === 0) return;
    const a = this.run[0]!.position!;
    const b = this.run[this.run.length - 1]!.position!;
    this.segments.push({
      kind: "markdown",
      markdown: this.ctx.source.slice(a.start.offset, b.end.offset),
      position: {
        start: { line: a.start.line, column: a.start.column },
        end: { line: b.end.line, column: b.end.column },
      },
    });
    this.run = [];
  }
}

/** Reads a query block: its attributes, its parameter references and template problems. */
function readStep(
  node: Code,
  fence: Fence,
  lang: string,
  index: number,
  heading: string | undefined,
  ctx: ParseContext,
): Draft {
  const dialect = STEP_LANGUAGES[lang]!;
  const { start } = node.position!;
  const info = parseInfo(fence.info);
  const stepInfo = stepFromInfo(info, dialect);
  for (const p of stepInfo.problems) {
    ctx.sink.add(p.severity, p.rule, start.line, fence.infoStart + p.offset + 1, p.message);
  }
  const query = node.value;
  if (query.trim() === "") {
    ctx.sink.error(
      RULES.emptyQuery,
      start.line,
      start.column,
      `empty ${info.lang} block: write the query between the fences`,
    );
  }
  const positionOf = queryPositions(query, start.line, ctx.lines);
  reportBidi(query, (b) => bidiInCode(b, "query", dialect === "sql"), positionOf, ctx.sink);
  const swallowed = ctx.unclosed.has(node);
  const step: Step = {
    id: "",
    ...(heading !== undefined && { title: heading }),
    dialect,
    lang: info.lang,
    query,
    attributes: stepInfo.attributes,
    position: spanOf(node),
    queryLine: start.line + 1,
    paramRefs: readParamRefs(query, positionOf, swallowed ? undefined : ctx),
    checks: [],
  };
  if (!swallowed) checkTemplate(query, dialect, positionOf, ctx.sink);

  const idWord = info.words.find((w) => w.key === undefined && w.text === stepInfo.id);
  const draft: Draft = {
    step,
    idColumn: idWord ? fence.infoStart + idWord.offset + 1 : start.column,
    index,
  };
  if (stepInfo.id !== undefined) draft.explicitId = stepInfo.id;
  if (heading !== undefined) draft.heading = heading;
  return draft;
}

type PositionOf = (offset: number) => { line: number; column: number };

/** An error at each bidirectional control character of a query or expect block (bidi.ts). */
function reportBidi(
  text: string,
  why: (b: BidiControl) => string,
  positionOf: PositionOf,
  sink: DiagnosticSink,
) {
  for (const b of bidiControls(text)) {
    const { line, column } = positionOf(b.offset);
    sink.error(RULES.bidiControl, line, column, why(b));
  }
}

/**
 * Maps an offset in a query's text to its line and column in the file (the fence's indentation,
 * stripped from the text, is added back). `fenceLine` is the line of the opening fence.
 */
function queryPositions(query: string, fenceLine: number, lines: readonly string[]): PositionOf {
  const queryLines = query.split("\n");
  const lineStarts: number[] = [];
  let offset = 0;
  for (const l of queryLines) {
    lineStarts.push(offset);
    offset += l.length + 1;
  }
  return (off) => {
    let i = 0;
    while (i + 1 < lineStarts.length && lineStarts[i + 1]! <= off) i++;
    const fileLine = lines[fenceLine + i] ?? "";
    const valueLine = queryLines[i]!;
    const shift = fileLine.endsWith(valueLine) ? fileLine.length - valueLine.length : 0;
    return { line: fenceLine + 1 + i, column: shift + (off - lineStarts[i]!) + 1 };
  };
}

/** The `{{name}}` references of a query; undeclared names are errors when `ctx` is given. */
function readParamRefs(
  query: string,
  positionOf: PositionOf,
  ctx: ParseContext | undefined,
): ParamRef[] {
  const refs: ParamRef[] = [];
  for (const part of scanTemplate(query)) {
    if (part.kind !== "param") continue;
    const { name } = part;
    const position = positionOf(part.offset);
    refs.push({ name, position });
    if (ctx && !ctx.paramsUnread && !ctx.declared.includes(name)) {
      ctx.sink.error(
        RULES.undeclaredParam,
        position.line,
        position.column,
        `undeclared parameter "${name}"${didYouMean(name, ctx.declared)}: declare it under params: in the front matter, or use one of ${BUILTIN_PARAMS.join(", ")}`,
      );
    }
  }
  return refs;
}

/** Parameter references inside quotes, and malformed ones. */
function checkTemplate(
  query: string,
  dialect: Dialect,
  positionOf: PositionOf,
  sink: DiagnosticSink,
): void {
  for (const problem of templateProblems(query, dialect)) {
    const { line, column } = positionOf(problem.offset);
    if (problem.kind === "quoted" && problem.quote === "/") {
      sink.error(
        RULES.quotedParam,
        line,
        column,
        `parameter "${problem.name}" is inside a regular expression, where no value can be bound or quoted: compare with {{${problem.name}}} (\`like {{${problem.name}}}\` finds it as a substring) or write the pattern out`,
      );
    } else if (problem.kind === "quoted") {
      const inside =
        problem.quote === "'" || (problem.quote === '"' && dialect === "logs-insights")
          ? "a quoted string"
          : "a quoted name";
      sink.error(
        RULES.quotedParam,
        line,
        column,
        `parameter "${problem.name}" is inside ${inside}: write {{${problem.name}}} without quotes, the runner supplies the quoting`,
      );
    } else {
      sink.error(
        RULES.badTemplate,
        line,
        column,
        `malformed parameter reference "${problem.text}": write {{name}} with a letter or "_", then letters, digits and "_"`,
      );
    }
  }
}

/** Step ids: explicit ids first (duplicates are errors), then derived ids made unique. */
function assignStepIds(drafts: readonly Draft[], sink: DiagnosticSink): void {
  const used = new Map<string, Draft>();
  for (const draft of drafts) {
    if (draft.explicitId === undefined) continue;
    const other = used.get(draft.explicitId);
    if (other) {
      sink.error(
        RULES.duplicateStepId,
        draft.step.position.start.line,
        draft.idColumn,
        `duplicate step id "${draft.explicitId}" (first used on line ${other.step.position.start.line})`,
      );
    } else used.set(draft.explicitId, draft);
    draft.step.id = draft.explicitId;
  }
  for (const draft of drafts) {
    if (draft.explicitId !== undefined) continue;
    const base =
      (draft.heading !== undefined ? slugify(draft.heading) : "") || `step-${draft.index}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.set(id, draft);
    draft.step.id = id;
  }
}

/** Parameters no step uses. */
function warnUnusedParams(
  drafts: readonly Draft[],
  params: FrontMatter["params"],
  sink: DiagnosticSink,
): void {
  const usedNames = new Set(drafts.flatMap((d) => d.step.paramRefs.map((r) => r.name)));
  const outside = new Set(
    drafts.flatMap((d) => [...referencedOutsideComments(d.step.query, d.step.dialect)]),
  );
  for (const decl of Object.values(params)) {
    if (!usedNames.has(decl.name)) {
      sink.warning(
        RULES.unusedParam,
        decl.position.line,
        decl.position.column,
        `parameter "${decl.name}" is declared but no step uses it`,
      );
    } else if (!outside.has(decl.name)) {
      sink.warning(
        RULES.unusedParam,
        decl.position.line,
        decl.position.column,
        `parameter "${decl.name}" is used only in comments, so its value changes no query: uncomment the filter, or remove the parameter`,
      );
    }
  }
}

/**
 * The id the file name gives. When the front matter sets no `id:`, it names the reports folder
 * too, so it follows the rules of `id:` (a file named `...md` would otherwise write its reports
 * outside the reports directory).
 */
function fileIdOf(path: string, id: string | undefined, sink: DiagnosticSink): string {
  const fileId = basename(path).replace(/\.md$/i, "");
  if (id === undefined && !ID_PATTERN.test(fileId)) {
    sink.error(
      RULES.invalidValue,
      1,
      1,
      `the file name gives the runbook id "${fileId}", which is not an id: rename the file with letters, digits, "_" and "-", or set id: in the front matter`,
    );
  }
  return fileId;
}

/** The runbook's metadata: the front matter with defaults filled in. */
function runbookMeta(fm: FrontMatter, title: string, fileId: string): Runbook["meta"] {
  return {
    title,
    ...(fm.description !== undefined && { description: fm.description }),
    id: fm.id ?? fileId,
    ...(fm.owner !== undefined && { owner: fm.owner }),
    severity: fm.severity ?? "medium",
    tags: fm.tags ?? [],
    schedule: fm.schedule ?? "manual",
    ...(fm.window !== undefined && { window: fm.window }),
    params: fm.params,
    ...(fm.escalation !== undefined && { escalation: fm.escalation }),
    ...(fm.triggers !== undefined && fm.triggers.length > 0 && { triggers: fm.triggers }),
  };
}

function spanOf(node: Code): Span {
  const { start, end } = node.position!;
  return {
    start: { line: start.line, column: start.column },
    end: { line: end.line, column: end.column },
  };
}
