/** DuckDB's serialized statement tree (json_serialize_sql, read with lossless-json): small helpers. */
import { isLosslessNumber } from "lossless-json";

export type Node = Record<string, unknown>;

export function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isLosslessNumber(v);
}

/** Deep copy keeping lossless numbers (structuredClone would turn them into plain objects). */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
  if (isNode(v)) {
    const out: Node = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}

/** The text of a VARCHAR constant node; undefined for anything else (NULL included). */
export function constValue(n: unknown): string | undefined {
  if (!isNode(n) || n.class !== "CONSTANT") return undefined;
  const v = n.value as Node | undefined;
  if (!v || v.is_null) return undefined;
  const type = (v.type as Node | undefined)?.id;
  return type === "VARCHAR" ? String(v.value) : undefined;
}

/**
 * A select item's output column name, lower-cased: its alias, else the last name of the column it
 * references (`arn` of `useridentity.arn`); "" for an expression without an alias.
 */
export function outputName(item: Node): string {
  const names = item.class === "COLUMN_REF" ? (item.column_names as string[]) : [];
  return String(item.alias || names[names.length - 1] || "").toLowerCase();
}

/** NOT `child`, with the alias and place of the node it stands for (`like`). */
export function notNode(child: Node, like: Node): Node {
  const alias = like.alias ?? "";
  const loc = like.query_location ?? 0;
  return { class: "OPERATOR", type: "OPERATOR_NOT", alias, query_location: loc, children: [child] };
}

export function setConst(n: Node, value: string): void {
  (n.value as Node).value = value;
}
