/**
 * Masking rules (spec access-proxy.md §8): `{groups, columns, strategy}` applied to the rows a
 * caller receives, never to stored reports. A rule's column is matched case-insensitively:
 *
 * - `sourceipaddress`: the result column of that name, whole;
 * - `useridentity.arn`: a result column literally named `useridentity.arn` (Logs Insights keeps
 *   dotted names) or named `arn` (Athena labels `SELECT useridentity.arn` by its last part),
 *   whole; and inside a `useridentity` column, the field `arn` of its struct value (an object,
 *   through arrays) or of its JSON text (`requestparameters.bucketName`: parsed, masked,
 *   re-serialized; text that does not parse is redacted whole), and every other `arn` in that
 *   column at any depth, as below;
 * - every rule also applies inside Logs Insights' `@message` (the whole record as JSON text), so
 *   `sourceipaddress` masks its `sourceIPAddress`;
 * - and inside any column's struct value or JSON text, at any depth, to every field named
 *   by the rule's last part (`SELECT useridentity AS who` holds `arn`, a whole row
 *   `sourceipaddress`): a column's name does not tell what a struct in it holds.
 *
 * When several rules mask one column for a caller, the strongest wins: redact, then hash, then
 * partial. `hash` is HMAC-SHA256 with the deployment's key; without a key it redacts.
 */
import { createHmac } from "node:crypto";
import { type JsonValue, RunMdError } from "@run-md/core";
import { type AccessConfig, type Caller, inGroups, type MaskStrategy } from "./model.ts";
import { partialString } from "./partial.ts";

export const REDACTED = "[redacted]";
/** Hashes look like `hmac:` + 16 hex digits: 64 bits, enough to keep distinct values apart. */
export const HASH_PREFIX = "hmac:";

/** Logs Insights' whole event as JSON text: every rule applies inside it, from the record's root. */
const RAW_EVENT = "@message";

const STRENGTH: Record<MaskStrategy, number> = { partial: 1, hash: 2, redact: 3 };

/** Lower-cased column spec → the strongest strategy of the caller's rules for it. */
export function maskPlan(cfg: AccessConfig, caller: Caller): Map<string, MaskStrategy> {
  const plan = new Map<string, MaskStrategy>();
  for (const rule of cfg.masking) {
    if (!inGroups(caller, rule.groups)) continue;
    for (const column of rule.columns) {
      const c = column.toLowerCase();
      const had = plan.get(c);
      if (!had || STRENGTH[rule.strategy] > STRENGTH[had]) plan.set(c, rule.strategy);
    }
  }
  return plan;
}

/** Masked copies of `rows` (values aligned with `columns`); the input is never changed. */
export function maskRows(
  cfg: AccessConfig,
  caller: Caller,
  columns: ReadonlyArray<string | { name: string; type?: string }>,
  rows: readonly JsonValue[][],
  key: string | undefined,
): JsonValue[][] {
  const plan = maskPlan(cfg, caller);
  if (plan.size === 0) return rows.map((r) => [...r]);
  const maskers = columns.map((c) =>
    typeof c === "string"
      ? columnMasker(plan, c, key)
      : columnMasker(plan, c.name, key, keyedByValues(c.type)),
  );
  return rows.map((row) => row.map((v, i) => maskers[i]!(v)));
}

/** A row as an object keyed by column (a report's offending rows), masked the same way. */
export function maskRecord(
  cfg: AccessConfig,
  caller: Caller,
  record: Readonly<Record<string, JsonValue>>,
  key: string | undefined,
): Record<string, JsonValue> {
  const names = Object.keys(record);
  const [row] = maskRows(cfg, caller, names, [names.map((n) => record[n]!)], key);
  return Object.fromEntries(names.map((n, i) => [n, row![i]!]));
}

type Masker = (v: JsonValue) => JsonValue;

/**
 * Whether a column of this type holds maps (or arrays of them), whose keys are values
 * (`histogram(sourceipaddress)`), not a struct's field names. A type not known says no.
 */
