/**
 * `=` and `<>` between two row constructors (`(eventsource, errorcode) <> ('s3.amazonaws.com',
 * 'AccessDenied')`, `ROW(a, b) = ROW(c, d)`) as Trino compares rows: field by field in
 * three-valued logic, so a NULL field that decides nothing else makes the comparison NULL
 * (trinodb/trino#24739, #24760: `ROW(null, '2') = ROW(null, '2')` is NULL). DuckDB compares the
 * structs with NULL as an ordinary value: a record whose errorcode is NULL was "<>" the pair and
 * kept by a WHERE that Athena's filter drops. The comparison becomes the AND (for `=`) or the OR
 * (for `<>`) of its fields' comparisons, which is that logic; rows of other sizes are left to
 * fail as they do.
 */
import { isNode, type Node } from "./tree.ts";

/** Rewrites every such comparison in the tree, in place (nested row constructors too). */
export function rowComparisons(root: unknown): unknown {
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) root[i] = rowComparisons(root[i]);
    return root;
  }
  if (!isNode(root)) return root;
  for (const [k, v] of Object.entries(root)) root[k] = rowComparisons(v);
  return fieldwise(root);
}

function fieldwise(n: Node): Node {
  const equal = n.type === "COMPARE_EQUAL";
  if (n.class !== "COMPARISON" || (!equal && n.type !== "COMPARE_NOTEQUAL")) return n;
  const left = rowFields(n.left);
  const right = rowFields(n.right);
  if (!left || !right || left.length !== right.length || left.length === 0) return n;
  const fields = left.map((l, i) =>
    fieldwise({
      class: "COMPARISON",
      type: n.type,
      alias: "",
      query_location: 0,
      left: l,
      right: right[i],
    }),
  );
  if (fields.length === 1) return { ...(fields[0] as Node), alias: n.alias };
  return {
    class: "CONJUNCTION",
    type: equal ? "CONJUNCTION_AND" : "CONJUNCTION_OR",
    alias: n.alias,
    query_location: n.query_location ?? 0,
    children: fields,
  };
}

/** The fields of a row constructor (`ROW(...)` or `(a, b)`); undefined for anything else. */
function rowFields(n: unknown): Node[] | undefined {
  if (!isNode(n) || n.class !== "FUNCTION" || String(n.function_name).toLowerCase() !== "row")
    return undefined;
  return n.children as Node[];
}
