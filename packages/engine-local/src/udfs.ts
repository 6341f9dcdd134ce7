/**
 * Scalar functions written in JavaScript, for what DuckDB's SQL cannot say: the text a JSON
 * document gives a number, Unicode normalization other than NFC, the text of bytes that are
 * not all valid UTF-8, a decimal quotient past 128 bits, and normal_cdf and inverse_normal_cdf
 * (udf-normal.ts). Trino's json_extract_scalar returns a number as written (`1.50`,
 * `1e3`, `0.1000000000000000055511151231257827`: Jackson's getText); DuckDB's JSON reader keeps a
 * double and prints it again (`1.5`, `1000.0`, `0.1`). The macro (trino.ts json_extract_scalar)
 * calls this only where DuckDB types the value a DOUBLE, so an integer, a string or a boolean
 * never leaves DuckDB. Registered once per database, before any macro that names them.
 */
import {
  BLOB,
  BOOLEAN,
  DOUBLE,
  DuckDBBlobValue,
  type DuckDBConnection,
  DuckDBScalarFunction,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  VARCHAR,
} from "@duckdb/node-api";
import { isLosslessNumber, parse } from "lossless-json";
import { canonicalJson } from "./json-canonical.ts";
import { inverseNormalCdf, normalCdf } from "./udf-normal.ts";

/** The name the macros call. */
export const JSON_NUMBER_TEXT = "trino_json_number_text";

/**
 * The text of the number at `path` (a JSON pointer, `$`, or `$.a.b`) in `json`, as the document
 * writes it; `fallback` when the value there is not a number or the document cannot be read
 * here (a duplicate key: DuckDB's first value stands, as Trino's).
 */
export function jsonNumberText(json: string, path: string, fallback: string | null): string | null {
  const steps = pathSteps(path);
  if (steps === undefined) return fallback;
  let value: unknown;
  try {
    value = parse(json);
  } catch {
    return fallback;
  }
  for (const step of steps) value = member(value, step);
  return isLosslessNumber(value) ? value.value : fallback;
}

