/**
 * EventBridge event patterns (spec §8): the grammar a rule accepts, and matching an event against
 * a pattern the way EventBridge does. Written from the EventBridge user guide ("Event patterns",
 * "Content filtering", "Comparison operators", "Arrays", "Null values and empty strings").
 *
 * - A pattern is a mapping; every field is ANDed. A field's value is either a nested mapping or
 *   a non-empty list of matchers, ORed. `$or` is a list of alternative patterns.
 * - Matchers apply to the event's leaf values at that path. When the event has a list there, the
 *   field matches when any element matches (arrays of objects are searched element by element).
 * - `exists` works on leaves only: an object at the path counts as absent.
 */
import { didYouMean } from "./diagnostics.ts";
import { type Glob, globMatches, wildcardGlob } from "./glob.ts";

export type PatternPath = ReadonlyArray<string | number>;

export interface PatternProblem {
  /** Where the problem is, as keys and indexes into the pattern. */
  path: PatternPath;
  message: string;
}

/** The operators a matcher object may have. */
export const PATTERN_OPERATORS = [
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
] as const;
const ANYTHING_BUT_OPERATORS = ["prefix", "suffix", "equals-ignore-case", "wildcard"] as const;
const NUMERIC_LOWER = [">", ">="];
const NUMERIC_UPPER = ["<", "<="];
/** "Numeric matching ... is limited to values between -1.0e9 and +1.0e9 inclusive". */
const NUMERIC_LIMIT = 1e9;

type Obj = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (isPlainObject(v)) return "a mapping";
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : `${typeof v} ${String(v)}`;
}

/** Every problem in a pattern; an empty list means EventBridge would accept it. */
export function validatePattern(pattern: unknown): PatternProblem[] {
  const problems: PatternProblem[] = [];
  if (!isPlainObject(pattern)) {
    return [
      { path: [], message: `an event pattern must be a mapping, found ${describe(pattern)}` },
    ];
  }
  validateObject(pattern, [], problems);
  return problems;
}

function validateObject(obj: Obj, path: PatternPath, problems: PatternProblem[]): void {
  if (Object.keys(obj).length === 0) {
    problems.push({ path, message: "an empty mapping in an event pattern matches nothing" });
  }
  for (const [key, value] of Object.entries(obj)) {
    const at = [...path, key];
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        problems.push({ path: at, message: '"$or" must be a list of at least two patterns' });
        continue;
      }
      for (const [i, alt] of value.entries()) validateObject(alt as Obj, [...at, i], problems);
    } else if (isPlainObject(value)) {
      validateObject(value, at, problems);
    } else if (Array.isArray(value)) {
      if (value.length === 0) {
        problems.push({ path: at, message: `"${key}" has an empty list, which matches nothing` });
      }
      for (const [i, m] of value.entries()) validateMatcher(m, [...at, i], problems);
    } else {
      problems.push({
        path: at,
        message: `"${key}" must be a list of values to match, such as [${JSON.stringify(value)}], or a mapping of fields; found ${describe(value)}`,
      });
    }
  }
}

function validateMatcher(m: unknown, path: PatternPath, problems: PatternProblem[]): void {
  const bad = (message: string, at: PatternPath = path) => problems.push({ path: at, message });
  if (m === null || typeof m === "string" || typeof m === "boolean") return;
  if (typeof m === "number") {
    if (!Number.isFinite(m)) bad("a number in a pattern must be finite");
    return;
  }
  if (Array.isArray(m)) {
    bad("a list inside a list of values is not a matcher");
    return;
  }
  const keys = Object.keys(m as Obj);
  if (keys.length !== 1) {
    bad(
      `a matcher has exactly one operator (${PATTERN_OPERATORS.join(", ")}), found ${keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", ")}`,
    );
    return;
  }
  const op = keys[0]!;
  const arg = (m as Obj)[op];
  const at = [...path, op];
  switch (op) {
    case "prefix":
    case "suffix":
      if (typeof arg === "string") return;
      if (isPlainObject(arg) && isIgnoreCase(arg)) return;
      {
        bad(`"${op}" takes a string, or { equals-ignore-case: "..." }`, at);
        return;
      }
    case "equals-ignore-case":
      if (typeof arg !== "string") bad('"equals-ignore-case" takes a string', at);
      return;
    case "wildcard": {
      const problem = typeof arg === "string" ? wildcardProblem(arg) : '"wildcard" takes a string';
      if (problem) bad(problem, at);
      return;
    }
    case "anything-but":
      validateAnythingBut(arg, at, bad);
      return;
    case "numeric": {
      const problem = numericProblem(arg);
      if (problem) bad(problem, at);
      return;
    }
    case "exists":
      if (typeof arg !== "boolean") bad('"exists" takes true or false', at);
      return;
    case "cidr":
      if (typeof arg !== "string" || parseCidr(arg) === undefined) {
        bad(`"cidr" takes an IPv4 or IPv6 block such as "10.0.0.0/24", found ${describe(arg)}`, at);
      }
      return;
    default: {
      bad(
        `unknown matcher "${op}"${didYouMean(op, PATTERN_OPERATORS)}: expected one of ${PATTERN_OPERATORS.join(", ")}`,
        at,
      );
      return;
    }
  }
}

