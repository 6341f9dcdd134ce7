/**
 * Durations and byte sizes as authors write them in runbooks: `30s`, `5m`, `24h`, `7d`, `2w`;
 * `500MB`, `10GB`, `1TB` (decimal, GB = 10^9 bytes) and `10GiB` (binary, GiB = 2^30 bytes).
 */

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * Milliseconds of a duration such as `30s`, `5m`, `24h`, `7d` or `2w` (also `500ms`, `1.5h`).
 * One number and one unit, no spaces; `undefined` for anything else, zero included.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.round(ms);
}

/**
 * The longest timeout a step may have: a day. No Athena or Logs Insights query runs longer (the
 * services stop them first), and Node's timers cannot wait past 24.8 days (a longer one fired at
 * once: "did not finish within 43200m" after 24 ms).
 */
export const MAX_TIMEOUT_MS = 86_400_000;

/** Milliseconds of a timeout (`parseDuration`, at most `MAX_TIMEOUT_MS`); `undefined` otherwise. */
export function parseTimeout(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms === undefined || ms > MAX_TIMEOUT_MS ? undefined : ms;
}

/**
 * What is wrong with a timeout `parseTimeout` refuses, to follow its name in a message: zero,
 * longer than `MAX_TIMEOUT_MS`, or no duration at all. Undefined for a timeout it takes.
 */
export function timeoutProblem(text: string): string | undefined {
  if (parseTimeout(text) !== undefined) return undefined;
  const match = DURATION.exec(text.trim());
  if (!match) return "is not a duration";
  return Number(match[1]) === 0 ? "is zero: a step's timeout is above zero" : "is longer than 24h";
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};

const BYTES = /^(\d+(?:\.\d+)?)\s?([kmgtp]i?b|b)$/i;

/**
 * Bytes of a size such as `500MB`, `10GB`, `1TB` (decimal: GB = 10^9, as Athena bills) or
 * `10GiB` (binary: GiB = 2^30). Units are case-insensitive; `undefined` for anything else.
 */
export function parseBytes(text: string): number | undefined {
  const match = BYTES.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]!;
  if (!Number.isFinite(bytes) || bytes <= 0) return undefined;
  return Math.round(bytes);
}

/**
 * A byte count as people read it, in the same decimal units `parseBytes` reads (and Athena
 * bills): `999 B`, `1.20 KB`, `18.3 MB`, `3.00 TB`. So `--max-scan 10GB` prints as `10.0 GB`.
 */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
