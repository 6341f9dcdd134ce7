/**
 * One audit entry and its hash (spec access-proxy.md §9). The hash is the SHA-256 (hex) of the
 * entry without `hash`, serialized canonically: `JSON.stringify` of the keys in the fixed order
 * seq, time, actor, groups, action, target (absent when none), details (absent when none; its
 * object keys sorted at every depth, which JavaScript's objects hold with integer keys first in
 * numeric order: docs/serve.md says so, for verifiers written elsewhere), prev. The first
 * entry's `prev` is 64 zeros.
 */
import { createHash } from "node:crypto";

/** The actions an entry may record (spec §9 and issue 16); `append` refuses any other. */
export const AUDIT_ACTIONS = [
  "server.start",
  "server.recover",
  "auth.signin",
  "auth.signout",
  "auth.refused",
  "access.refused",
  "run.request",
  "run.start",
  "run.end",
  "run.cancel",
  "run.interrupted",
  "run.approve",
  "run.deny",
  "run.expire",
  "runs.removed",
  "query.request",
  "token.create",
  "token.revoke",
  "audit.read",
  "budget.refused",
  "budget.stopped",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  actor: string;
  groups: string[];
  /** One of AUDIT_ACTIONS (typed as a string so a log written by a later version still reads). */
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  time: string;
  prev: string;
  hash: string;
}

/** An entry's keys in the log's order (also the columns of `run-md audit export --format csv`). */
export const ENTRY_KEYS = [
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

export const GENESIS = "0".repeat(64);

/** The entry (without `hash`) in canonical form: the bytes its hash is computed over. */
export function canonicalJson(e: Omit<AuditEntry, "hash">): string {
  const o: Record<string, unknown> = {
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    groups: e.groups,
    action: e.action,
  };
  if (e.target !== undefined) o.target = e.target;
  if (e.details !== undefined) o.details = sortKeys(e.details);
  o.prev = e.prev;
  return JSON.stringify(o);
}

export function entryHash(e: Omit<AuditEntry, "hash">): string {
  return createHash("sha256").update(canonicalJson(e), "utf8").digest("hex");
}

/** A UTF-16 surrogate not in a pair: no Unicode character, so no UTF-8 either. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A text as the log keeps it: each lone surrogate replaced by U+FFFD. JSON.stringify writes one
 * as a `\udXXX` escape, which strict readers (jq) refuse: a deny comment or a parameter holding
 * `\ud800` made its line unreadable to them (red-team review).
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\ufffd");
}

/** Plain JSON with every text in it, keys too, well-formed. */
function wellFormedJson(v: unknown): unknown {
  if (typeof v === "string") return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedJson);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormedJson(x)]),
    );
  }
  return v;
}

/**
 * A new entry: every text well-formed, details reduced to plain JSON (so the hash survives a round
 * trip, and their keys are texts too), then hashed.
 */
export function sealEntry(input: AuditInput, seq: number, time: string, prev: string): AuditEntry {
  const body: Omit<AuditEntry, "hash"> = {
    seq,
    time,
    actor: wellFormed(input.actor),
    groups: input.groups.map(wellFormed),
    action: wellFormed(input.action),
    prev,
  };
  if (input.target !== undefined) body.target = wellFormed(input.target);
  if (input.details !== undefined) {
    body.details = wellFormedJson(JSON.parse(JSON.stringify(input.details))) as Record<
      string,
      unknown
    >;
  }
  return { ...body, hash: entryHash(body) };
}

/** The line written to the file: the canonical entry with `hash` last, and a newline. */
export function entryLine(e: AuditEntry): string {
  return `${canonicalJson(e).slice(0, -1)},"hash":${JSON.stringify(e.hash)}}\n`;
}

/**
 * Whether `bytes` (a line without its newline) are exactly what `entryLine` writes for the entry
 * parsed from them. A line JSON reads as the same entry but that is not those bytes (keys
 * repeated, where the last one wins; other key order, whitespace, escapes) was not written so.
 */
export function isEntryLine(bytes: Uint8Array, e: AuditEntry): boolean {
  return Buffer.from(entryLine(e).slice(0, -1), "utf8").equals(bytes);
}

/** A parsed line as an entry, or why it is not one. */
export function asEntry(v: unknown): AuditEntry | string {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "not an audit entry";
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !(ENTRY_KEYS as readonly string[]).includes(k));
  if (extra !== undefined) return `unknown key "${extra}"`;
  if (!Number.isSafeInteger(o.seq)) return "no seq";
  for (const key of ["time", "actor", "action", "prev", "hash"])
    if (typeof o[key] !== "string") return `no ${key}`;
  if (!Array.isArray(o.groups) || !o.groups.every((g) => typeof g === "string")) return "no groups";
  if (o.target !== undefined && typeof o.target !== "string") return "target is not a string";
  if (
    o.details !== undefined &&
    (o.details === null || typeof o.details !== "object" || Array.isArray(o.details))
  )
    return "details is not an object";
  return o as unknown as AuditEntry;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  );
}
