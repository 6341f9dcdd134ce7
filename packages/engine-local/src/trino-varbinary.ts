/**
 * Trino's varbinary encodings that DuckDB lacks (VarbinaryFunctions.java): integers as 2's
 * complement big-endian bytes, doubles and reals as their IEEE 754 bits, URL-safe base64 and
 * CRC-32. DuckDB has no way to read a double's bits, so the bits are computed: the exponent from
 * log2 (corrected by one where rounding put it off), the mantissa by exact scaling by a power of
 * two. NaN is Java's canonical NaN (doubleToLongBits), as Trino writes it.
 */

/** A byte-length check with Trino's message. */
const LENGTH = (b: string, n: number, message: string) =>
  `WHEN octet_length(${b}) <> ${n} THEN trino_raise('INVALID_FUNCTION_ARGUMENT: ${message}', ${b})`;

/** The unsigned value of `b`'s bytes (big-endian) as `type`. */
const UNSIGNED = (b: string, type: string) =>
  `CAST(CASE WHEN octet_length(${b}) = 0 THEN '0' ELSE '0x' || hex(${b}) END AS ${type})`;

/** `u` (UBIGINT holding `bits` bits) as a signed integer of that width. */
const SIGNED = (u: string, bits: number) =>
  `CASE WHEN ${u} >= CAST(${2n ** BigInt(bits - 1)} AS HUGEINT) THEN CAST(${u} AS HUGEINT) - ${2n ** BigInt(bits)} ELSE CAST(${u} AS HUGEINT) END`;

/** IEEE 754 layouts: exponent bits, mantissa bits, bias. */
const FORMATS = {
  64: { exp: 11, man: 52, bias: 1023, type: "DOUBLE", bytes: 8 },
  32: { exp: 8, man: 23, bias: 127, type: "FLOAT", bytes: 4 },
};

/** The value of IEEE 754 bits `u` (an unsigned integer) in `f`'s layout. */
function fromBits(u: string, f: (typeof FORMATS)[64]): string {
  const e = `((${u} >> ${f.man}) & ${2 ** f.exp - 1})`;
  const m = `CAST(${u} & ${(1n << BigInt(f.man)) - 1n} AS DOUBLE)`;
  const sign = `CASE WHEN (${u} >> ${f.exp + f.man}) = 1 THEN -1.0 ELSE 1.0 END`;
  const max = 2 ** f.exp - 1;
  const magnitude = `CASE WHEN ${e} = ${max} AND ${m} = 0 THEN CAST('Infinity' AS DOUBLE) WHEN ${e} = ${max} THEN CAST('NaN' AS DOUBLE) WHEN ${e} = 0 THEN ${m} * pow(2.0, ${1 - f.bias - f.man}) ELSE (1.0 + ${m} / pow(2.0, ${f.man})) * pow(2.0, CAST(${e} AS INTEGER) - ${f.bias}) END`;
  return `CAST(${sign} * ${magnitude} AS ${f.type})`;
}

/** The IEEE 754 bits of `x` in `f`'s layout, as hex of `f.bytes` bytes. */
function toBits(x: string, f: (typeof FORMATS)[64]): string {
  const a = `abs(CAST(${x} AS DOUBLE))`;
  const guess = `CAST(floor(log2(${a})) AS INTEGER)`;
  // floor(log2) can be one off either way near a power of two: corrected against 2^e.
  const e = `(${guess} - CASE WHEN pow(2.0, ${guess}) > ${a} THEN 1 ELSE 0 END + CASE WHEN pow(2.0, ${guess} + 1) <= ${a} THEN 1 ELSE 0 END)`;
  const normal = `(CAST(${e} + ${f.bias} AS UBIGINT) << ${f.man}) | CAST((${a} / pow(2.0, ${e}) - 1.0) * pow(2.0, ${f.man}) AS UBIGINT)`;
  // Scaled in two steps: 2^1074 itself is past the largest double.
  const half = (f.bias - 1 + f.man) / 2;
  const subnormal = `CAST(${a} * pow(2.0, ${Math.floor(half)}) * pow(2.0, ${Math.ceil(half)}) AS UBIGINT)`;
  const expMask = `(CAST(${2 ** f.exp - 1} AS UBIGINT) << ${f.man})`;
  const magnitude = `CASE WHEN isnan(${x}) THEN ${expMask} | (CAST(1 AS UBIGINT) << ${f.man - 1}) WHEN isinf(${x}) THEN ${expMask} WHEN ${a} = 0 THEN CAST(0 AS UBIGINT) WHEN ${a} < pow(2.0, ${1 - f.bias}) THEN ${subnormal} ELSE ${normal} END`;
  const sign = `CASE WHEN NOT isnan(${x}) AND signbit(CAST(${x} AS DOUBLE)) THEN CAST(1 AS UBIGINT) << ${f.exp + f.man} ELSE CAST(0 AS UBIGINT) END`;
  return `unhex(lpad(hex(${sign} | ${magnitude}), ${f.bytes * 2}, '0'))`;
}

/** CRC-32 (the IEEE polynomial, reflected) of the bytes of `b`, bit by bit. */
const CRC32 =
  "xor(list_reduce(list_transform(regexp_extract_all(hex(b), '..'), lambda h: CAST('0x' || h AS UBIGINT)), lambda crc, byte: list_reduce(range(8), lambda c, k: xor(c >> 1, CASE WHEN c & 1 = 1 THEN CAST(3988292384 AS UBIGINT) ELSE CAST(0 AS UBIGINT) END), xor(crc, byte)), CAST(4294967295 AS UBIGINT)), CAST(4294967295 AS UBIGINT))";

export const VARBINARY_MACROS: string[] = [
  `CREATE MACRO to_big_endian_64(x) AS unhex(lpad(hex(CAST(x AS BIGINT)), 16, '0'))`,
  `CREATE MACRO to_big_endian_32(x) AS unhex(right(lpad(hex(CAST(x AS INTEGER)), 16, '0'), 8))`,
  `CREATE MACRO from_big_endian_64(b) AS CASE ${LENGTH("b", 8, "expected 8-byte input, but got instead: ' || octet_length(b) || '")} ELSE CAST(${SIGNED(UNSIGNED("b", "UBIGINT"), 64)} AS BIGINT) END`,
  `CREATE MACRO from_big_endian_32(b) AS CASE ${LENGTH("b", 4, "expected 4-byte input, but got instead: ' || octet_length(b) || '")} ELSE CAST(${SIGNED(UNSIGNED("b", "UBIGINT"), 32)} AS INTEGER) END`,
  `CREATE MACRO from_ieee754_64(b) AS CASE ${LENGTH("b", 8, "Input floating-point value must be exactly 8 bytes long")} ELSE ${fromBits(UNSIGNED("b", "UBIGINT"), FORMATS[64])} END`,
  `CREATE MACRO from_ieee754_32(b) AS CASE ${LENGTH("b", 4, "Input floating-point value must be exactly 4 bytes long")} ELSE ${fromBits(UNSIGNED("b", "UBIGINT"), FORMATS[32])} END`,
  `CREATE MACRO to_ieee754_64(x) AS ${toBits("CAST(x AS DOUBLE)", FORMATS[64])}`,
  `CREATE MACRO to_ieee754_32(x) AS ${toBits("CAST(x AS FLOAT)", FORMATS[32])}`,
  `CREATE MACRO to_base64url(b) AS replace(replace(to_base64(b), '+', '-'), '/', '_')`,
  `CREATE MACRO crc32(b) AS CAST(${CRC32} AS BIGINT)`,
];
