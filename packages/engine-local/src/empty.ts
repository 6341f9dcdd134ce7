/**
 * What a log directory held when a step's window had no CloudTrail event in it, in words: the
 * step's "no data" error says it ("1 file skipped: outside the window, covering 2026-10-01 to
 * 2026-10-05"), so a wrong --log-dir, logs from another month or a folder of other JSON is seen
 * for what it is.
 */
import type { DayRange, Resolution } from "./files.ts";

function files(n: number): string {
  return `${n} file${n === 1 ? "" : "s"}`;
}

function isoDay(day: string): string {
  return day.replaceAll("/", "-");
}

/**
 * `candidates`: the event files found under the directory, in the window or not; `logDir` is
 * `{store}` when the step reads a store alone (no raw files beside it).
 */
export function describeNoEvents(
  res: Pick<Resolution, "files" | "skippedFiles" | "outsideDays"> & { skippedByWindow: number },
  candidates: number,
  logDir: string | { store: string },
  storeFiles = 0,
): string {
  if (candidates === 0 && typeof logDir !== "string") {
    return `the store ${logDir.store} holds no event in the window: its collects of these days found none`;
  }
  if (candidates === 0) {
    return `the log directory ${logDir} holds no CloudTrail log files (.json, .jsonl or .ndjson, optionally .gz)`;
  }
  const parts: string[] = [];
  if (storeFiles > 0)
    parts.push(
      `${storeFiles} day file${storeFiles === 1 ? "" : "s"} of the store read, none with an event in the window`,
    );
  const read = new Set(res.files.map((f) => f.origin)).size;
  if (read > 0) parts.push(`${files(read)} read, none with an event in the window`);
  if (res.skippedByWindow > 0) {
    const days: DayRange | null = res.outsideDays;
    const covering =
      days === null
        ? ""
        : days.first === days.last
          ? `, covering ${isoDay(days.first)}`
          : `, covering ${isoDay(days.first)} to ${isoDay(days.last)}`;
    parts.push(`${files(res.skippedByWindow)} skipped: outside the window${covering}`);
  }
  if (res.skippedFiles > 0) {
    parts.push(
      `${files(res.skippedFiles)} skipped: unreadable or without CloudTrail events (named in the warnings)`,
    );
  }
  return parts.join("; ");
}