function keyedByValues(type: string | undefined): boolean {
  return type !== undefined && /^(?:array\s*\(\s*)*map\b/i.test(type.trim());
}

/**
 * What happens to one result column's values: the rules that name it, then (`maskInside`) the
 * other rules' fields inside any struct or JSON text it holds. `mapKeys`: its values are maps,
 * whose keys a rule naming the column masks too (`keyedByValues`).
 */
function columnMasker(
  plan: Map<string, MaskStrategy>,
  column: string,
  key: string | undefined,
  mapKeys = false,
): Masker {
  const name = column.toLowerCase();
  const steps: Masker[] = [];
  /** Fields a rule naming the whole column masked (its value holds nothing unmasked). */
  const applied = new Set<string>();
  /** The places inside the column a rule's path masked already (`useridentity.arn`: `arn`). */
  const placed: string[][] = [];
  for (const [spec, strategy] of plan) {
    const path = spec.split(".");
    const inner = name === RAW_EVENT ? path : path.length > 1 && path[0] === name && path.slice(1);
    if (inner) {
      steps.push((v) => maskAt(v, inner, strategy, key));
      placed.push(inner);
    } else if (spec === name || (path.length > 1 && path.at(-1) === name)) {
      steps.push((v) => applyStrategy(v, strategy, key, mapKeys));
      applied.add(path.at(-1)!);
    }
  }
  // Any struct or JSON text, under any name: the rules' fields inside it, by their last part, at
  // any depth, the strongest rule's strategy for each (`SELECT useridentity AS who`, a whole row
  // or `requestparameters AS params` showed them when no column name matched, found by a
  // red-team review). The column a rule's path names is no exception: a `useridentity.arn` rule
  // left `useridentity.sessioncontext.sessionissuer.arn` as it was in a `useridentity` column,
  // which the same struct renamed hid (red-team, 2026-12-07). A place masked already is not
  // masked twice (a hash of a hash would not match the `arn` column's hash).
  const inside = new Map<string, MaskStrategy>();
  for (const [spec, strategy] of plan) {
    const field = spec.split(".").at(-1)!;
    const had = inside.get(field);
    if (!applied.has(field) && (!had || STRENGTH[strategy] > STRENGTH[had]))
      inside.set(field, strategy);
  }
  if (inside.size > 0) steps.push((v) => maskInside(v, inside, key, placed).value);
  return (v) => steps.reduce((acc, step) => step(acc), v);
}

/**
 * Every field named by a rule's last part, at any depth of a struct value (an object, through
 * arrays) or of JSON text in it (an object or array; text that does not parse is kept, as it may
 * be anything), masked with that rule's strategy. JSON text is written back only when a field in
 * it was masked. `placed`: the paths below `v` masked already (`maskAt`), left as they are.
 * Copies, never mutates.
 */
function maskInside(
  v: JsonValue,
  rules: ReadonlyMap<string, MaskStrategy>,
  key: string | undefined,
  placed: readonly string[][] = [],
): { value: JsonValue; changed: boolean } {
  if (v === null) return { value: v, changed: false };
  if (typeof v === "string") {
    const head = v.trimStart()[0];
    if (head !== "{" && head !== "[") return { value: v, changed: false };
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(v) as JsonValue;
    } catch {
      return { value: v, changed: false };
    }
    const inner = maskInside(parsed, rules, key, placed);
    return inner.changed
      ? { value: JSON.stringify(inner.value), changed: true }
      : { value: v, changed: false };
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => maskInside(x, rules, key, placed));
    return items.some((x) => x.changed)
      ? { value: items.map((x) => x.value), changed: true }
      : { value: v, changed: false };
  }
  if (typeof v !== "object") return { value: v, changed: false };
  const out: Record<string, JsonValue> = { ...v };
  let changed = false;
  for (const k of Object.keys(out)) {
    const below = placed.filter((p) => p[0] === k.toLowerCase()).map((p) => p.slice(1));
    if (below.some((p) => p.length === 0)) continue; // masked by its rule's path already
    const strategy = rules.get(k.toLowerCase());
    const next =
      strategy === undefined
        ? maskInside(out[k]!, rules, key, below)
        : { value: applyStrategy(out[k]!, strategy, key), changed: out[k] !== null };
    if (next.changed) {
      out[k] = next.value;
      changed = true;
    }
  }
  return changed ? { value: out, changed: true } : { value: v, changed: false };
}

