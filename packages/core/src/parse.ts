/**
 * The runbook parser: one pass over the whole file (positions match the file), every problem
 * collected as a diagnostic. `runbook` is undefined when any error was found.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Code, Heading, Root, RootContent } from "mdast";
import { toString as mdastToString } from "mdast-util-to-string";
import remarkFrontmatter from "remark-frontmatter";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { visit } from "unist-util-visit";
import { DiagnosticSink, didYouMean, hasErrors, RULES, sortDiagnostics } from "./diagnostics.ts";
import { RunMdError } from "./errors.ts";
import { parseExpect } from "./expect.ts";
import { ID_PATTERN, readFrontMatter } from "./frontmatter.ts";
import { parseInfo, STEP_LANGUAGES, stepFromInfo } from "./info.ts";
import {
  BUILTIN_PARAMS,
  type Diagnostic,
  type ParamRef,
  type Runbook,
  type Segment,
  type Span,
  type Step,
} from "./model.ts";
import { scanTemplate, templateProblems } from "./template.ts";

export interface ParseResult {
  runbook: Runbook | undefined;
  diagnostics: Diagnostic[];
  /**
   * The steps that were read, even when the file has errors (then `runbook` is undefined), so
   * that `run-md check` can check their queries in the same pass.
   */
  steps: Step[];
}