function isIgnoreCase(arg: Obj): boolean {
  const keys = Object.keys(arg);
  return keys.length === 1 && keys[0] === "equals-ignore-case" && typeof arg[keys[0]] === "string";
}

function validateAnythingBut(
  arg: unknown,
  at: PatternPath,
  bad: (message: string, at?: PatternPath) => void,
): void {
  if (typeof arg === "string" || typeof arg === "number") return;
  if (Array.isArray(arg)) {
    const allStrings = arg.every((v) => typeof v === "string");
    const allNumbers = arg.every((v) => typeof v === "number");
    if (arg.length === 0 || !(allStrings || allNumbers)) {
      bad('"anything-but" takes a non-empty list of only strings or only numbers', at);
    }
    return;
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const op = keys[0];
    if (keys.length !== 1 || !(ANYTHING_BUT_OPERATORS as readonly string[]).includes(op!)) {
      bad(`"anything-but" may nest only one of ${ANYTHING_BUT_OPERATORS.join(", ")}`, at);
      return;
    }
    const inner = arg[op!];
    // Only one prefix or suffix ("anything-but matching only works with a single prefix").
    const listOk = op === "equals-ignore-case" || op === "wildcard";
    const values = Array.isArray(inner) && listOk ? inner : [inner];
    if (values.length === 0 || !values.every((v) => typeof v === "string")) {
      bad(
        `"anything-but": { "${op}": ... } takes a string${listOk ? " or a list of strings" : ""}`,
        [...at, op!],
      );
      return;
    }
    if (op === "wildcard") {
      for (const v of values as string[]) {
        const problem = wildcardProblem(v);
        if (problem) bad(problem, [...at, op]);
      }
    }
    return;
  }
  bad(
    `"anything-but" takes a string, a number, a list or a nested matcher; found ${describe(arg)}`,
    at,
  );
}

/** `*` is any run of characters; `\*` a literal star and `\\` a backslash; no `**`. */
function wildcardProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      if (text[i + 1] !== "*" && text[i + 1] !== "\\") {
        return `"wildcard" ${JSON.stringify(text)}: a backslash escapes only "*" or "\\"`;
      }
      i++;
    } else if (c === "*" && text[i + 1] === "*") {
      return `"wildcard" ${JSON.stringify(text)}: consecutive "*" are not allowed`;
    }
  }
  return undefined;
}

function numericProblem(arg: unknown): string | undefined {
  const usage =
    '"numeric" takes ["=", n], [">", n], ["<=", n] or a range such as [">", 0, "<=", 5]';
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) return usage;
  for (let i = 1; i < arg.length; i += 2) {
    const n = arg[i];
    if (typeof n !== "number" || !Number.isFinite(n))
      return `${usage}; ${describe(n)} is not a number`;
    if (Math.abs(n) > NUMERIC_LIMIT) return `"numeric": ${n} is outside -1e9 .. 1e9`;
  }
  const [op1, , op2] = arg as [unknown, number, unknown, number];
  if (arg.length === 2) {
    return ["=", ...NUMERIC_LOWER, ...NUMERIC_UPPER].includes(op1 as string) ? undefined : usage;
  }
  if (!NUMERIC_LOWER.includes(op1 as string) || !NUMERIC_UPPER.includes(op2 as string)) {
    return `${usage}: a range is a lower bound (> or >=) then an upper bound (< or <=)`;
  }
  if ((arg[1] as number) >= (arg[3] as number)) return `"numeric": the range is empty`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Matching

export interface MatchResult {
  matched: boolean;
  /** Why not, for people: the first field that did not match. */
  reason?: string;
}

/** Matches a validated pattern against an event. */
export function matchPattern(pattern: Obj, event: unknown): MatchResult {
  const reason = mismatch(pattern, event, "");
  return reason === undefined ? { matched: true } : { matched: false, reason };
}

/** The first reason the object does not match, or undefined when it matches. */
function mismatch(pattern: Obj, node: unknown, prefix: string): string | undefined {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === "$or") {
      const reasons = (value as Obj[]).map((alt) => mismatch(alt, node, prefix));
      if (reasons.some((r) => r === undefined)) continue;
      return `no alternative of $or matched (${reasons.join("; ")})`;
    }
    const field = `${prefix}${key}`;
    const children = childrenAt(node, key);
    if (isPlainObject(value)) {
      const objects = children.filter(isPlainObject);
      const candidates: unknown[] = objects.length > 0 ? objects : [undefined];
      const reasons = candidates.map((c) => mismatch(value, c, `${field}.`));
      if (reasons.some((r) => r === undefined)) continue;
      return reasons[0];
    }
    const leaves = children.filter((c) => !isPlainObject(c));
    const matchers = value as unknown[];
    if (leaves.length === 0) {
      if (matchers.some((m) => isPlainObject(m) && m.exists === false)) continue;
      return `${field} is absent`;
    }
    if (leaves.some((leaf) => matchers.some((m) => matchLeaf(m, leaf)))) continue;
    const shown = leaves.length === 1 ? JSON.stringify(leaves[0]) : JSON.stringify(leaves);
    return `${field} is ${shown}, which does not match ${JSON.stringify(matchers)}`;
  }
  return undefined;
}

