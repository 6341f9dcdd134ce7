/**
 * Triggers (spec §8): which runbooks an event starts, with which parameters and window. The
 * pattern grammar and matching are in `event-pattern.ts`; this module adds the JSON paths that
 * take parameters from the event and the window around the event's `time`.
 */
import { isRunMdError } from "./errors.ts";
import { isPlainObject, matchPattern } from "./event-pattern.ts";
import type { ParamValue, Runbook, Trigger } from "./model.ts";
import { coerceParam } from "./params.ts";
import { parseDuration } from "./units.ts";
import { isoSeconds, parseInstant } from "./window.ts";

/** The window around the event when a trigger gives none. */
export const DEFAULT_TRIGGER_WINDOW = { before: "24h", after: "1h" } as const;

export type JsonPathSegment = string | number;

/**
 * Parses `$.detail.resource.accessKeyDetails.accessKeyId`, `$.detail['detail-type']`,
 * `$.resources[0]`: a root `$`, then names and indexes. Returns the segments, or a message.
 */
export function parseJsonPath(text: string): JsonPathSegment[] | string {
  if (!text.startsWith("$")) return `a JSON path starts with "$", such as $.detail.id`;
  const segments: JsonPathSegment[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let i = 1;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) {
      return `invalid JSON path ${JSON.stringify(text)} at character ${i + 1}: use .name, ['name'] or [index]`;
    }
    segments.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4])!);
    i = re.lastIndex;
  }
  if (segments.length === 0) return "the JSON path names no field: use $.detail.id and the like";
  return segments;
}

