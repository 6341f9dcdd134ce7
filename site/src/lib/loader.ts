/**
 * The `runbooks` content collection: every runbook parsed by the core's own parser (so the site
 * and the runner never disagree about a step), its prose rendered with Astro's Markdown pipeline
 * and its queries highlighted by Starlight's expressive-code. Unchanged files are not rendered
 * again: each entry keeps a digest of its file.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  type Diagnostic,
  duplicateIdErrors,
  findRunbooks,
  formatDiagnostic,
  ID_PATTERN,
  loadRunbook,
  type ParamDecl,
  type ParseResult,
  type Runbook,
  type RunbookMeta,
  type Step,
  type StepAttributes,
} from "@run-md/core";
import { formatBytes } from "@run-md/core/units";
import type { Loader, LoaderContext } from "astro/loaders";
import { aheadKey, takeAhead } from "./ahead.ts";

/** Bump when the shape of an entry or its rendering changes, so that cached entries are redone. */
const RENDER_VERSION = "3";

/**
 * A digest of this loader and the core's sources: a cached entry is only as good as the code that
 * made it, so a change to the parser or the rendering renders every runbook again.
 */
async function parserDigest(): Promise<string> {
  const hash = createHash("sha256").update(RENDER_VERSION);
  try {
    hash.update(await readFile(new URL(import.meta.url)));
    const dir = path.dirname(createRequire(import.meta.url).resolve("@run-md/core"));
    for (const name of (await readdir(dir)).filter((n) => n.endsWith(".ts")).sort()) {
      hash.update(name).update(await readFile(path.join(dir, name)));
    }
  } catch {
    hash.update(String(Date.now()));
  }
  return hash.digest("hex").slice(0, 16);
}

export interface Heading {
  depth: number;
  slug: string;
  text: string;
}

export type Block =
  | { kind: "html"; html: string }
  | { kind: "step"; stepId: string; codeHtml: string }
  | { kind: "expect"; stepId: string };

export interface StepDoc {
  id: string;
  title?: string;
  dialect: Step["dialect"];
  lang: string;
  query: string;
  attributes: Step["attributes"];
  line: number;
  checks: { source: string; label?: string; warn: boolean; line: number }[];
}

export interface RunbookDoc {
  id: string;
  /** Path relative to the runbooks directory. */
  relPath: string;
  digest: string;
  /** sha256 of the file, as the runner records it in its reports. */
  sourceHash?: string;
  /** False when the parser reported errors: the page then shows them instead of the document. */
  valid: boolean;
  title: string;
  meta?: RunbookMeta;
  params: ParamDecl[];
  steps: StepDoc[];
  blocks: Block[];
  headings: Heading[];
  /**
   * The id this runbook shares with another file (core's duplicate-runbook-id error): the reports
   * of that id cannot be told apart, so neither page shows them as its runs (review).
   */
  sharedId?: string;
  /** Formatted lint-style: `audit.md:14:1 error unknown attribute ...`. */
  diagnostics: { severity: Diagnostic["severity"]; text: string }[];
}

/**
 * Shiki has no grammar for Logs Insights; SQL's reads well enough for it (keywords, strings,
 * numbers, `|` as an operator). The frame title names the real language.
 */
const HIGHLIGHT_LANG = "sql";

