/**
 * Numbers compared exactly. A check compares the numbers a result holds with the numbers it
 * writes, and neither goes through a double on the way: an id such as `108374619283746192837`
 * (text, or a BIGINT past 2^53 that an engine hands over as text) is not its neighbour
 * `108374619283746192838`, though both read as the same double.
 */

/** A number's exact value: `m` × 10^`e` (`m` without trailing zeros), or an infinity. */
export type Exact = { m: bigint; e: number } | { inf: 1 | -1 };

const DECIMAL = /^([+-]?)(\d+\.?\d*|\.\d+)(?:e([+-]?\d+))?$/i;

function normalized(m: bigint, e: number): Exact {
  if (m === 0n) return { m, e: 0 };
  let mm = m;
  let ee = e;
  while (mm % 10n === 0n) {
    mm /= 10n;
    ee++;
  }
  return { m: mm, e: ee };
}

/**
 * The exact value of a number's text (`7`, `-0.30`, `1e21`, `Infinity`; surrounding blanks
 * ignored), or undefined when the text is not a number.
 */
export function exactOfText(text: string): Exact | undefined {
  const t = text.trim();
  const inf = /^([+-]?)Infinity$/.exec(t);
  if (inf) return { inf: inf[1] === "-" ? -1 : 1 };
  const match = DECIMAL.exec(t);
  if (!match) return undefined;
  const [int = "", frac = ""] = match[2]!.split(".");
  const e = Number(match[3] ?? 0) - frac.length;
  if (!Number.isSafeInteger(e)) return undefined;
  const digits = BigInt(`${int}${frac}` || "0");
  return normalized(match[1] === "-" ? -digits : digits, e);
}

/**
 * The exact value of a result value that is a number: a JSON number (the double, whose shortest
 * text is its value), a bigint, or the text of a number (Athena and Logs Insights hand numbers
 * over as text, and big integers arrive as text). Undefined for anything else, and for NaN.
 */
export function exactOf(v: unknown): Exact | undefined {
  if (typeof v === "number") return Number.isNaN(v) ? undefined : exactOfText(String(v));
  if (typeof v === "bigint") return normalized(v, 0);
  if (typeof v === "string") return exactOfText(v);
  return undefined;
}

function sign(x: Exact): -1 | 0 | 1 {
  if ("inf" in x) return x.inf;
  return x.m === 0n ? 0 : x.m < 0n ? -1 : 1;
}

/** The power of ten of a finite, non-zero value's leading digit. */
function magnitude(x: { m: bigint; e: number }): number {
  return (x.m < 0n ? -x.m : x.m).toString().length - 1 + x.e;
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareExact(a: Exact, b: Exact): -1 | 0 | 1 {
  const sa = sign(a);
  const sb = sign(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if ("inf" in a || "inf" in b) {
    if ("inf" in a && "inf" in b) return 0;
    return "inf" in a ? sa : (-sb as -1 | 1);
  }
  if (sa === 0) return 0;
  const ma = magnitude(a);
  const mb = magnitude(b);
  // Values of one sign and different magnitudes: no need to scale (`1e999999999` stays cheap).
  if (ma !== mb) return (ma < mb ? -sa : sa) as -1 | 1;
  const e = Math.min(a.e, b.e);
  const x = a.m * 10n ** BigInt(a.e - e);
  const y = b.m * 10n ** BigInt(b.e - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The value as decimal text: `9007199254740993`, `-0.3`, `1.5e-40`. */
export function exactText(x: Exact): string {
  if ("inf" in x) return x.inf < 0 ? "-Infinity" : "Infinity";
  const negative = x.m < 0n;
  const digits = (negative ? -x.m : x.m).toString();
  const sign = negative ? "-" : "";
  if (x.e >= 0 && x.e + digits.length <= 40) return `${sign}${digits}${"0".repeat(x.e)}`;
  if (x.e < 0 && -x.e <= 40) {
    const padded = digits.padStart(-x.e + 1, "0");
    return `${sign}${padded.slice(0, x.e)}.${padded.slice(x.e)}`;
  }
  return `${sign}${digits}e${x.e}`;
}

/**
 * The value as JSON: a number when a double holds it exactly, else its exact text (an infinity
 * too: JSON has no number for it, and JSON.stringify would write null).
 */
export function exactJson(x: Exact): number | string {
  if ("inf" in x) return exactText(x);
  const n = Number(exactText(x));
  const back = exactOf(n);
  return back !== undefined && compareExact(back, x) === 0 ? n : exactText(x);
}

/**
 * A DECIMAL's text as an engine hands it over, as JSON: the number when a double is the decimal
 * exactly (`0.10` → 0.1, `30.8`) and within ±2^53, else the text as given (`12345678901234567890.12`
 * would lose digits as a double). The local and Athena engines both use it, so one value reads
 * the same from either.
 */
export function decimalJson(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) return text;
  const exact = exactOfText(text);
  const double = exactOfText(String(n));
  return exact && double && compareExact(exact, double) === 0 ? n : text;
}

/** The value as a double (rounded), for sums and averages of values that are not integers. */
export function exactDouble(x: Exact): number {
  return Number(exactText(x));
}

/** Exponents further apart than this are not summed exactly (`1e999999999 + 1`). */
const SUM_SPREAD = 400;

/**
 * `a + b` exactly, or undefined when either is an infinity or their exponents are too far apart
 * to align cheaply (the caller sums doubles then).
 */
export function addExact(a: Exact, b: Exact): Exact | undefined {
  if ("inf" in a || "inf" in b || Math.abs(a.e - b.e) > SUM_SPREAD) return undefined;
  const e = Math.min(a.e, b.e);
  return normalized(a.m * 10n ** BigInt(a.e - e) + b.m * 10n ** BigInt(b.e - e), e);
}

/** The value when it is an integer (an integer with a huge exponent is not expanded). */
export function exactInteger(x: Exact): bigint | undefined {
  if ("inf" in x || x.e < 0 || x.e > 400) return undefined;
  return x.m * 10n ** BigInt(x.e);
}
