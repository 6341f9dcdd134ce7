/**
 * The runbooks `trigger` considers, each loaded on its own: one that does not load (parse or lint
 * errors) never stops the others. For such a runbook, what its front matter still says (as the
 * parser read it: `ParseResult.frontMatter`) decides whether the event would have
 * started it: its valid triggers, its id, title, severity, owner and escalation for the report.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type Diagnostic,
  duplicateIdErrors,
  type FrontMatter,
  findRunbooks,
  ID_PATTERN,
  parseRunbook,
  RULES,
  type Runbook,
  RunMdError,
  slugify,
} from "@run-md/core";
import type { TableConfig } from "@run-md/sql";
import { lintQueries } from "../lint.ts";
import { plural } from "../words.ts";

/** One runbook file: its runbook, or, when it did not load, the errors and what could be read. */
export interface LoadedRunbook {
  file: string;
  /**
   * The runbook; for one that did not load, as far as its front matter goes (no steps), so that
   * its triggers can be planned and its errored report written.
   */
  runbook: Runbook;
  /** The errors that kept it from loading: empty when it loaded. */
  problems: Diagnostic[];
  /**
   * Whether every entry of its `triggers:` (or the absence of the key) could be read. When not,
   * nobody can say the event would not have started it.
   */
  triggersRead: boolean;
}

/** Loads each runbook of `paths` (default `runbooks/`) on its own, in file order. */
export async function loadEachRunbook(
  paths: string[],
  tables?: TableConfig,
): Promise<LoadedRunbook[]> {
  const files = await findRunbooks(paths.length > 0 ? paths : ["runbooks"]);
  const loaded: LoadedRunbook[] = [];
  for (const file of files) loaded.push(await loadOne(file, tables));
  // Two runbooks with one id do not run: their reports and their alert would be one.
  const clashes = duplicateIdErrors(loaded.map((l) => ({ file: l.file, id: l.runbook.meta.id })));
  for (const l of loaded) {
    const clash = clashes.get(l.file);
    if (clash) l.problems.push(clash);
  }
  return loaded;
}

async function loadOne(file: string, tables: TableConfig | undefined): Promise<LoadedRunbook> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (e) {
    // Not readable (permissions, a file gone since it was listed): nothing of it can be read.
    const message = `the file cannot be read: ${(e as Error).message}`;
    const problem: Diagnostic = {
      file,
      line: 1,
      column: 1,
      severity: "error",
      rule: "unreadable",
      message,
    };
    return {
      file,
      runbook: frontMatterRunbook(file, "", { params: {}, declared: new Set() }),
      problems: [problem],
      triggersRead: false,
    };
  }
  const { runbook, diagnostics, frontMatter: fm } = parseRunbook(source, file);
  const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === "error");
  if (runbook) {
    // The front matter was read in full: its triggers say whether the event starts it.
    const problems = errors(
      await lintQueries(runbook.path, runbook.steps, { tables, params: runbook.meta.params }),
    );
    return { file, runbook, problems, triggersRead: true };
  }
  return {
    file,
    runbook: frontMatterRunbook(file, source, fm),
    problems: errors(diagnostics),
    triggersRead: fm.triggersUnread !== true,
  };
}

/** The runbook as far as its front matter goes, with the parser's defaults (no steps). */
function frontMatterRunbook(file: string, source: string, fm: FrontMatter): Runbook {
  return {
    path: file,
    sourceHash: createHash("sha256").update(source).digest("hex"),
    meta: frontMatterMeta(file, fm),
    steps: [],
    segments: [],
  };
}

/**
 * What the front matter of a runbook the parser rejected says (as the parser read it: a
 * byte-order mark, quoted keys, comments), with the parser's defaults: `trigger`'s errored
 * report and the nightly job's selection both go by it.
 */
export function frontMatterMeta(file: string, fm: FrontMatter): Runbook["meta"] {
  const base = path.basename(file).replace(/\.md$/i, "");
  const id = fm.id ?? (ID_PATTERN.test(base) ? base : slugify(base) || "runbook");
  return {
    title: fm.title ?? base,
    ...(fm.description === undefined ? {} : { description: fm.description }),
    id,
    ...(fm.owner === undefined ? {} : { owner: fm.owner }),
    // Unread triggers mean an unreadable front matter, severity included: loud, not medium;
    // so does a severity that is no severity (red-team: `Critical` paged no minSeverity target).
    severity: fm.severity ?? (fm.triggersUnread || fm.severityUnread ? "critical" : "medium"),
    tags: fm.tags ?? [],
    schedule: fm.schedule ?? "manual",
    params: fm.params,
    ...(fm.escalation === undefined ? {} : { escalation: fm.escalation }),
    ...(fm.triggers && fm.triggers.length > 0 ? { triggers: fm.triggers } : {}),
  };
}

/** The error an errored report of a runbook that did not load carries: its first problems. */
export function loadError(file: string, problems: readonly Diagnostic[]): RunMdError {
  // A shared id first: it is what a check of this file alone would not show.
  const isClash = (d: Diagnostic) => d.rule === RULES.duplicateRunbookId;
  const ordered = [...problems.filter(isClash), ...problems.filter((d) => !isClash(d))];
  const shown = ordered
    .slice(0, 3)
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`)
    .join("; ");
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : "";
  const clash = problems.some(isClash);
  return new RunMdError(
    "bad-runbook",
    `${file} ${clash ? "shares its id with another runbook" : "does not load"}, so it did not run (${plural(problems.length, "problem")}): ${shown}${more}`,
    {
      hint: clash
        ? "Run run-md check on the whole runbooks folder to see every problem (the other file too); fix them so the next event runs it."
        : `Run run-md check ${file} to see every problem; fix them so the next event runs it.`,
    },
  );
}