function fence(code: string, lang: string, title: string): string {
  // A fence longer than any backtick run inside the code keeps the code intact.
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${lang} title=${JSON.stringify(title)}\n${code}\n${ticks}\n`;
}

/** Milliseconds as the fence would write them: `5m`, `90s`, `1500ms`. */
function durationText(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A step's attributes as its fence gives them (`window=30d optional`), for the code frame's
 * title: they are part of the step (a step with its own window answers for that window, not the
 * runbook's; review). The chart is drawn instead.
 */
export function attributesText(a: StepAttributes): string {
  const out: string[] = [];
  if (a.sqlDialect) out.push(`dialect=${a.sqlDialect}`);
  if (a.engine) out.push(`engine=${a.engine}`);
  if (a.window) out.push(`window=${a.window}`);
  if (a.timeoutMs !== undefined) out.push(`timeout=${durationText(a.timeoutMs)}`);
  if (a.maxScanBytes !== undefined) out.push(`max_scan=${formatBytes(a.maxScanBytes)}`);
  if (a.logGroups?.length) out.push(`log_groups=${a.logGroups.join(",")}`);
  if (a.optional) out.push("optional");
  if (a.allowEmpty) out.push("allow_empty");
  return out.join(" ");
}

/** Drops a first-level heading that repeats the title: the page already shows it. */
function dropTitleHeading(markdown: string, title: string): string {
  const m = /^\s*#[ \t]+(.+?)[ \t#]*(?:\r?\n|$)/.exec(markdown);
  if (m && m[1]?.trim() === title.trim()) return markdown.slice(m[0].length);
  return markdown;
}

/**
 * Separates the parts of a runbook rendered as one document: a paragraph of a token made for the
 * build (a runbook cannot forge it). A comment would not do: the prose's sanitizer drops them, and
 * every runbook was rendered part by part (review).
 */
const SPLIT_TOKEN = `runmdsplit${randomUUID().replaceAll("-", "")}`;
const SPLIT_AT = new RegExp(`<p>${SPLIT_TOKEN}</p>`);

/**
 * The ids the runbook page gives its own sections (pages/runbooks/[id]/index.astro, RunForm): a
 * heading of the prose with the same text (`## History`) gets another id, as does one named like
 * a step's box (`step-<id>`), so every link of the page's table of contents reaches its target.
 */
export const PAGE_IDS: readonly string[] = [
  "summary",
  "latest-run",
  "parameters",
  "triggers",
  "run-this-runbook",
  "escalation",
  "history",
  "investigations",
];

/** The headings' ids made free of the page's own (PAGE_IDS, the steps' boxes), in the html too. */
function freeIds(
  htmls: string[],
  prose: readonly boolean[],
  headings: Heading[],
  stepIds: readonly string[],
): { htmls: string[]; headings: Heading[] } {
  const taken = new Set([...PAGE_IDS, ...stepIds.map((id) => `step-${id}`)]);
  const used = new Set([...taken, ...headings.map((h) => h.slug)]);
  const renamed = new Map<string, string>();
  const out = headings.map((h) => {
    if (!taken.has(h.slug)) return h;
    let n = 1;
    while (used.has(`${h.slug}-${n}`)) n++;
    const slug = `${h.slug}-${n}`;
    used.add(slug);
    renamed.set(h.slug, slug);
    return { ...h, slug };
  });
  if (renamed.size === 0) return { htmls, headings };
  // In the prose's tags only: a heading's id, and an anchor's link to one. Never in the text of
  // a query (review: a query holding ' id="summary"' was shown changed).
  const tag = /<(?:h[1-6]|a)\b[^>]*>/g;
  const attr = /(\sid="|\shref="#)([^"]*)"/g;
  const renameIn = (t: string) =>
    t.replace(attr, (m, lead: string, id: string) =>
      renamed.has(id) ? `${lead}${renamed.get(id)}"` : m,
    );
  return {
    htmls: htmls.map((html, i) => (prose[i] ? html.replace(tag, renameIn) : html)),
    headings: out,
  };
}

async function render(
  ctx: LoaderContext,
  runbook: Runbook,
): Promise<Pick<RunbookDoc, "blocks" | "headings">> {
  const stepsById = new Map(runbook.steps.map((s) => [s.id, s]));
  type Part = { block: Block; markdown: string };
  const parts: Part[] = [];
  let first = true;
  for (const seg of runbook.segments) {
    if (seg.kind === "markdown") {
      const md = first ? dropTitleHeading(seg.markdown, runbook.meta.title) : seg.markdown;
      first = false;
      if (md.trim() === "") continue;
      parts.push({ block: { kind: "html", html: "" }, markdown: md });
    } else if (seg.kind === "step") {
      first = false;
      const step = stepsById.get(seg.stepId);
      if (!step) continue;
      const attrs = attributesText(step.attributes);
      const title = `${step.lang} · ${step.id}${attrs ? ` · ${attrs}` : ""}`;
      parts.push({
        block: { kind: "step", stepId: step.id, codeHtml: "" },
        markdown: fence(step.query, HIGHLIGHT_LANG, title),
      });
    } else {
      parts.push({ block: { kind: "expect", stepId: seg.stepId }, markdown: "" });
    }
  }
  const fill = (part: Part, html: string) => {
    if (part.block.kind === "html") part.block.html = html;
    else if (part.block.kind === "step") part.block.codeHtml = html;
  };
  const rendered = parts.filter((p) => p.block.kind !== "expect");
  const whole = await ctx.renderMarkdown(
    rendered.map((p) => p.markdown).join(`\n\n${SPLIT_TOKEN}\n\n`),
  );
  let pieces = whole.html.split(SPLIT_AT).map((h) => h.trim());
  let headings: Heading[] = whole.metadata?.headings ?? [];
  if (pieces.length !== rendered.length) {
    pieces = [];
    headings = [];
    for (const p of rendered) {
      const out = await ctx.renderMarkdown(p.markdown);
      pieces.push(out.html);
      headings.push(...(out.metadata?.headings ?? []));
    }
  }
  const free = freeIds(
    pieces,
    rendered.map((p) => p.block.kind === "html"),
    headings,
    runbook.steps.map((s) => s.id),
  );
  for (const [n, p] of rendered.entries()) fill(p, free.htmls[n]!);
  return { blocks: parts.map((p) => p.block), headings: free.headings };
}

function stepDoc(step: Step): StepDoc {
  const doc: StepDoc = {
    id: step.id,
    dialect: step.dialect,
    lang: step.lang,
    query: step.query,
    attributes: step.attributes,
    line: step.position.start.line,
    checks: step.checks.map((c) => ({
      source: c.source,
      ...(c.label !== undefined ? { label: c.label } : {}),
      warn: c.warn,
      line: c.position.line,
    })),
  };
  if (step.title !== undefined) doc.title = step.title;
  return doc;
}

export function runbooksLoader(options: { dir: string }): Loader {
  return {
    name: "run-md-runbooks",
    async load(ctx) {
      await loadAll(ctx, options);
      // `astro dev`: a runbook saved is a page updated.
      const dir = path.resolve(options.dir);
      ctx.watcher?.add(dir);
      ctx.watcher?.on("all", (_event, file) => {
        if (file.startsWith(dir) && file.endsWith(".md")) {
          loadAll(ctx, options).catch((e) => ctx.logger.error((e as Error).message));
        }
      });
    },
  };
}

async function loadAll(ctx: LoaderContext, options: { dir: string }): Promise<void> {
  const started = performance.now();
  const dir = path.resolve(options.dir);
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) ctx.logger.warn(`no runbooks directory at ${dir}: the site lists no runbook`);
  const files = exists ? (await findRunbooks([dir])).map((f) => path.resolve(f)).sort() : [];
  const cached = new Map<string, RunbookDoc>();
  for (const [, entry] of ctx.store.entries()) {
    const data = entry.data as unknown as RunbookDoc;
    cached.set(data.relPath, data);
  }
  const parser = await parserDigest();
  let rendered = 0;
  let parsedAhead = 0;
  const docs: { file: string; relPath: string; digest: string; doc: RunbookDoc }[] = [];
  for (const file of files) {
    const relPath = path.relative(dir, file);
    const source = await readFile(file, "utf8");
    const digest = ctx.generateDigest(`${parser}\n${source}`);
    let doc = cached.get(relPath);
    if (!doc || doc.digest !== digest) {
      // Parsed by the build's second process when it got there first (ahead.ts).
      const parsed = takeAhead(aheadKey.parse(file, source))?.value as ParseResult | undefined;
      if (parsed) parsedAhead++;
      doc = await loadDoc(ctx, file, relPath, digest, parsed ?? (await loadRunbook(file)));
      rendered++;
    }
    docs.push({ file, relPath, digest, doc });
  }
  // Runbooks sharing an id are all shown with the error (core's rule: none of them runs); the
  // later ones under an id of their own. Their entries are never taken from the cache again as
  // they are: the clash may be gone by the next build.
  const clashes = duplicateIdErrors(docs.map((d) => ({ file: d.relPath, id: d.doc.id })));
  // Ids taken so far, by their lower case: pages of ids that differ in case only are one folder
  // on macOS and Windows.
  const seen = new Map<string, string>();
  const taken = (id: string) => seen.has(id.toLowerCase());
  const all = new Set(docs.map((d) => d.doc.id.toLowerCase()));
  for (const { file, relPath, digest, doc: loaded } of docs) {
    let doc = loaded;
    const clash = clashes.get(relPath);
    if (clash) {
      const text = formatDiagnostic(clash);
      doc = { ...doc, digest: `${digest}:clash`, valid: false, sharedId: doc.id };
      doc.diagnostics = [...doc.diagnostics, { severity: "error", text }];
      // Renamed when an earlier one has the id, to a name no runbook has.
      const base = `${doc.id}--${path.basename(file, ".md")}`;
      const free = (id: string) => !taken(id) && !all.has(id.toLowerCase());
      for (let n = 1; taken(doc.id); n++) {
        const next = n === 1 ? base : `${base}-${n}`;
        if (free(next)) doc.id = next;
      }
    }
    seen.set(doc.id.toLowerCase(), doc.id);
    ctx.store.set({
      id: doc.id,
      data: doc as unknown as Record<string, unknown>,
      digest: doc.digest,
    });
  }
  const ids = new Set(seen.values());
  for (const id of ctx.store.keys()) if (!ids.has(id)) ctx.store.delete(id);
  const invalid = [...ids].filter((id) => {
    const data = ctx.store.get(id)?.data as unknown as RunbookDoc | undefined;
    return data !== undefined && !data.valid;
  });
  ctx.logger.info(
    `${files.length} runbooks from ${dir} (${rendered} rendered, ${parsedAhead} of them parsed ahead; ${files.length - rendered} unchanged) in ${Math.round(performance.now() - started)} ms`,
  );
  if (invalid.length > 0) ctx.logger.warn(`runbooks with errors: ${invalid.join(", ")}`);
}

/**
 * The id of a rejected runbook's page: its file name when that is an id, else one made from it
 * (`x#frag.md` gives `x-frag-<digest>`): a `#` or `%` in a page's address made the page that
 * says why the runbook was rejected unreachable (review).
 */
function pageId(name: string): string {
  if (ID_PATTERN.test(name)) return name;
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
  return `${safe || "runbook"}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

/** A runbook's entry, from what the parser said of `file`. */
async function loadDoc(
  ctx: LoaderContext,
  file: string,
  relPath: string,
  digest: string,
  parsed: ParseResult,
): Promise<RunbookDoc> {
  const { runbook, diagnostics } = parsed;
  const formatted = diagnostics.map((d) => ({
    severity: d.severity,
    text: formatDiagnostic({ ...d, file: relPath }),
  }));
  const fallbackId = path.basename(file, ".md");
  if (!runbook || diagnostics.some((d) => d.severity === "error")) {
    // Still show the document, as written, under the errors.
    const source = await readFile(file, "utf8");
    const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
    const title =
      runbook?.meta.title ??
      /^title:[ \t]*["']?(.+?)["']?[ \t]*$/m.exec(frontMatter?.[1] ?? "")?.[1] ??
      fallbackId;
    const body = frontMatter ? source.slice(frontMatter[0].length) : source;
    const out = await ctx.renderMarkdown(dropTitleHeading(body, title));
    return {
      id: pageId(runbook?.meta.id ?? fallbackId),
      relPath,
      digest,
      valid: false,
      title,
      ...(runbook ? { meta: runbook.meta } : {}),
      params: runbook ? Object.values(runbook.meta.params) : [],
      steps: runbook ? runbook.steps.map(stepDoc) : [],
      blocks: [{ kind: "html", html: out.html }],
      headings: out.metadata?.headings ?? [],
      diagnostics: formatted,
    };
  }
  return {
    id: runbook.meta.id,
    relPath,
    digest,
    sourceHash: runbook.sourceHash,
    valid: true,
    title: runbook.meta.title,
    meta: runbook.meta,
    params: Object.values(runbook.meta.params),
    steps: runbook.steps.map(stepDoc),
    ...(await render(ctx, runbook)),
    diagnostics: formatted,
  };
}