/** The values at `key` under a node; lists (and lists of objects) are flattened. */
function childrenAt(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => childrenAt(n, key));
  if (!isPlainObject(node) || !Object.hasOwn(node, key)) return [];
  const value = node[key];
  return Array.isArray(value) ? value.flat(Number.POSITIVE_INFINITY) : [value];
}

function matchLeaf(m: unknown, leaf: unknown): boolean {
  if (!isPlainObject(m)) return m === leaf;
  const op = Object.keys(m)[0]!;
  const arg = m[op];
  switch (op) {
    case "exists":
      return arg === true;
    case "prefix":
    case "suffix":
      return typeof leaf === "string" && affix(op, arg, leaf);
    case "equals-ignore-case":
      return typeof leaf === "string" && fold(leaf) === fold(arg as string);
    case "wildcard":
      return typeof leaf === "string" && wildcardMatches(arg as string, leaf);
    case "numeric":
      return typeof leaf === "number" && numericHolds(arg as unknown[], leaf);
    case "cidr":
      return typeof leaf === "string" && inCidr(arg as string, leaf);
    case "anything-but":
      return anythingBut(arg, leaf);
    default:
      return false;
  }
}

function fold(s: string): string {
  return s.toLowerCase();
}

function affix(op: "prefix" | "suffix", arg: unknown, leaf: string): boolean {
  const ignoreCase = isPlainObject(arg);
  const want = ignoreCase ? fold(arg["equals-ignore-case"] as string) : (arg as string);
  const have = ignoreCase ? fold(leaf) : leaf;
  return op === "prefix" ? have.startsWith(want) : have.endsWith(want);
}

function anythingBut(arg: unknown, leaf: unknown): boolean {
  if (!isPlainObject(arg)) {
    const excluded = Array.isArray(arg) ? arg : [arg];
    return !excluded.includes(leaf);
  }
  if (typeof leaf !== "string") return false;
  const op = Object.keys(arg)[0]!;
  const inner = arg[op];
  const values = (Array.isArray(inner) ? inner : [inner]) as string[];
  switch (op) {
    case "prefix":
      return !leaf.startsWith(values[0]!);
    case "suffix":
      return !leaf.endsWith(values[0]!);
    case "equals-ignore-case":
      return !values.some((v) => fold(v) === fold(leaf));
    default:
      return !values.some((v) => wildcardMatches(v, leaf));
  }
}

const wildcardCache = new Map<string, Glob>();
function wildcardMatches(pattern: string, value: string): boolean {
  let glob = wildcardCache.get(pattern);
  if (!glob) {
    glob = wildcardGlob(pattern);
    wildcardCache.set(pattern, glob);
  }
  return globMatches(glob, value);
}

function numericHolds(arg: unknown[], n: number): boolean {
  for (let i = 0; i < arg.length; i += 2) {
    const bound = arg[i + 1] as number;
    const ok =
      arg[i] === "="
        ? n === bound
        : arg[i] === ">"
          ? n > bound
          : arg[i] === ">="
            ? n >= bound
            : arg[i] === "<"
              ? n < bound
              : n <= bound;
    if (!ok) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// IP addresses

interface Cidr {
  v6: boolean;
  network: bigint;
  bits: number;
}

function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) return undefined;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const a = head ? head.split(":") : [];
  const b = tail ? tail.split(":") : [];
  const missing = 8 - a.length - b.length;
  if (tail === undefined ? a.length !== 8 : missing < 1) return undefined;
  const groups = [...a, ...Array<string>(Math.max(0, missing)).fill("0"), ...b];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v6: true, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n) };
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const ip = parseIp(m ? m[1]! : text);
  if (!ip) return undefined;
  const width = ip.v6 ? 128 : 32;
  const bits = m ? Number(m[2]) : width;
  if (bits > width) return undefined;
  const mask = ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return { v6: ip.v6, network: ip.value & mask, bits };
}

function inCidr(block: string, address: string): boolean {
  const cidr = parseCidr(block);
  const ip = parseIp(address);
  if (!cidr || !ip || cidr.v6 !== ip.v6) return false;
  const width = ip.v6 ? 128 : 32;
  const mask = ((1n << BigInt(cidr.bits)) - 1n) << BigInt(width - cidr.bits);
  return (ip.value & mask) === cidr.network;
}