/** Masks the field at `path` inside a struct value or JSON text; copies, never mutates. */
function maskAt(
  v: JsonValue,
  path: string[],
  strategy: MaskStrategy,
  key: string | undefined,
): JsonValue {
  if (v === null) return v;
  if (typeof v === "string") {
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(v) as JsonValue;
    } catch {
      return REDACTED;
    }
    return parsed !== null && typeof parsed === "object"
      ? JSON.stringify(maskAt(parsed, path, strategy, key))
      : v;
  }
  if (Array.isArray(v)) return v.map((x) => maskAt(x, path, strategy, key));
  if (typeof v !== "object") return v;
  const [head, ...rest] = path;
  const out: Record<string, JsonValue> = { ...v };
  for (const k of Object.keys(out)) {
    if (k.toLowerCase() !== head) continue;
    out[k] =
      rest.length === 0
        ? applyStrategy(out[k]!, strategy, key)
        : maskAt(out[k]!, rest, strategy, key);
  }
  return out;
}

/**
 * A value masked by one strategy. `mapKeys`: an object in it is a map whose keys are values of
 * the column (`histogram(sourceipaddress) AS sourceipaddress`), and `partial` masks them as it
 * masks values: it kept them, the addresses themselves, beside masked counts (red-team,
 * 2026-12-07). Keys that mask alike stay apart (`52.94.x.x`, `52.94.x.x (2)`).
 */
export function applyStrategy(
  v: JsonValue,
  strategy: MaskStrategy,
  key: string | undefined,
  mapKeys = false,
): JsonValue {
  if (v === null) return null;
  switch (strategy) {
    case "redact":
      return REDACTED;
    case "hash":
      return key === undefined ? REDACTED : keyedHash(v, key);
    case "partial":
      if (typeof v === "string") return partialString(v);
      if (Array.isArray(v)) return v.map((x) => applyStrategy(x, strategy, key, mapKeys));
      if (typeof v === "object") {
        // Entries, not assignments: a key `__proto__` stays a key.
        const taken = new Set<string>();
        return Object.fromEntries(
          Object.entries(v).map(([k, x]) => [
            mapKeys ? distinctKey(taken, partialString(k)) : k,
            applyStrategy(x, strategy, key),
          ]),
        );
      }
      return REDACTED;
  }
}

/** `k`, or `k (2)`, `k (3)`, ... when `taken` holds it already; noted in `taken`. */
function distinctKey(taken: Set<string>, k: string): string {
  let out = k;
  for (let n = 2; taken.has(out); n++) out = `${k} (${n})`;
  taken.add(out);
  return out;
}

/** HMAC-SHA256 of the value (a string as is, anything else as JSON), hex-truncated. */
export function keyedHash(v: JsonValue, key: string): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return HASH_PREFIX + createHmac("sha256", key).update(text, "utf8").digest("hex").slice(0, 16);
}

/** Shorter keys are refused: the hash of an enumerable value (an IP address) is only as strong as its key. */
export const MIN_MASK_KEY_LENGTH = 32;

/**
 * The deployment's masking key, from the environment variable `server.maskKey` names. A named
 * variable that is unset or shorter than 32 characters is an error (the server should refuse
 * to start); no name gives no key, and `hash` rules then redact.
 */
export function maskKeyFromEnv(
  name: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (name === undefined) return undefined;
  const key = env[name];
  if (key === undefined || key.length < MIN_MASK_KEY_LENGTH)
    throw new RunMdError(
      "mask-key",
      `server.maskKey names ${name}, which is ${key === undefined ? "not set" : `shorter than ${MIN_MASK_KEY_LENGTH} characters`}`,
      { hint: `Set ${name} to a random secret, e.g. openssl rand -hex 32.` },
    );
  return key;
}
