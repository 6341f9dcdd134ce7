import type { JsonValue } from "./engine.ts";
import { printable } from "./printable.ts";
import {
  escalates,
  isUnjudged,
  NOT_RESOLVED,
  type RunReport,
  SAMPLE_DATA_NOTE,
  stepNotes,
  stepWarnings,
} from "./report.ts";

const ICON: Record<string, string> = {
  passed: "✅",
  warned: "⚠️",
  failed: "❌",
  errored: "💥",
  skipped: "⏭️",
  cancelled: "⏹️",
};

/**
 * Text as literal Markdown (a job summary, a pull-request comment, a GitHub issue, a Teams card):
 * every value from the logs is chosen by whoever made the AWS call (a userAgent of
 * `<img src=x onerror=...>`, `[click](javascript:...)` or `https://evil.example`), and GitHub
 * renders HTML and links. A backslash before ASCII punctuation makes it a plain character
 * (CommonMark "backslash escapes"): escaping `<` `>` `&` stops raw HTML, autolinks and entities,
 * `[` `]` links and images, `*` `_` `~` `` ` `` emphasis and code, `|` table cells, and the `:` of
 * `://` and the `.` of `www.` the bare links GitHub makes. `@` and `#` are followed by a
 * zero-width joiner, so `@org/team` mentions nobody, `a@b.c` is no mail link and `#12` references
 * no issue (GitHub finds those in the rendered text). Line breaks (`\n`, `\r\n`, a lone `\r`)
 * become spaces, so a value cannot start a block of its own; control, format and bidi characters
 * (an ESC, a right-to-left override) are written `\uXXXX`, as every other output writes them.
 */
export function markdownText(s: string): string {
  return printable(s.replace(/\r\n?|\n/g, " "))
    .replace(/[\\`*_~[\]<>&|]|:(?=\/\/)|(?<=\bwww)\./gi, "\\$&")
    .replace(/[@#]/g, "$&\u200d");
}

/** Inline code that no backtick in `s` can close early. */
function code(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${fence}${pad}${printable(s.replace(/\r?\n|\r/g, " "))}${pad}${fence}`;
}

function cell(v: JsonValue | undefined): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  const one = s.replace(/\r?\n|\r/g, " ");
  return markdownText(one.length > 80 ? `${one.slice(0, 77)}...` : one);
}

function table(columns: string[], rows: JsonValue[][]): string {
  if (columns.length === 0) return "";
  return [
    `| ${columns.map((c) => cell(c)).join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${columns.map((_, i) => cell(r[i])).join(" | ")} |`),
  ].join("\n");
}

/** An error (a run's or a step's) as a quote: its code, message and hint. */
function errorQuote(e: { code: string; message: string; hint?: string }): string {
  return `> **${e.code}**: ${markdownText(e.message)}${e.hint ? `  \n> ${markdownText(e.hint)}` : ""}`;
}

/** A Markdown summary of runs, for CI job summaries and pull-request comments. */
export function toMarkdown(reports: RunReport[], opts: { rows?: number } = {}): string {
  const maxRows = opts.rows ?? 5;
  const out: string[] = [];
  for (const r of reports) {
    out.push(`## ${ICON[r.status] ?? ""} ${markdownText(r.runbook.title)} — ${r.status}`, "");
    // A run stopped before its window was resolved (a parameter, a runbook error) had none.
    const window =
      r.window.source === NOT_RESOLVED
        ? "window not resolved"
        : `window ${r.window.start} → ${r.window.end}`;
    out.push(
      `${code(r.runbook.path)} · severity ${r.runbook.severity} · ${window} · ${(r.durationMs / 1000).toFixed(1)}s`,
      "",
    );
    // Why the run stopped before (or outside) its steps, as the terminal and JUnit say it.
    if (r.error) out.push(errorQuote(r.error), "");
    if (r.sampleData) out.push(`**⚠️ ${markdownText(SAMPLE_DATA_NOTE)}**`, "");
    // A green heading over steps that warned (a day without logs, files skipped) says so at once:
    // each step's warnings are under it, far down a job summary of many runbooks.
    const warning = r.status === "passed" || r.status === "warned" ? stepWarnings(r) : "";
    if (warning) out.push(`**⚠️ ${markdownText(warning)}**`, "");
    for (const s of r.steps) {
      out.push(
        `### ${ICON[s.status] ?? ""} ${markdownText(s.title ?? s.id)} (${code(s.id)}, ${s.engine})`,
        "",
      );
      if (s.error) out.push(errorQuote(s.error), "");
      const notes = stepNotes(r, s);
      if (notes.length > 0) out.push(...notes.map((n) => `- ⚠️ ${markdownText(n)}`), "");
      for (const c of s.checks) {
        // A pass in a step that errored (a file not read, a result capped) judged part of the
        // data: never a ✅.
        const unjudged = isUnjudged(s, c);
        out.push(
          `- ${unjudged ? "❔" : (ICON[c.status] ?? "")} ${code(c.check)}${c.label ? ` — ${markdownText(c.label)}` : ""}: ${unjudged ? "not judged (the step errored): " : ""}${markdownText(c.message)}`,
        );
        if (c.offendingRows?.length) {
          const cols = Object.keys(c.offendingRows[0] ?? {});
          out.push(
            "",
            table(
              cols,
              c.offendingRows.map((o) => cols.map((k) => o[k] ?? null)),
            ),
            "",
          );
        }
      }
      if (s.checks.length) out.push("");
      if (s.rowCount > 0) {
        out.push(
          `${s.rowCount} row${s.rowCount === 1 ? "" : "s"}${s.rowCount > maxRows ? ` (first ${maxRows})` : ""}:`,
          "",
          table(
            s.columns.map((c) => c.name),
            s.rows.slice(0, maxRows),
          ),
          "",
        );
      }
    }
    // Escalation is for what a check found, not for a failure of the tool.
    if (escalates(r) && r.runbook.escalation) {
      out.push(`**Escalation:** ${markdownText(r.runbook.escalation.trim())}`, "");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}
