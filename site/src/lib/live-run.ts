/**
 * The live run view: each Server-Sent Event of a run (spec access-proxy.md §5) turned into DOM,
 * in the markup of the report pages' components (StatusBadge, StepResult, ChecksTable,
 * RowsTable) so that a live run looks like its report. Server data reaches the page through
 * `textContent` only (cells through `cellElement`), never as HTML.
 *
 * Functions take the container they update, so they run in the browser and under linkedom.
 */
import type { CheckOutcome, JsonValue, StepReport } from "@run-md/core";
import { visibleFormat } from "@run-md/core/printable";
import { SAMPLE_DATA_NOTE } from "@run-md/core/report";
import { reportSlug } from "@run-md/core/site-url";
import { cellElement } from "./cells.ts";
import {
  columnsOf,
  formatDuration,
  formatValue,
  STATUS_LABEL,
  shownStatus,
  statLines,
} from "./format.ts";
import { reportJsonUrl, runUrl } from "./paths.ts";

export interface LiveEvent {
  /** The SSE event name: `queued`, `run-start`, `step-start`, `step-end`, `run-end`, ... */
  type: string;
  data: Record<string, unknown>;
}

/** Rows of a step shown live; the report keeps the first 100. */
export const LIVE_ROWS = 10;

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  // What the page shows of a run (values, messages, warnings) with its format characters visible.
  if (text !== undefined) e.textContent = visibleFormat(text);
  return e;
}

/** StatusBadge.astro's markup. */
export function statusBadge(doc: Document, status: string | undefined): HTMLSpanElement {
  const key = status ?? "none";
  const s = STATUS_LABEL[key as keyof typeof STATUS_LABEL] ?? { symbol: "?", label: key };
  const span = el(doc, "span", `rm-status rm-status--${key}`);
  span.dataset.status = key;
  const symbol = el(doc, "span", "rm-status__symbol", s.symbol);
  symbol.setAttribute("aria-hidden", "true");
  span.append(symbol, ` ${s.label}`);
  return span;
}

