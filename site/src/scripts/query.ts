/**
 * The query page (`/query/`) on `run-md serve`: for callers with `query`, a form that sends one
 * SQL or Logs Insights query to `POST /api/query` and shows its answer; others are told
 * what they lack. The server checks everything again; its refusal is shown as it says it.
 */
import type { JsonValue } from "@run-md/core";
import { visibleFormat } from "@run-md/core/printable";
import { shownValue } from "../lib/format.ts";
import { getJson, getMe, messageOf, postJson } from "./api.ts";
import { fillTable } from "./lists.ts";

interface Answer {
  columns: { name: string }[];
  rows: JsonValue[][];
  rowCount?: number;
  engine: string;
  window: { start: string; end: string };
  stats?: Record<string, unknown>;
}

export async function initQueryPage(doc: Document): Promise<void> {
  const part = doc.querySelector<HTMLElement>("[data-served]");
  const me = await getMe();
  if (!part || !me) return;
  doc.querySelector<HTMLElement>("[data-needs-server]")!.hidden = true;
  part.hidden = false;
  if (!me.actions?.includes("query")) {
    const p = part.querySelector<HTMLElement>("[data-list-error]")!;
    p.textContent = "Ad-hoc queries need the query permission.";
    p.hidden = false;
    return;
  }
  const form = part.querySelector<HTMLFormElement>("[data-query-form]")!;
  form.hidden = false;
  void showBudget(form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void submit(part, form);
  });
}

async function showBudget(form: HTMLFormElement): Promise<void> {
  const r = await getJson<{ groups: string[]; remaining: number }[]>("/api/budget");
  if (!r.ok || !Array.isArray(r.value) || r.value.length === 0) return;
  const left = Math.min(...r.value.map((b) => b.remaining));
  form.querySelector<HTMLElement>("[data-query-budget]")!.textContent =
    `Athena scan budget left today: ${(left / 1e9).toFixed(2)} GB.`;
}

function clearResult(part: HTMLElement): void {
  part.querySelector("[data-query-result] thead tr")?.replaceChildren();
  part.querySelector("[data-query-result] tbody")?.replaceChildren();
  part.querySelector<HTMLElement>("[data-query-summary]")!.hidden = true;
  part.querySelector<HTMLElement>("[data-list-empty]")!.hidden = true;
}

async function submit(part: HTMLElement, form: HTMLFormElement): Promise<void> {
  const q = <T extends HTMLElement>(sel: string) => form.querySelector<T>(sel)!;
  const dialect = q<HTMLSelectElement>("[data-query-dialect]").value;
  const text = q<HTMLTextAreaElement>("[data-query-text]").value;
  const since = q<HTMLInputElement>("[data-query-since]").value.trim();
  const error = q<HTMLElement>("[data-query-error]");
  const button = q<HTMLButtonElement>('button[type="submit"]');
  error.hidden = true;
  // The previous answer goes, and the query stays as sent until its answer comes: no answer is
  // shown under a query (or a refusal) it is not the answer to.
  clearResult(part);
  const inputs = form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea");
  const lock = (locked: boolean) => {
    button.disabled = locked;
    q<HTMLSelectElement>("[data-query-dialect]").disabled = locked;
    for (const i of inputs) i.readOnly = locked;
  };
  lock(true);
  const r = await postJson<Answer>("/api/query", {
    [dialect === "insights" ? "insights" : "sql"]: text,
    ...(since ? { since } : {}),
  });
  lock(false);
  if (!r.ok) {
    error.textContent = messageOf(r.status, r.body);
    error.hidden = false;
    return;
  }
  const a = r.value;
  const doc = part.ownerDocument;
  const head = part.querySelector("[data-query-result] thead tr")!;
  head.replaceChildren(
    ...a.columns.map((c) => {
      const th = doc.createElement("th");
      th.scope = "col";
      th.textContent = visibleFormat(c.name); // as the run view shows a column's name
      return th;
    }),
  );
  fillTable(
    part,
    "[data-query-result]",
    a.rows.map((row) => row.map((v) => shownValue(v))),
  );
  const summary = part.querySelector<HTMLElement>("[data-query-summary]")!;
  const count = a.rowCount ?? a.rows.length;
  summary.textContent = `${count} row(s) on ${a.engine}, ${a.window.start} → ${a.window.end}${count > a.rows.length ? ` (the first ${a.rows.length} shown)` : ""}.`;
  summary.hidden = false;
}