const processor = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]);

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
    throw e;
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
  // A byte-order mark (some Windows editors write one) is invisible: columns ignore it.
  const source = original.replace(/^\uFEFF/, "");
  const lines = source.split(/\r?\n/);
  const tree = processor.parse(source) as Root;

  const first = tree.children[0];
  const hasYamlNode = first?.type === "yaml";
  const fm = readFrontMatter(source, sink, { closed: hasYamlNode || !/^---(?!-)/.test(source) });
  const declared = new Set<string>([...fm.declared, ...BUILTIN_PARAMS]);
  const declaredList = [...fm.declared, ...BUILTIN_PARAMS];

  const fenceOf = (node: Code): Fence | undefined => {
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
  };
  const isUnclosed = (node: Code, fence: Fence): boolean => {
    const { start, end } = node.position!;
    if (end.line === start.line) return true;
    const closing = (lines[end.line - 1] ?? "").slice(0, end.column - 1);
    const m = /^[\s>]*(`{3,}|~{3,})\s*$/.exec(closing);
    return !m || m[1]![0] !== fence.char || m[1]!.length < fence.length;
  };

  // An unclosed fence swallows the rest of its container: its content is not checked further
  // (that would report the swallowed prose as a broken query or check).
  const unclosed = new Set<Code>();
  // Fences anywhere: unclosed ones, and query/expect blocks that are not at the top level.
  visit(tree, "code", (node, _index, parent) => {
    const fence = fenceOf(node);
    if (!fence) return;
    const { line, column } = node.position!.start;
    if (isUnclosed(node, fence)) {
      unclosed.add(node);
      sink.error(
        RULES.unclosedFence,
        line,
        column,
        `unclosed code fence: add a closing ${fence.char.repeat(fence.length)} line (the block runs to the end of the ${parent === tree ? "file" : "list or quote"})`,
      );
    }
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

  interface Draft {
    step: Step;
    explicitId?: string;
    idColumn: number;
    heading?: string;
    index: number;
  }
  const drafts: Draft[] = [];
  const segments: Array<
    | Segment
    | { kind: "step-draft"; draft: Draft }
    | { kind: "expect-draft"; draft: Draft; source: string }
  > = [];
  let heading: string | undefined;
  let run: RootContent[] = [];
  let awaiting: Draft | undefined;
  let lastWithExpect: Draft | undefined;

  const flush = () => {
    if (run.length === 0) return;
    const a = run[0]!.position!;
    const b = run[run.length - 1]!.position!;
    segments.push({
      kind: "markdown",
      markdown: source.slice(a.start.offset, b.end.offset),
      position: {
        start: { line: a.start.line, column: a.start.column },
        end: { line: b.end.line, column: b.end.column },
      },
    });
    run = [];
  };

  for (const node of tree.children) {
    if (node.type === "yaml") continue;
    const fence = node.type === "code" ? fenceOf(node) : undefined;
    const lang = node.type === "code" ? (node.lang ?? "").toLowerCase() : "";
    if (node.type === "code" && fence && Object.hasOwn(STEP_LANGUAGES, lang)) {
      flush();
      const draft = readStep(node, fence, lang, drafts.length + 1, heading);
      drafts.push(draft);
      segments.push({ kind: "step-draft", draft });
      awaiting = draft;
      continue;
    }
    if (node.type === "code" && fence && lang === "expect") {
      flush();
      const { start, end } = node.position!;
      const info = parseInfo(fence.info);
      for (const word of info.words) {
        sink.error(
          RULES.unknownAttribute,
          start.line,
          fence.infoStart + word.offset + 1,
          `unexpected "${word.text}": expect blocks take no attributes (they belong to the step above)`,
        );
      }
      if (!awaiting) {
        if (lastWithExpect) {
          sink.error(
            RULES.duplicateExpect,
            start.line,
            start.column,
            `${lastWithExpect.explicitId !== undefined ? `step "${lastWithExpect.explicitId}"` : `the step on line ${lastWithExpect.step.position.start.line}`} already has an expect block (line ${lastWithExpect.step.expectPosition!.start.line}): put all its checks in one block`,
          );
        } else {
          sink.error(
            RULES.expectWithoutStep,
            start.line,
            start.column,
            "expect block with no step before it: put it right after the sql or logs-insights block it checks",
          );
        }
        continue;
      }
      const body = unclosed.has(node) ? "" : lines.slice(start.line, end.line - 1).join("\n");
      const parsed = parseExpect(body, start.line + 1, path);
      sink.diagnostics.push(...parsed.diagnostics);
      if (parsed.checks.length === 0 && parsed.diagnostics.length === 0 && !unclosed.has(node)) {
        sink.warning(
          RULES.emptyExpect,
          start.line,
          start.column,
          "empty expect block: write one check a line, such as rows == 0",
        );
      }
      awaiting.step.checks = parsed.checks;
      awaiting.step.expectPosition = spanOf(node);
      segments.push({ kind: "expect-draft", draft: awaiting, source: node.value });
      lastWithExpect = awaiting;
      awaiting = undefined;
      continue;
    }
    if (node.type === "heading") heading = mdastToString(node as Heading).trim();
    run.push(node);
  }
  flush();

  function readStep(
    node: Code,
    fence: Fence,
    lang: string,
    index: number,
    heading: string | undefined,
  ): Draft {
    const dialect = STEP_LANGUAGES[lang]!;
    const { start } = node.position!;
    const info = parseInfo(fence.info);
    const stepInfo = stepFromInfo(info, dialect);
    for (const p of stepInfo.problems) {
      sink.add(p.severity, p.rule, start.line, fence.infoStart + p.offset + 1, p.message);
    }
    const idWord = info.words.find((w) => w.key === undefined && w.text === stepInfo.id);
    const query = node.value;
    const step: Step = {
      id: "",
      ...(heading !== undefined && { title: heading }),
      dialect,
      lang: info.lang,
      query,
      attributes: stepInfo.attributes,
      position: spanOf(node),
      queryLine: start.line + 1,
      paramRefs: [],
      checks: [],
    };
    if (query.trim() === "") {
      sink.error(
        RULES.emptyQuery,
        start.line,
        start.column,
        `empty ${info.lang} block: write the query between the fences`,
      );
    }

    // Where each line of the query text starts in the file (fence indentation is stripped).
    const queryLines = query.split("\n");
    const lineStarts: number[] = [];
    let offset = 0;
    for (const l of queryLines) {
      lineStarts.push(offset);
      offset += l.length + 1;
    }
    const positionOf = (off: number) => {
      let i = 0;
      while (i + 1 < lineStarts.length && lineStarts[i + 1]! <= off) i++;
      const fileLine = lines[start.line + i] ?? "";
      const valueLine = queryLines[i]!;
      const shift = fileLine.endsWith(valueLine) ? fileLine.length - valueLine.length : 0;
      return { line: start.line + 1 + i, column: shift + (off - lineStarts[i]!) + 1 };
    };

    const refs: ParamRef[] = [];
    const swallowed = unclosed.has(node);
    for (const part of scanTemplate(query)) {
      if (part.kind !== "param") continue;
      const { name } = part;
      const position = positionOf(part.offset);
      refs.push({ name, position });
      if (!declared.has(name) && !swallowed) {
        sink.error(
          RULES.undeclaredParam,
          position.line,
          position.column,
          `undeclared parameter "${name}"${didYouMean(name, declaredList)}: declare it under params: in the front matter, or use one of ${BUILTIN_PARAMS.join(", ")}`,
        );
      }
    }
    step.paramRefs = refs;
    for (const problem of swallowed ? [] : templateProblems(query, dialect)) {
      const position = positionOf(problem.offset);
      if (problem.kind === "quoted") {
        const inside =
          problem.quote === "'" || (problem.quote === '"' && dialect === "logs-insights")
            ? "a quoted string"
            : problem.quote === "/"
              ? "a regular expression"
              : "a quoted name";
        sink.error(
          RULES.quotedParam,
          position.line,
          position.column,
          `parameter "${problem.name}" is inside ${inside}: write {{${problem.name}}} without quotes, the runner supplies the quoting`,
        );
      } else {
        sink.error(
          RULES.badTemplate,
          position.line,
          position.column,
          `malformed parameter reference "${problem.text}": write {{name}} with a letter or "_", then letters, digits and "_"`,
        );
      }
    }

    const draft: Draft = {
      step,
      idColumn: idWord ? fence.infoStart + idWord.offset + 1 : start.column,
      index,
    };
    if (stepInfo.id !== undefined) draft.explicitId = stepInfo.id;
    if (heading !== undefined) draft.heading = heading;
    return draft;
  }

  // Step ids: explicit ids first (duplicates are errors), then derived ids made unique.
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

  // Parameters no step uses.
  const usedNames = new Set(drafts.flatMap((d) => d.step.paramRefs.map((r) => r.name)));
  for (const decl of Object.values(fm.params)) {
    if (!usedNames.has(decl.name)) {
      sink.warning(
        RULES.unusedParam,
        decl.position.line,
        decl.position.column,
        `parameter "${decl.name}" is declared but no step uses it`,
      );
    }
  }

  // An id taken from the file name names the reports folder too: it follows the rules of `id:`
  // (a file named `...md` would otherwise write its reports outside the reports directory).
  const fileId = basename(path).replace(/\.md$/i, "");
  if (fm.id === undefined && !ID_PATTERN.test(fileId)) {
    sink.error(
      RULES.invalidValue,
      1,
      1,
      `the file name gives the runbook id "${fileId}", which is not an id: rename the file with letters, digits, "_" and "-", or set id: in the front matter`,
    );
  }

  const diagnostics = sortDiagnostics(sink.diagnostics);
  const steps = drafts.map((d) => d.step);
  if (hasErrors(diagnostics) || fm.title === undefined) {
    return { runbook: undefined, diagnostics, steps };
  }

  const meta: Runbook["meta"] = {
    title: fm.title,
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

  const runbook: Runbook = {
    path,
    sourceHash: createHash("sha256").update(original).digest("hex"),
    meta,
    steps,
    segments: segments.map((s): Segment => {
      if (s.kind === "step-draft") return { kind: "step", stepId: s.draft.step.id };
      if (s.kind === "expect-draft")
        return { kind: "expect", stepId: s.draft.step.id, source: s.source };
      return s;
    }),
  };
  return { runbook, diagnostics, steps };
}

function spanOf(node: Code): Span {
  const { start, end } = node.position!;
  return {
    start: { line: start.line, column: start.column },
    end: { line: end.line, column: end.column },
  };
}
