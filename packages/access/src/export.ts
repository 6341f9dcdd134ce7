/** `run-md audit export`: audit entries as JSON Lines or CSV (RFC 4180) for a SIEM. */
import type { AuditEntry } from "./audit-entry.ts";

export const EXPORT_FORMATS = ["json", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CSV_COLUMNS = [
  "seq",
  "time",
  "actor",
  "groups",
  "action",
  "target",
  "details",
  "prev",
  "hash",
] as const;

/**
 * `json`: one entry per line, exactly as the log stores it (JSON Lines, what SIEMs ingest).
 * `csv`: a header, then one row per entry; `groups` joined with `;`, `details` as JSON text.
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

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