/** The value at a parsed path, or undefined when the event has nothing there. */
export function valueAtPath(event: unknown, segments: JsonPathSegment[]): unknown {
  let node = event;
  for (const s of segments) {
    if (typeof s === "number") node = Array.isArray(node) ? node[s] : undefined;
    else node = isPlainObject(node) && Object.hasOwn(node, s) ? node[s] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

export interface TriggerMatch {
  matched: true;
  /** Index of the trigger that matched, in front matter order. */
  trigger: number;
  params: Record<string, ParamValue>;
  window: { start: Date; end: Date };
  /** Why it matched, for people: `trigger 1 matched`. */
  reason: string;
  /**
   * What names the event's incident when the trigger maps no parameter (`incidentOf`): its
   * alerts are kept apart by it, as a mapped parameter's value keeps them apart otherwise.
   */
  incident?: string;
}

export interface TriggerMiss {
  matched: false;
  reason: string;
  /**
   * A trigger's pattern matched the event but its parameters could not be taken from it (a path
   * missing, a value its declaration refuses): the runbook should have run and could not.
   */
  unresolved?: true;
  /**
   * An unresolved miss's incident: `incidentOf` the event, else its `id`. The errored report the
   * trigger gives it is alerted as an investigation of that event, apart from the runbook's
   * scheduled runs (whose pass would otherwise recover it).
   */
  incident?: string;
}

/**
 * Whether an event starts a runbook: the first trigger whose pattern matches decides. When the
 * event cannot give that trigger's parameters (a path missing, a value its declaration refuses),
 * the runbook does not run and the miss says why (spec §8): a later, broader trigger never runs
 * it instead, with defaults and another window (red-team: a user name the declaration refused
 * ran the runbook over every user, and nothing said the first trigger had matched).
 */
export function planTrigger(runbook: Runbook, event: unknown): TriggerMatch | TriggerMiss {
  const triggers = runbook.meta.triggers ?? [];
  if (triggers.length === 0) return { matched: false, reason: "it has no triggers" };
  const reasons: string[] = [];
  for (const [i, trigger] of triggers.entries()) {
    const label = triggers.length === 1 ? "" : `trigger ${i + 1}: `;
    const match = matchPattern(trigger.pattern, event);
    if (!match.matched) {
      reasons.push(`${label}${match.reason}`);
      continue;
    }
    const resolved = resolveTrigger(runbook, trigger, event);
    if (typeof resolved === "string") {
      const id = isPlainObject(event) && typeof event.id === "string" ? `event:${event.id}` : "";
      const incident = incidentOf(event) ?? id;
      return {
        matched: false,
        reason: `${label}the pattern matched but ${resolved}`,
        unresolved: true,
        ...(incident ? { incident } : {}),
      };
    }
    const incident = Object.keys(trigger.params).length === 0 ? incidentOf(event) : undefined;
    return {
      matched: true,
      trigger: i,
      ...resolved,
      reason: `${triggers.length === 1 ? "its trigger" : `trigger ${i + 1}`} matched`,
      ...(incident === undefined ? {} : { incident }),
    };
  }
  return { matched: false, reason: reasons.join("; ") };
}

/**
 * The incident an event is about: a finding's id (GuardDuty's `detail.id`, Security Hub's
 * `detail.findings[].Id`), which stays the same across the finding's updates; nothing for
 * other events (their ids change at every event).
 */
export function incidentOf(event: unknown): string | undefined {
  if (!isPlainObject(event)) return undefined;
  const detail = isPlainObject(event.detail) ? event.detail : {};
  if (event.source === "aws.guardduty" && typeof detail.id === "string") {
    return `guardduty:${detail.id}`;
  }
  if (event.source === "aws.securityhub" && Array.isArray(detail.findings)) {
    const ids = detail.findings.flatMap((f) =>
      isPlainObject(f) && typeof f.Id === "string" ? [f.Id] : [],
    );
    if (ids.length > 0) return `securityhub:${JSON.stringify(ids.sort())}`;
  }
  // Any other event's id is new at every event (a schedule's tick, each API call): it would page
  // every event and no pass would recover the alert (review). The runbook is the incident there.
  return undefined;
}

function resolveTrigger(
  runbook: Runbook,
  trigger: Trigger,
  event: unknown,
): Pick<TriggerMatch, "params" | "window"> | string {
  const params: Record<string, ParamValue> = {};
  for (const [name, path] of Object.entries(trigger.params)) {
    const decl = runbook.meta.params[name];
    const segments = parseJsonPath(path);
    if (!decl || typeof segments === "string") return `parameter "${name}" is not usable`;
    const value = valueAtPath(event, segments);
    if (value === undefined || value === null) return `the event has no ${path} for "${name}"`;
    if (typeof value === "object") {
      return `${path} is ${Array.isArray(value) ? "a list" : "a mapping"}, not a value for "${name}"`;
    }
    try {
      params[name] = coerceParam(decl, value, `the event's ${path}`);
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      return e.message;
    }
  }
  const window = triggerWindow(trigger, event);
  return typeof window === "string" ? window : { params, window };
}

/** `[time - before, time + after)`, to the second. */
export function triggerWindow(
  trigger: Pick<Trigger, "window">,
  event: unknown,
): { start: Date; end: Date } | string {
  const time = isPlainObject(event) ? event.time : undefined;
  // ISO-8601 with a zone, as EventBridge writes it: `Date`'s own parsing read "0" as the year
  // 2000 and a time without a zone in the host's zone.
  const t = typeof time === "string" ? instantOrNull(time) : null;
  if (t === null) {
    return `the event has no valid "time" (found ${JSON.stringify(time ?? null)}; an ISO-8601 instant such as 2026-11-23T10:00:00Z)`;
  }
  const before = trigger.window?.before ?? DEFAULT_TRIGGER_WINDOW.before;
  const after = trigger.window?.after ?? DEFAULT_TRIGGER_WINDOW.after;
  const at = Math.floor(t.getTime() / 1000) * 1000;
  const start = new Date(at - parseDuration(before)!);
  const end = new Date(at + parseDuration(after)!);
  // A year of four digits, as `--from`/`--to` (and ISO-8601's plain form) write it.
  const readable = (d: Date) => d.getUTCFullYear() >= 0 && d.getUTCFullYear() <= 9999;
  if (!readable(start) || !readable(end)) {
    return `the window around the event's time ${JSON.stringify(time)} (${before} before, ${after} after) lies beyond the dates run-md can read`;
  }
  return { start, end };
}

function instantOrNull(text: string): Date | null {
  try {
    return parseInstant(text, 'the event\'s "time"');
  } catch (e) {
    if (isRunMdError(e)) return null;
    throw e;
  }
}

/** The window as `--from`/`--to` text. */
export function windowArgs(window: { start: Date; end: Date }): { from: string; to: string } {
  return { from: isoSeconds(window.start), to: isoSeconds(window.end) };
}
