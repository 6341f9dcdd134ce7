/**
 * Athena execution parameters are SQL literal text (`'alice'`, `42`, `true`,
 * `TIMESTAMP '2024-03-01 00:00:00'`). The emulator's DuckDB backend accepts exactly one literal per
 * parameter and binds its value, so a parameter can never add query text.
 */

export type ParsedLiteral =
  | { kind: "varchar"; value: string }
  | { kind: "bigint"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" }
  | { kind: "timestamp"; value: string }
  | { kind: "date"; value: string };

export class LiteralError extends Error {}

function quoted(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith("'") || !text.endsWith("'")) return undefined;
  const body = text.slice(1, -1);
  // Every quote inside must be doubled: a lone quote would end the literal early.
  if (/'/.test(body.replace(/''/g, ""))) return undefined;
  return body.replace(/''/g, "'");
}

export function parseLiteral(raw: string): ParsedLiteral {
  const text = raw.trim();
  const str = quoted(text);
  if (str !== undefined) return { kind: "varchar", value: str };
  if (/^[+-]?\d+$/.test(text)) {
    const value = BigInt(text);
    if (value > 9223372036854775807n || value < -9223372036854775808n) {
      throw new LiteralError(`integer literal out of range: ${text}`);
    }
    return { kind: "bigint", value };
  }
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(text)) {
    return { kind: "double", value: Number(text) };
  }
  if (/^true$/i.test(text)) return { kind: "boolean", value: true };
  if (/^false$/i.test(text)) return { kind: "boolean", value: false };
  if (/^null$/i.test(text)) return { kind: "null" };
  const typed = /^(timestamp|date)\s+('.*')$/is.exec(text);
  if (typed) {
    const body = quoted(typed[2] ?? "");
    if (body !== undefined) {
      return typed[1]?.toLowerCase() === "date"
        ? { kind: "date", value: body }
        : { kind: "timestamp", value: body };
    }
  }
  throw new LiteralError(`execution parameter is not a literal: ${raw}`);
}
