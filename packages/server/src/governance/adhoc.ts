/**
 * Ad-hoc queries (spec §7) as what they must behave like: a runbook step. The query becomes the
 * only step of a Markdown runbook read by core's `parseRunbook` (nothing is written), so it gets
 * a step's diagnostics, window scoping, engine choice, sandbox, timeout, scan bound and masking
 * from the same code that runs every runbook. (`run-md query` builds its runbook the same way,
 * in packages/cli/src/adhoc.ts; the server cannot import the CLI.)
 */
import { type Diagnostic, parseRunbook, type Runbook, type WindowSpec } from "@run-md/core";
import { HttpError } from "../http-error.ts";
import { bodyFields, windowAndEngine } from "../runs/request.ts";

export const ADHOC_ID = "query";

export interface QueryBody {
  dialect: "sql" | "logs-insights";
  text: string;
  window: WindowSpec;
  engine?: string;
}

const FIELDS = ["sql", "insights", "since", "from", "to", "engine"];

/** The body's shape: exactly one of `sql` and `insights`, the window, the engine. */
export function parseQueryBody(body: unknown): QueryBody {
  const b = bodyFields(body, FIELDS, '{"sql": "SELECT ..."}');
  if ((b.sql === undefined) === (b.insights === undefined)) {
    throw new HttpError(400, 'give exactly one of "sql" and "insights"', { field: "sql" });
  }
  const field = b.sql !== undefined ? "sql" : "insights";
  const text = b[field];
  if (typeof text !== "string" || text.trim() === "") {
    throw new HttpError(400, `field "${field}" must be a non-empty query`, { field });
  }
  const { window, engine } = windowAndEngine(b);
  return {
    dialect: field === "sql" ? "sql" : "logs-insights",
    text,
    window,
    ...(engine === undefined ? {} : { engine }),
  };
}

/** A fence longer than any run of backticks in the text, so the query cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * The one-step runbook of a query; a 400 naming the line in the query for a parse error. An
 * empty window is not an error here (the step is `allow_empty`): a question may have no answer.
 */
export function adhocRunbook(q: QueryBody): Runbook {
  const fence = fenceFor(q.text);
  const head = [
    "---",
    `id: ${ADHOC_ID}`,
    "title: Ad-hoc query",
    "---",
    "",
    `${fence}${q.dialect} ${ADHOC_ID}`,
  ];
  const markdown = `${head.join("\n")}\n${q.text.replace(/\n$/, "")}\n${fence}\n`;
  const parsed = parseRunbook(markdown, "query");
  const errors = parsed.diagnostics.filter((d: Diagnostic) => d.severity === "error");
  if (parsed.runbook === undefined || errors.length > 0) {
    const d = errors[0];
    const where = d === undefined ? "" : ` (line ${Math.max(1, d.line - head.length)})`;
    throw new HttpError(400, `the query is not valid${where}: ${d?.message ?? "unreadable"}`, {
      field: q.dialect === "sql" ? "sql" : "insights",
      code: d?.rule ?? "invalid-query",
    });
  }
  for (const s of parsed.runbook.steps) {
    s.attributes.allowEmpty = true;
    // An engine's error at a line of the query names that line of the query as sent to us.
    s.queryAlone = true;
  }
  return parsed.runbook;
}
