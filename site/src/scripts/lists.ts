/**
 * The "My runs" and audit pages in the browser: tables filled from `GET /api/runs` and
 * `GET /api/audit`, text through `textContent` only.
 */
import { visibleFormat } from "@run-md/core/printable";
import { formatTime } from "../lib/format.ts";
import { statusBadge } from "../lib/live-run.ts";
import { liveRunUrl } from "../lib/paths.ts";
import { type AuditItem, getJson, getMe, messageOf, type RunSummary } from "./api.ts";

type Cell = string | Node;

/** The page's served part, shown when a caller is signed in; undefined on the static site. */
async function servedPart(doc: Document): Promise<HTMLElement | undefined> {
  const part = doc.querySelector<HTMLElement>("[data-served]");
  if (!part || !(await getMe())) return undefined;
  doc.querySelector<HTMLElement>("[data-needs-server]")!.hidden = true;
  part.hidden = false;
  return part;
}

/** The list of an answer that is an array or `{<key>: [...]}`. */
function listOf<T>(value: unknown, key: string): T[] {
  const list = Array.isArray(value) ? value : (value as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as T[]) : [];
}

export function fillTable(part: HTMLElement, selector: string, rows: Cell[][]): void {
  const doc = part.ownerDocument;
  const tbody = part.querySelector(`${selector} tbody`)!;
  tbody.replaceChildren(
    ...rows.map((cells) => {
      const tr = doc.createElement("tr");
      for (const c of cells) {
        const td = doc.createElement("td");
        // Values from the server (parameters, an audit entry's actor and details) as shown text.
        td.append(typeof c === "string" ? visibleFormat(c) : c);
        tr.append(td);
      }
      return tr;
    }),
  );
  part.querySelector<HTMLElement>("[data-list-empty]")!.hidden = rows.length > 0;
}

function showError(part: HTMLElement, message: string): void {
  const p = part.querySelector<HTMLElement>("[data-list-error]")!;
  p.textContent = message;
  p.hidden = false;
}

export function runRow(doc: Document, run: RunSummary): Cell[] {
  const a = doc.createElement("a");
  a.href = liveRunUrl(run.id);
  a.textContent = formatTime(run.requestedAt);
  const params = Object.entries(run.params ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [a, run.runbook, statusCell(doc, run), run.requester?.user ?? "", params.join(", ")];
}

/**
 * A run's status, and how many warnings its steps gave: a pass over a window not all read (a day
 * without logs) is not a plain pass (the run's page says which).
 */
function statusCell(doc: Document, run: RunSummary): Node {
  const badge = statusBadge(doc, run.status);
  const n = run.warnings ?? 0;
  if (n === 0 || (run.status !== "passed" && run.status !== "warned")) return badge;
  const cell = doc.createElement("span");
  const note = doc.createElement("strong");
  note.className = "rm-live-warning";
  note.dataset.runWarnings = String(n);
  note.textContent = `⚠ ${n} warning${n === 1 ? "" : "s"}`;
  cell.append(badge, " ", note);
  return cell;
}

export async function initRunsPage(doc: Document): Promise<void> {
  const part = await servedPart(doc);
  if (!part) return;
  const r = await getJson<unknown>("/api/runs?limit=100");
  if (!r.ok) return showError(part, messageOf(r.status, r.body));
  const runs = listOf<RunSummary>(r.value, "runs");
  part.dataset.runs = String(runs.length);
  fillTable(
    part,
    "[data-runs]",
    runs.map((run) => runRow(doc, run)),
  );
}

export function auditRow(e: AuditItem): Cell[] {
  const details = e.details && Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : "";
  return [String(e.seq), formatTime(e.time), e.actor, e.action, e.target ?? "", details];
}

export async function initAuditPage(doc: Document): Promise<void> {
  const part = await servedPart(doc);
  if (!part) return;
  const r = await getJson<unknown>("/api/audit?limit=200");
  if (!r.ok) {
    const message =
      r.status === 403
        ? "Reading the audit log needs the audit permission."
        : messageOf(r.status, r.body);
    return showError(part, message);
  }
  const entries = listOf<AuditItem>(r.value, "entries");
  part.dataset.entries = String(entries.length);
  fillTable(part, "[data-audit]", entries.map(auditRow));
}
