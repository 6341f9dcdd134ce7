/**
 * Trino's bitwise functions (names as Trino spells them; trino.ts creates them with its prefix).
 * Shifts keep the argument's type and width: TINYINT is 8 bits, SMALLINT 16, INTEGER 32, BIGINT 64;
 * the work is done on HUGEINTs and wrapped back into the width (two's complement).
 */

const WIDTHS: [string, number][] = [
  ["TINYINT", 8],
  ["SMALLINT", 16],
  ["INTEGER", 32],
  ["BIGINT", 64],
];

const pow2 = (n: number | string) => `(CAST(1 AS HUGEINT) << CAST(${n} AS INTEGER))`;

/** v (a HUGEINT between 0 and 2^w) as the signed w-bit value of type t. */
const wrap = (v: string, w: number, t: string) =>
  `CAST(CASE WHEN (${v}) >= ${pow2(w - 1)} THEN (${v}) - ${pow2(w)} ELSE (${v}) END AS ${t})`;

/** The low w bits of x as a HUGEINT between 0 and 2^w. */
const low = (x: string, w: number) => `(CAST(${x} AS HUGEINT) & (${pow2(w)} - 1))`;

const overloads = (body: (t: string, w: number) => string) =>
  WIDTHS.map(([t, w]) => `(x ${t}, n BIGINT) AS ${body(t, w)}`).join(", ");

export const BITWISE_MACROS: string[] = [
  `CREATE MACRO bitwise_and(a, b) AS a & b`,
  `CREATE MACRO bitwise_or(a, b) AS a | b`,
  `CREATE MACRO bitwise_xor(a, b) AS xor(a, b)`,
  `CREATE MACRO bitwise_not(a) AS ~a`,
  `CREATE MACRO bitwise_left_shift${overloads((t, w) => `CASE WHEN n >= ${w} THEN CAST(0 AS ${t}) ELSE ${wrap(`(${low("x", w)} << CAST(n AS INTEGER)) & (${pow2(w)} - 1)`, w, t)} END`)}`,
  `CREATE MACRO bitwise_right_shift${overloads((t, w) => `CASE WHEN n >= ${w} THEN CAST(0 AS ${t}) ELSE ${wrap(`(${low("x", w)} >> CAST(n AS INTEGER))`, w, t)} END`)}`,
  // Arithmetic: the sign fills in from the left (a negative value shifted out is -1).
  `CREATE MACRO bitwise_right_shift_arithmetic${overloads((t, w) => `CAST(CASE WHEN n >= ${w} THEN CASE WHEN x < 0 THEN -1 ELSE 0 END WHEN x >= 0 THEN CAST(x AS HUGEINT) // ${pow2("n")} ELSE -((-CAST(x AS HUGEINT) - 1) // ${pow2("n")}) - 1 END AS ${t})`)}`,
  // bit_count(x, bits): the 1 bits of x as a bits-wide two's complement number.
  `CREATE MACRO bit_count(x, bits) AS CASE WHEN bits < 2 OR bits > 64 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Bits specified in bit_count must be between 2 and 64, got ' || bits, bits) WHEN x < -${pow2("bits - 1")} OR x >= ${pow2("bits - 1")} THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Number must be representable with the bits specified. ' || x || ' cannot be represented with ' || bits || ' bits', x) ELSE CAST(system.main.bit_count(CAST(x AS HUGEINT) & (${pow2("bits")} - 1)) AS BIGINT) END`,
];
