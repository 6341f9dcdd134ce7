/**
 * Alerting on change: a small JSON file next to the reports remembers, per runbook, whether it
 * was failing, since when, and when people were last told. A runbook that keeps failing does
 * not page again until the reminder cadence has elapsed; its recovery is announced once.
 */
import { readFile } from "node:fs/promises";
import { type RunReport, writeFileAtomic } from "@run-md/core";
import type { AlertKind } from "./model.ts";

export const STATE_FILE = ".notify-state.json";

export interface RunbookState {
  failing: boolean;
  /** When it started failing (or passing), ISO. */
  since: string;
  /** When people were last told about it, ISO. */
  notifiedAt?: string;
  lastStatus: string;
}

export interface AlertState {
  version: 1;
  runbooks: Record<string, RunbookState>;
}

export async function loadState(file: string): Promise<AlertState> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as AlertState;
    if (parsed?.version === 1 && typeof parsed.runbooks === "object") return parsed;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" && !(e instanceof SyntaxError)) throw e;
  }
  return { version: 1, runbooks: {} };
}

export async function saveState(file: string, state: AlertState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The alert a report calls for, given the runbook's previous state, and its next state. A
 * cancelled run changes nothing.
 */
export function transition(
  previous: RunbookState | undefined,
  report: Pick<RunReport, "status" | "startedAt">,
  now: Date,
  reminderMs: number | undefined,
): { kind?: AlertKind; next: RunbookState | undefined } {
  if (report.status === "cancelled") return { next: previous };
  const failing = report.status === "failed" || report.status === "errored";
  const at = now.toISOString();
  if (!failing) {
    const next: RunbookState = {
      failing: false,
      since: previous?.failing === false ? previous.since : report.startedAt,
      lastStatus: report.status,
      ...(previous?.failing ? { notifiedAt: at } : {}),
    };
    return previous?.failing ? { kind: "recovered", next } : { next };
  }
  if (!previous?.failing) {
    return {
      kind: "failing",
      next: { failing: true, since: report.startedAt, notifiedAt: at, lastStatus: report.status },
    };
  }
  const last = Date.parse(previous.notifiedAt ?? previous.since);
  const due = reminderMs !== undefined && now.getTime() - last >= reminderMs;
  const next = { ...previous, lastStatus: report.status, ...(due ? { notifiedAt: at } : {}) };
  return due ? { kind: "reminder", next } : { next };
}