/** A pointer's or a dotted path's steps; undefined for any other path. */
function pathSteps(path: string): string[] | undefined {
  if (path === "$" || path === "") return [];
  if (path.startsWith("/"))
    return path
      .slice(1)
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (/^\$(\.[^.[\]"]+)+$/.test(path)) return path.slice(2).split(".");
  return undefined;
}

/** A member of an object, or an element of an array when the step is written as an index. */
function member(value: unknown, step: string): unknown {
  if (Array.isArray(value)) return /^(0|[1-9]\d*)$/.test(step) ? value[Number(step)] : undefined;
  if (typeof value === "object" && value !== null && !isLosslessNumber(value))
    return Object.hasOwn(value, step) ? (value as Record<string, unknown>)[step] : undefined;
  return undefined;
}

/** JSON text as Trino's Jackson writes it, keys sorted or not (json-canonical.ts). */
export const JSON_CANONICAL = "trino_json_canonical";

/** The name of from_utf8 of bytes DuckDB would refuse (trino.ts from_utf8). */
export const FROM_UTF8 = "trino_from_utf8_fixed";

/**
 * The text of UTF-8 bytes with each invalid sequence replaced by `replacement` (a code point;
 * negative: dropped), as Airlift's SliceUtf8.fixInvalidUtf8 does for Trino's from_utf8: a
 * sequence is invalid as far as its lead byte says it runs and its continuation bytes hold, so an
 * overlong, surrogate or out-of-range sequence is one replacement, a stray byte another.
 */
export function fixInvalidUtf8(bytes: Uint8Array, replacement: number): string {
  try {
    return STRICT.decode(bytes);
  } catch {
    return replaced(bytes, replacement);
  }
}

/** Node's decoder, for bytes that are all valid UTF-8 (the same text: a test compares them). */
const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function replaced(bytes: Uint8Array, replacement: number): string {
  const out: number[] = [];
  for (let at = 0; at < bytes.length; ) {
    const cp = codePointAt(bytes, at);
    if (cp >= 0) {
      out.push(cp);
      at += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    } else {
      if (replacement >= 0) out.push(replacement);
      at += -cp;
    }
  }
  let text = "";
  for (let i = 0; i < out.length; i += 4096)
    text += String.fromCodePoint(...out.slice(i, i + 4096));
  return text;
}

/** The sequence length its lead byte announces (1 to 6), or -1 for a byte that cannot lead. */
function leadLength(b: number): number {
  if (b < 0x80) return 1;
  if (b < 0xc0) return -1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  if (b < 0xf8) return 4;
  if (b < 0xfc) return 5;
  if (b < 0xfe) return 6;
  return -1;
}

const MIN_CODE_POINT = [0, 0, 0x80, 0x800, 0x10000];

/** The code point at `at`, or minus the number of bytes of the invalid sequence there. */
function codePointAt(bytes: Uint8Array, at: number): number {
  const lead = bytes[at] as number;
  const length = leadLength(lead);
  if (length < 0) return -1;
  if (length === 1) return lead;
  let cp = lead & (0xff >> (length + 1));
  for (let i = 1; i < Math.min(length, 6); i++) {
    const b = bytes[at + i];
    // Truncated or broken: the bytes read so far are the invalid sequence.
    if (b === undefined || (b & 0xc0) !== 0x80) return -i;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (length > 4) return -length;
  const surrogate = cp >= 0xd800 && cp <= 0xdfff;
  if (cp < (MIN_CODE_POINT[length] as number) || cp > 0x10ffff || surrogate) return -length;
  return cp;
}

/** The name of the decimal quotient past 128 bits (trino.ts trino_decimal_quotient). */
export const DECIMAL_QUOTIENT = "trino_decimal_quotient_wide";
/** An unscaled decimal operand's text: what CAST of a HUGEINT to VARCHAR gives. */
const OPERAND = /^-?\d{1,40}$/;

/**
 * The text, with `s` decimals, of n * 10^k / d rounded half away from zero (n, d unscaled
 * integers as text): Trino's decimal division, whose Int128Math.divideRoundUp rescales the
 * dividend past 128 bits, where DuckDB's HUGEINT would overflow (`DECIMAL '.2000...0' / 0.30`,
 * 38 digits shifted by 2). The macro calls it only for operands that large; k and s are at most
 * the 76 and 38 two decimals' scales give, so that no call builds an unbounded power of ten, and
 * n and d at most 40 digits (a HUGEINT has 39): a step in DuckDB's SQL can call the function
 * itself, and a million digits took 1.4 s a call on JavaScript's thread, which a step's timeout
 * waits for (a 3 s timeout ended after 117 s, found by a red-team review).
 */
export function decimalQuotient(n: string, d: string, k: number, s: number): string {
  if (!(k >= 0 && k <= 76 && s >= 0 && s <= 38)) throw new Error(`${DECIMAL_QUOTIENT}: bad scale`);
  if (!OPERAND.test(n) || !OPERAND.test(d))
    throw new Error(`${DECIMAL_QUOTIENT}: an operand of more than 40 digits, or not an integer`);
  const num = BigInt(n) * 10n ** BigInt(k);
  const den = BigInt(d);
  const abs = (x: bigint) => (x < 0n ? -x : x);
  let q = num / den;
  if (2n * abs(num % den) >= abs(den)) q += num < 0n === den < 0n ? 1n : -1n;
  const digits = abs(q)
    .toString()
    .padStart(s + 1, "0");
  const text = s === 0 ? digits : `${digits.slice(0, -s)}.${digits.slice(-s)}`;
  return q < 0n ? `-${text}` : text;
}

/** The name of Unicode normalization to NFD, NFKC or NFKD (DuckDB has NFC only). */
export const NORMALIZE = "trino_normalize_text";

/** The names of normal_cdf and inverse_normal_cdf's computations (udf-normal.ts). */
export const NORMAL_CDF = "trino_normal_cdf_value";
export const INVERSE_NORMAL_CDF = "trino_inverse_normal_cdf_value";

/** A function of `types` (VARCHAR unless `returnType`) computed row by row by `each`. */
function register(
  conn: DuckDBConnection,
  name: string,
  types: DuckDBType[],
  each: (values: DuckDBValue[]) => string | number | null,
  specialHandling = false,
  returnType: DuckDBType = VARCHAR,
): void {
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name,
      returnType,
      parameterTypes: types,
      specialHandling,
      mainFunction: (_info, input, output) => {
        const vectors = types.map((_, i) => input.getColumnVector(i));
        for (let row = 0; row < input.rowCount; row++)
          output.setItem(row, each(vectors.map((v) => v.getItem(row))));
        output.flush();
      },
    }),
  );
}

/** The refusal function (trino.ts trino_refuse) and the connection variable naming the query. */
export const REFUSE = "runmd_refuse";
export const QUERY_TOKEN = "runmd_query";

/**
 * The queries running (their tokens), each with the first refusal noted for it. Only a token the
 * engine opened is noted: a step calling the function with tokens of its own filled the map
 * (found by review; the sandbox also refuses the function in steps).
 */
const refusals = new Map<string, string | undefined>();

/** Opens a query's token: refusals are noted under it until it is closed. */
export function openRefusals(token: string): void {
  refusals.set(token, undefined);
}

/** Closes a query's token (it notes nothing more). */
export function closeRefusals(token: string): void {
  refusals.delete(token);
}

/**
 * The refusal noted under `token`, if any: DuckDB's TRY turns a refusal's raise into NULL, so the
 * engine asks after every chunk of rows and when the query fails.
 */
export function refusalOf(token: string): string | undefined {
  return refusals.get(token);
}

/** Registers the functions in the connection's database (visible to all its connections). */
export function registerUdfs(conn: DuckDBConnection): void {
  // Notes the refusal under the query's token, then raises it (a try() may swallow the raise).
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: REFUSE,
      returnType: BOOLEAN,
      parameterTypes: [VARCHAR, VARCHAR],
      specialHandling: true,
      volatile: true,
      mainFunction: (_info, input) => {
        const message = String(input.getColumnVector(0).getItem(0));
        const token = input.getColumnVector(1).getItem(0);
        if (typeof token === "string" && refusals.has(token) && refusals.get(token) === undefined)
          refusals.set(token, message);
        throw new Error(message);
      },
    }),
  );
  register(conn, FROM_UTF8, [BLOB, INTEGER], ([b, r]) =>
    b instanceof DuckDBBlobValue ? fixInvalidUtf8(b.bytes, Number(r)) : null,
  );
  // A NULL operand (avg over no rows divides NULL by NULL) reaches the function: NULL.
  register(conn, DECIMAL_QUOTIENT, [VARCHAR, VARCHAR, INTEGER, INTEGER], ([n, d, k, s]) =>
    typeof n === "string" && typeof d === "string"
      ? decimalQuotient(n, d, Number(k), Number(s))
      : null,
  );
  // A NULL argument reaches the functions: NULL, as in Trino.
  const doubles = (f: (a: number, b: number, c: number) => number) => (values: DuckDBValue[]) =>
    values.every((v) => typeof v === "number") ? f(...(values as [number, number, number])) : null;
  register(conn, NORMAL_CDF, [DOUBLE, DOUBLE, DOUBLE], doubles(normalCdf), false, DOUBLE);
  register(
    conn,
    INVERSE_NORMAL_CDF,
    [DOUBLE, DOUBLE, DOUBLE],
    doubles(inverseNormalCdf),
    false,
    DOUBLE,
  );
  register(conn, NORMALIZE, [VARCHAR, VARCHAR], ([text, form]) =>
    String(text).normalize(String(form)),
  );
  register(conn, JSON_CANONICAL, [VARCHAR, BOOLEAN], ([j, sort]) =>
    typeof j === "string" ? canonicalJson(j, sort === true) : null,
  );
  // The third argument (DuckDB's own text) may be NULL where the first two are not.
  register(
    conn,
    JSON_NUMBER_TEXT,
    [VARCHAR, VARCHAR, VARCHAR],
    ([j, p, f]) => {
      const text = typeof f === "string" ? f : null;
      return typeof j === "string" && typeof p === "string" ? jsonNumberText(j, p, text) : text;
    },
    true,
  );
}