/** RowsTable.astro's markup. */
export function rowsTable(
  doc: Document,
  columns: string[],
  rows: JsonValue[][],
  o: { limit?: number; total?: number; caption?: string; cls?: string } = {},
): HTMLDivElement {
  const shown = rows.slice(0, o.limit ?? rows.length);
  const total = o.total ?? rows.length;
  const box = el(doc, "div", `rm-rows ${o.cls ?? ""}`.trim());
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", o.caption ?? "Result rows");
  box.tabIndex = 0;
  const table = el(doc, "table");
  if (o.caption) table.append(el(doc, "caption", undefined, o.caption));
  const head = el(doc, "tr");
  for (const c of columns) {
    const th = el(doc, "th", undefined, c);
    th.scope = "col";
    head.append(th);
  }
  const thead = el(doc, "thead");
  thead.append(head);
  const tbody = el(doc, "tbody");
  for (const row of shown) {
    const tr = el(doc, "tr");
    for (let i = 0; i < columns.length; i++) tr.append(cellElement(doc, row[i]));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  box.append(table);
  if (total > shown.length) {
    box.append(el(doc, "p", "rm-more", `${shown.length} of ${total.toLocaleString("en-US")} rows`));
  }
  return box;
}

/** ChecksTable.astro's markup for a run's outcomes, with the offending rows of failed checks. */
export function checksTable(
  doc: Document,
  outcomes: CheckOutcome[],
  step: { error?: unknown } = {},
): HTMLDivElement {
  const box = el(doc, "div", "rm-checks");
  const table = el(doc, "table");
  const head = el(doc, "tr");
  for (const h of ["Expectation", "Outcome", "Actual"]) {
    const th = el(doc, "th", undefined, h);
    th.scope = "col";
    head.append(th);
  }
  const thead = el(doc, "thead");
  thead.append(head);
  const tbody = el(doc, "tbody");
  for (const o of outcomes) tbody.append(...checkRows(doc, o, shownStatus(step, o)));
  table.append(thead, tbody);
  box.append(table);
  return box;
}

function checkRows(doc: Document, o: CheckOutcome, shown: string): HTMLTableRowElement[] {
  const tr = el(doc, "tr", `rm-check rm-check--${shown}`);
  tr.dataset.checkStatus = shown;
  const what = el(doc, "td");
  what.append(el(doc, "code", undefined, o.warn ? `warn: ${o.check}` : o.check));
  if (o.label) what.append(el(doc, "div", "rm-check__label", o.label));
  const status = el(doc, "td");
  status.append(statusBadge(doc, shown));
  const actual = el(doc, "td");
  if (o.actual !== undefined) actual.append(el(doc, "span", "rm-actual", formatValue(o.actual)));
  actual.append(el(doc, "div", "rm-check__message", o.message));
  tr.append(what, status, actual);
  const offending = o.offendingRows ?? [];
  if (offending.length === 0) return [tr];
  const columns = columnsOf(offending);
  const more = (o.offendingCount ?? 0) > offending.length;
  const caption = `Offending rows${more ? ` (first ${offending.length} of ${o.offendingCount})` : ""}`;
  const row = el(doc, "tr", "rm-offending-row");
  const cell = el(doc, "td");
  cell.colSpan = 3;
  const rows = offending.map((r) => columns.map((c) => r[c] ?? null));
  cell.append(rowsTable(doc, columns, rows, { caption, cls: "rm-offending" }));
  row.append(cell);
  return [tr, row];
}

/** A step's block in the live view, created on its first event, in the order steps start. */
export function stepBlock(root: HTMLElement, id: string, title?: string): HTMLElement {
  const list = root.querySelector<HTMLElement>("[data-live-steps]") ?? root;
  const found = [...list.querySelectorAll<HTMLElement>("[data-live-step]")].find(
    (e) => e.dataset.liveStep === id,
  );
  if (found) return found;
  const doc = root.ownerDocument;
  const block = el(doc, "article", "rm-live-step");
  block.dataset.liveStep = id;
  block.append(el(doc, "h3", "rm-live-step__title", title ?? id));
  const section = el(doc, "section", "rm-result");
  section.dataset.stepResult = id;
  section.append(el(doc, "h4", "rm-result__heading", "Result"));
  block.append(section);
  list.append(block);
  return block;
}

/** step-start: the step's block with a spinner. */
function stepStarted(root: HTMLElement, data: Record<string, unknown>): void {
  const id = stepIdOf(data);
  if (!id) return;
  const block = stepBlock(root, id, stringOf(data.title));
  block.dataset.stepState = "running";
  const section = block.querySelector<HTMLElement>(".rm-result")!;
  if (section.querySelector("[data-step-progress]")) return;
  const doc = root.ownerDocument;
  const p = el(doc, "p", "rm-live-progress");
  p.dataset.stepProgress = "";
  p.setAttribute("role", "status");
  const spinner = el(doc, "span", "rm-spinner");
  spinner.setAttribute("aria-hidden", "true");
  const engine = stringOf(data.engine);
  p.append(spinner, el(doc, "span", undefined, engine ? `running on ${engine}…` : "running…"));
  section.append(p);
}

/** step-progress: the engine's state or the data scanned so far, beside the spinner. */
function stepProgressed(root: HTMLElement, data: Record<string, unknown>): void {
  const id = stepIdOf(data);
  if (!id) return;
  const p = stepBlock(root, id).querySelector<HTMLElement>("[data-step-progress] span:last-child");
  const message = stringOf(data.message) ?? stringOf(data.state);
  if (p && message) p.textContent = `${visibleFormat(message)}…`;
}

/** step-end: the step's result as StepResult.astro shows it, then its checks. */
export function stepEnded(root: HTMLElement, data: Record<string, unknown>): void {
  const step = stepReportOf(data);
  if (!step) return;
  const doc = root.ownerDocument;
  const block = stepBlock(root, step.id, step.title);
  block.dataset.stepState = "ended";
  block.dataset.stepStatus = step.status;
  const section = block.querySelector<HTMLElement>(".rm-result")!;
  section.replaceChildren(el(doc, "h4", "rm-result__heading", "Result"), stepFacts(doc, step));
  if (step.error) section.append(errorBox(doc, step.error));
  if ((step.warnings ?? []).length > 0) {
    const ul = el(doc, "ul", "rm-warnings");
    for (const w of step.warnings) ul.append(el(doc, "li", undefined, w));
    section.append(ul);
  }
  // Why the server hid this caller's text values (masking): a note, not one of the step's
  // warnings, which say what was not read and are as many as the runs list counts.
  const masked = stringOf((step as { masked?: unknown }).masked);
  if (masked) {
    const note = el(doc, "p", "rm-muted", masked);
    note.dataset.stepMasked = "";
    section.append(note);
  }
  const columns = (step.columns ?? []).map((c) => c.name);
  if (columns.length > 0) {
    section.append(
      step.rowCount === 0
        ? el(doc, "p", "rm-muted", "No rows.")
        : rowsTable(doc, columns, step.rows ?? [], { limit: LIVE_ROWS, total: step.rowCount }),
    );
  }
  block.querySelector("[data-expect]")?.remove();
  if ((step.checks ?? []).length > 0) {
    const expect = el(doc, "div", "rm-expect");
    expect.dataset.expect = step.id;
    expect.append(checksTable(doc, step.checks, step));
    block.append(expect);
  }
}

function stepFacts(doc: Document, step: StepReport): HTMLDListElement {
  const dl = el(doc, "dl", "rm-facts");
  const fact = (label: string, value: string | Node) => {
    const div = el(doc, "div");
    const dd = el(doc, "dd");
    dd.append(value);
    div.append(el(doc, "dt", undefined, label), dd);
    dl.append(div);
  };
  fact("status", statusBadge(doc, step.status));
  fact("duration", formatDuration(step.durationMs));
  if (step.engine) fact("engine", step.engine);
  fact("rows", (step.rowCount ?? 0).toLocaleString("en-US"));
  for (const s of statLines(step.stats ?? {}).headline) fact(s.label, s.value);
  return dl;
}

function errorBox(doc: Document, error: { code: string; message: string; hint?: string }) {
  const box = el(doc, "div", "rm-error");
  box.setAttribute("role", "alert");
  const p = el(doc, "p");
  p.append(el(doc, "strong", undefined, "Error"), " ", el(doc, "code", undefined, error.code));
  p.append(`: ${visibleFormat(error.message)}`);
  box.append(p);
  if (error.hint) box.append(el(doc, "p", "rm-hint", `Hint: ${error.hint}`));
  return box;
}

/** The run's state line: a word while it waits or runs, the status badge once it ended. */
function setRunState(root: HTMLElement, state: string, status?: string): void {
  root.dataset.runState = state;
  const line = root.querySelector<HTMLElement>("[data-run-status]");
  if (!line) return;
  const doc = root.ownerDocument;
  line.replaceChildren(status ? statusBadge(doc, status) : el(doc, "span", undefined, state));
}

/** Where a finished run's report is: the API's record (always), the site's page (once built). */
export interface ReportLinks {
  json: string;
  page?: string;
}

/**
 * Applies one event to the run view. `reportLinks` gives the links of the finished run's report
 * (from run-end's data).
 */
export function applyEvent(
  root: HTMLElement,
  ev: LiveEvent,
  reportLinks: (data: Record<string, unknown>) => ReportLinks | undefined = () => undefined,
): void {
  const d = ev.data ?? {};
  const handlers: Record<string, () => void> = {
    queued: () => setRunState(root, "queued"),
    approval: () =>
      setRunState(root, `approval ${stringOf(d.state) ?? stringOf(d.status) ?? ""}`.trim()),
    "run-start": () => setRunState(root, "running"),
    "step-start": () => stepStarted(root, d),
    "step-progress": () => stepProgressed(root, d),
    "step-end": () => stepEnded(root, d),
    "run-end": () => runEnded(root, d, reportLinks(d)),
  };
  handlers[ev.type]?.();
}

/**
 * The steps still running when the view stops following them (the run ended without their
 * step-end: cancelled, interrupted; or the stream is lost): the spinner gives way to a sentence,
 * so no step keeps looking alive.
 */
function stopSpinners(root: HTMLElement, state: string, text: string): void {
  for (const block of root.querySelectorAll<HTMLElement>('[data-step-state="running"]')) {
    block.dataset.stepState = state;
    block.querySelector("[data-step-progress]")?.replaceChildren(text);
  }
}

/**
 * A dropped connection the browser is retrying (EventSource does, every 3 s): said above the
 * steps until it is back, so a view that stopped moving does not pass for a run still going.
 */
export function reconnecting(root: HTMLElement, on: boolean): void {
  let p = root.querySelector<HTMLElement>("[data-live-reconnecting]");
  if (!on || root.dataset.runState === "ended") {
    if (p) p.hidden = true;
    return;
  }
  if (!p) {
    const text = "The connection to the server dropped: reconnecting… (the view may be behind)";
    p = el(root.ownerDocument, "p", "rm-muted", text);
    p.dataset.liveReconnecting = "";
    p.setAttribute("role", "status");
    const steps = root.querySelector("[data-live-steps]");
    if (steps) steps.before(p);
    else root.append(p);
  }
  p.hidden = false;
}

/**
 * The event stream is gone for good (refused on reconnecting: a session that ended, a run the
 * server no longer has): the view says it is no longer live, and why, instead of "running".
 */
export function streamLost(root: HTMLElement, why: string): void {
  reconnecting(root, false);
  if (root.dataset.runState === "ended") return;
  setRunState(root, "disconnected");
  stopSpinners(root, "unknown", "not followed any more: reload the page to see how it went.");
  const p = root.querySelector<HTMLElement>("[data-live-error]");
  if (!p) return;
  p.textContent = visibleFormat(why);
  p.hidden = false;
}

function runEnded(root: HTMLElement, d: Record<string, unknown>, links?: ReportLinks): void {
  const status = stringOf(d.status) ?? "errored";
  setRunState(root, "ended", status);
  stopSpinners(root, "unfinished", "did not finish.");
  root.dataset.runStatus = status;
  const end = root.querySelector<HTMLElement>("[data-run-end]");
  if (!end) return;
  const doc = root.ownerDocument;
  end.replaceChildren(`The run ended: ${STATUS_LABEL[status as "passed"]?.label ?? status}.`);
  // Why it ended without a report (a sentence), or a core error.
  const error = d.error as string | { code?: string; message?: string } | undefined;
  const why = typeof error === "string" ? error : error?.message;
  if (why) end.append(` ${visibleFormat(why)}`);
  const warning = status === "passed" || status === "warned" ? stepsWarning(root) : undefined;
  if (warning) {
    const p = el(doc, "strong", "rm-live-warning");
    p.textContent = warning;
    p.dataset.runWarning = "";
    end.append(" ", p);
  }
  // A run over the bundled sample data (its run-end says so): its findings are generated events'.
  if (d.sampleData === true) {
    const note = el(doc, "strong", "rm-version", `⚠ ${SAMPLE_DATA_NOTE}`);
    note.dataset.sampleNote = "";
    end.append(" ", note);
  }
  const link = (href: string, text: string, kind: string) => {
    const a = el(doc, "a", undefined, text);
    a.href = href;
    a.dataset.reportLink = kind;
    return a;
  };
  if (links) end.append(" ", link(links.json, "Its report (JSON)", "json"));
  // The site shows a report once it is built again with it (the nightly job, or by hand).
  if (links?.page)
    end.append(" · ", link(links.page, "its page on the site, after the next build", "page"));
  end.hidden = false;
}

/**
 * What the steps shown warned of (days of the window without logs, files skipped), as core's
 * `stepWarnings` says it: the first warning with its step, and how many more. A run that passed
 * over logs never read does not end on a plain "passed" while the warnings sit under each step.
 */
function stepsWarning(root: HTMLElement): string | undefined {
  const all = [...root.querySelectorAll<HTMLElement>("[data-live-step]")].flatMap((block) =>
    [...block.querySelectorAll(".rm-warnings > li")].map(
      (li) => `${visibleFormat(block.dataset.liveStep ?? "")}: ${li.textContent ?? ""}`,
    ),
  );
  if (all.length === 0) return undefined;
  return `⚠ warning in ${all[0]}${all.length > 1 ? ` (and ${all.length - 1} more)` : ""}`;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The step an event is about: `step` as an id or as an object with one, else `id`. */
export function stepIdOf(data: Record<string, unknown>): string | undefined {
  const s = data.step;
  if (typeof s === "string") return s;
  if (s && typeof s === "object") return stringOf((s as { id?: unknown }).id);
  return stringOf(data.stepId) ?? stringOf(data.id);
}

/** A step-end's result: `report` or `step` as an object, else the data itself. */
function stepReportOf(data: Record<string, unknown>): StepReport | undefined {
  const candidates = [data.report, data.result, data.step, data];
  const found = candidates.find(
    (c): c is StepReport =>
      !!c && typeof c === "object" && typeof (c as { status?: unknown }).status === "string",
  );
  if (!found) return undefined;
  const id = stringOf((found as { id?: unknown }).id) ?? stepIdOf(data);
  return id ? { ...found, id } : undefined;
}

/**
 * The finished run's record with its report, from the API, and its page on the site (named after
 * its report file, as the site names it) when the run stored a report.
 */
export function reportLinks(id: string, runbook: string, d: Record<string, unknown>): ReportLinks {
  const json = `/api/runs/${encodeURIComponent(id)}`;
  const name = typeof d.report === "string" ? d.report.split("/").pop() : undefined;
  if (!name) return { json };
  const slug = reportSlug(name.replace(/\.json$/, ""));
  // An investigation has no page of its own on the site: its report is listed there, as JSON.
  if (d.kind === "investigation") return { json, page: reportJsonUrl(runbook, slug) };
  return { json, page: runUrl(runbook, slug) };
}
