/**
 * Trino's normal_cdf and inverse_normal_cdf (MathFunctions: `0.5 * (1 + erf((value - mean) /
 * (sd * sqrt(2))))` and `mean + sd * sqrt(2) * erfInv(2 * p - 1)`, in that order of double
 * operations), with the error function and its inverse computed in BigInt fixed point, far past a
 * double's 53 bits, and rounded once to the nearest double. Neither JavaScript nor DuckDB has
 * them. Commons Math (Trino's) is not rounded correctly everywhere, so a last bit may differ from
 * Athena's; the corpus's rows agree to the bit. The argument checks are the macros' (trino.ts).
 */

/** Fraction bits past a value's own magnitude: erf's series cancels about 52 of them at most. */
const GUARD = 320;

/** A finite double as m * 2^e, m an integer. */
function parts(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const sign = hi >>> 31 === 1 ? -1n : 1n;
  const exponent = (hi >>> 20) & 0x7ff;
  const m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (exponent === 0) return { m: sign * m, e: -1074 };
  return { m: sign * (m | (1n << 52n)), e: exponent - 1075 };
}

/** x in fixed point with `p` fraction bits (bits below them dropped). */
function toFixed(x: number, p: number): bigint {
  const { m, e } = parts(x);
  return e + p >= 0 ? m << BigInt(e + p) : m / (1n << BigInt(-(e + p)));
}

/** The double nearest a fixed-point value of `p` fraction bits: one rounding (a sticky bit keeps it so). */
function toDouble(v: bigint, p: number): number {
  let a = v < 0n ? -v : v;
  let exponent = -p;
  const extra = a.toString(2).length - 64;
  if (extra > 0) {
    const sticky = a & ((1n << BigInt(extra)) - 1n) ? 1n : 0n;
    a = (a >> BigInt(extra)) | sticky;
    exponent += extra;
  }
  let r = Number(a);
  while (exponent !== 0) {
    const step = Math.max(-1000, Math.min(1000, exponent));
    r *= 2 ** step;
    exponent -= step;
  }
  return v < 0n ? -r : r;
}

/** Fraction bits for a value of x's magnitude (more for a small one, so that its digits are kept). */
function precision(x: number): number {
  return GUARD + Math.max(0, -Math.floor(Math.log2(Math.abs(x))));
}

/** arctan(1/k) in fixed point (its series), for Machin's formula. */
function arctanInverse(k: bigint, p: number): bigint {
  let power = (1n << BigInt(p)) / k;
  let sum = power;
  for (let n = 1n; power !== 0n; n++) {
    power /= k * k;
    sum += (n % 2n === 1n ? -power : power) / (2n * n + 1n);
  }
  return sum;
}

/** The integer square root (Newton's iteration). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/** sqrt(pi) in fixed point (pi by Machin's formula, with guard bits). */
function sqrtPi(p: number): bigint {
  const pi = 16n * arctanInverse(5n, p + 16) - 4n * arctanInverse(239n, p + 16);
  return isqrt(pi << BigInt(p - 16));
}

/** erf of a fixed-point value: 2/sqrt(pi) * sum of (-1)^n x^(2n+1) / (n! (2n + 1)). */
function erfFixed(x: bigint, p: number, rootPi: bigint): bigint {
  const square = (x * x) >> BigInt(p);
  let term = x;
  let sum = x;
  for (let n = 1n; term !== 0n; n++) {
    term = -((term * square) >> BigInt(p)) / n;
    sum += term / (2n * n + 1n);
  }
  return ((2n * sum) << BigInt(p)) / rootPi;
}

/** exp(-x^2) of a fixed-point value (its series). */
function expMinusSquare(x: bigint, p: number): bigint {
  const square = (x * x) >> BigInt(p);
  let term = 1n << BigInt(p);
  let sum = term;
  for (let n = 1n; term !== 0n; n++) {
    term = -((term * square) >> BigInt(p)) / n;
    sum += term;
  }
  return sum;
}

/** The error function, rounded once to the nearest double (±1 from |x| = 6 on: erfc(6) < half an ulp). */
export function erf(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  if (Math.abs(x) >= 6) return Math.sign(x);
  const p = precision(x);
  return toDouble(erfFixed(toFixed(x, p), p, sqrtPi(p)), p);
}

/**
 * The inverse error function, rounded once to the nearest double: Newton's iteration in fixed point
 * from Winitzki's approximation (within 0.2%), until a step is below the guard bits.
 */
export function erfInv(y: number): number {
  if (Number.isNaN(y) || y === 0 || Math.abs(y) > 1) return Math.abs(y) > 1 ? Number.NaN : y;
  if (Math.abs(y) === 1) return y * Number.POSITIVE_INFINITY;
  const a = 0.147;
  const l = Math.log((1 - y) * (1 + y));
  const t = 2 / (Math.PI * a) + l / 2;
  const start = Math.sign(y) * Math.sqrt(Math.sqrt(t * t - l / a) - t);
  const p = precision(y);
  const rootPi = sqrtPi(p);
  const target = toFixed(y, p);
  let x = toFixed(start, p);
  for (let i = 0; i < 200; i++) {
    const slope = ((2n * expMinusSquare(x, p)) << BigInt(p)) / rootPi;
    const step = ((erfFixed(x, p, rootPi) - target) << BigInt(p)) / slope;
    x -= step;
    if ((step < 0n ? -step : step) < 1n << 64n) break;
  }
  return toDouble(x, p);
}

/** normal_cdf(mean, sd, value) as Trino computes it (sd > 0 checked by the macro). */
export function normalCdf(mean: number, sd: number, value: number): number {
  return 0.5 * (1 + erf((value - mean) / (sd * Math.SQRT2)));
}

/** inverse_normal_cdf(mean, sd, p) as Trino computes it (0 < p < 1, sd > 0 checked by the macro). */
export function inverseNormalCdf(mean: number, sd: number, p: number): number {
  return mean + sd * Math.SQRT2 * erfInv(2 * p - 1);
}
