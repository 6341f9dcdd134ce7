/**
 * Events found in two files a step reads (an export beside its raw file, a hand-made export of
 * events also delivered): each is counted once per file, as Athena counts them, and the step is
 * told. An event is known by its `eventID` and the instant of its `eventTime`, kept per part of
 * the lenient reader as a 53-bit hash and the instant (16 bytes an event), in the file's order.
 */
import type { TimeWindow } from "@run-md/core";
/** Murmur3's final mix: FNV's low bits spread poorly over short keys. */
function mix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An event's key as a number below 2^53 (exact as a double), or null without an `eventID`. The
 * time is the instant it names, in milliseconds (`10:00:00Z` and `10:00:00.000Z` are one time),
 * else its text.
 */
export function eventKey(id: unknown, time: number | string): number | null {
  if (typeof id !== "string" || id === "") return null;
  const s = `${id}\u0000${time}`;
  // Two FNV-1a hashes of other seeds and primes, in one pass over the text.
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (mix(b) & 0x1fffff) * 2 ** 32 + mix(a);
}

/**
 * What the warning says is done with the events: a query counts each once per file (as Athena
 * does); a collect stores once those alike in every field (`dedupedDaySql`), so a step over the
 * store may count fewer than over the files, and more than once those that differ.
 */
export type SharedEnding = "query" | "collect";

const ENDINGS: Record<SharedEnding, string> = {
  query: "each is counted once per file, as Athena counts them; keep one copy",
  collect:
    "the store keeps one copy of each alike in every field and one per file of the others, where a step over the files (and Athena) counts each once per file; keep one copy",
};

/** The keys of a part's events (`eventKey`) and their instants (NaN: no time DuckDB reads). */
export interface PartKeys {
  keys: Float64Array;
  times: Float64Array;
}

/** One file the step reads, by its name for messages, and the keys of its parts read. */
export interface KeyedFile {
  rel: string;
  parts: PartKeys[];
}

/** The keys of the parts' events in the window (all of them without one). */
function inWindow(parts: PartKeys[], window: TimeWindow | null): Float64Array[] {
  if (window === null) return parts.map((p) => p.keys);
  const [start, end] = [window.start.getTime(), window.end.getTime()];
  return parts.map((p) => {
    const out = new Float64Array(p.keys.length);
    let n = 0;
    for (let i = 0; i < p.keys.length; i++) {
      const t = p.times[i] as number;
      if (t >= start && t < end) out[n++] = p.keys[i] as number;
    }
    return out.subarray(0, n);
  });
}

/**
 * The warnings for events of the window in a file also in an earlier file of the list (the first
 * one holding each), one per pair, in file order. Costs one sort of every key when no event is
 * shared.
 */
export function sharedEventWarnings(
  keyed: readonly KeyedFile[],
  window: TimeWindow | null,
  ending: SharedEnding = "query",
): string[] {
  if (keyed.length < 2) return [];
  const files = keyed.map((f) => ({ rel: f.rel, parts: inWindow(f.parts, window) }));
  let total = 0;
  for (const f of files) for (const p of f.parts) total += p.length;
  const all = new Float64Array(total);
  let at = 0;
  for (const f of files)
    for (const p of f.parts) {
      all.set(p, at);
      at += p.length;
    }
  all.sort();
  // The keys seen twice or more, sorted, each once; then, by binary search, the first file that
  // holds each, and the last that counted it (a key twice in one file is counted once).
  let d = 0;
  for (let i = 1; i < all.length; i++)
    if (all[i] === all[i - 1] && (d === 0 || all[d - 1] !== all[i])) all[d++] = all[i] as number;
  if (d === 0) return [];
  const dups = all.subarray(0, d);
  const first = new Int32Array(d).fill(-1);
  const last = new Int32Array(d).fill(-1);
  /** Per file, the count of its keys first held by each earlier file. */
  const pairs = files.map(() => new Map<number, number>());
  files.forEach((f, i) => {
    const counts = pairs[i] as Map<number, number>;
    for (const p of f.parts)
      for (const k of p) {
        const at = indexOf(dups, k);
        if (at < 0 || last[at] === i) continue;
        last[at] = i;
        const j = first[at] as number;
        if (j < 0) first[at] = i;
        else counts.set(j, (counts.get(j) ?? 0) + 1);
      }
  });
  const warnings: string[] = [];
  files.forEach((f, i) => {
    for (const [j, n] of [...(pairs[i] ?? [])].sort((x, y) => x[0] - y[0])) {
      warnings.push(
        `${n} event${n === 1 ? "" : "s"} of ${f.rel} ${n === 1 ? "is" : "are"} also in ${files[j]?.rel} (the same eventID and eventTime): ${ENDINGS[ending]}`,
      );
    }
  });
  return warnings;
}

/** The index of `k` in the sorted `a`, or -1. */
function indexOf(a: Float64Array, k: number): number {
  let [lo, hi] = [0, a.length - 1];
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v === k) return mid;
    if (v < k) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
