/** `run-md audit export`: audit entries as JSON Lines or CSV (RFC 4180) for a SIEM. */
import { type AuditEntry, ENTRY_KEYS } from "./audit-entry.ts";

export const EXPORT_FORMATS = ["json", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The CSV's columns: an entry's keys, in the log's order. */
export const CSV_COLUMNS = ENTRY_KEYS;

/**
 * `json`: one entry per line, exactly as the log stores it (JSON Lines, what SIEMs ingest).
 * `csv`: a header, then one row per entry; `groups` joined with `;`, `details` as JSON text, a
 * text a spreadsheet would run as a formula with a `'` before it.
 */
export function formatEntries(entries: AuditEntry[], format: ExportFormat): string {
  if (format === "json") return entries.map((e) => `${JSON.stringify(e)}\n`).join("");
  const rows = entries.map((e) =>
    [
      String(e.seq),
      e.time,
      e.actor,
      e.groups.join(";"),
      e.action,
      e.target ?? "",
      e.details === undefined ? "" : JSON.stringify(e.details),
      e.prev,
      e.hash,
    ]
      .map(csvField)
      .join(","),
  );
  return [CSV_COLUMNS.join(","), ...rows].map((r) => `${r}\r\n`).join("");
}

/**
 * RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. A field a
 * spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a CR: an actor
 * or group from the identity provider, a target a caller sent) gets a `'` before it, as
 * `run-md query --format csv` does (OWASP's advice on CSV injection; red-team).
 */
export function csvField(v: string): string {
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
