/**
 * Trino functions that take a two-parameter lambda DuckDB cannot call as such: the map functions
 * (map_filter, transform_keys, transform_values), whose `(k, v) -> ...` runs over the map's
 * entries as a one-parameter lambda (k and v read as the entry's key and value), and
 * `array_sort(a, (x, y) -> ...)`, whose comparator fills a matrix that trino_sort_by orders by,
 * and `zip_with(a, b, (x, y) -> ...)`, over the pairs of list_zip.
 */
import { isLosslessNumber } from "lossless-json";
import { callNode, intConst, strConst } from "./trino-ast.ts";

type Node = Record<string, unknown>;

const ENTRY = "__runmd_entry";

function columnRef(name: string): Node {
  return {
    class: "COLUMN_REF",
    type: "COLUMN_REF",
    alias: "",
    query_location: 0,
    column_names: [name],
  };
}

/** The two parameter names of `(k, v) -> body`, or undefined for another shape. */
function pairParams(lambda: Node | undefined): [string, string] | undefined {
  if (lambda?.class !== "LAMBDA") return undefined;
  const lhs = lambda.lhs as Node;
  const params = (
    lhs.class === "FUNCTION" && lhs.function_name === "row" ? lhs.children : []
  ) as Node[];
  const names = params.map((p) =>
    p.class === "COLUMN_REF" && (p.column_names as string[]).length === 1
      ? String((p.column_names as string[])[0])
      : undefined,
  );
  return names.length === 2 && names.every((n) => n !== undefined)
    ? (names as [string, string])
    : undefined;
}

/** The parameter names of a lambda (`x -> ...`, `(x, y) -> ...`), lower-cased. */
function lambdaParams(lambda: Node): string[] {
  const lhs = lambda.lhs as Node;
  const params = (
    lhs.class === "FUNCTION" && lhs.function_name === "row" ? lhs.children : [lhs]
  ) as Node[];
  return params.flatMap((p) =>
    p.class === "COLUMN_REF" ? [String((p.column_names as string[])[0]).toLowerCase()] : [],
  );
}

/**
 * A copy of `body` with each lambda parameter (lower-cased name) read as its field of the entry
 * (a struct field's name, or its position in an unnamed struct); `p.a` reads field a of it. An
 * inner lambda's parameter of the same name hides it in that lambda's body.
 */
function substitute(body: unknown, fields: Map<string, Node>): unknown {
  if (Array.isArray(body)) return body.map((x) => substitute(x, fields));
  if (typeof body !== "object" || body === null || isLosslessNumber(body)) return body;
  const n = body as Node;
  if (n.class === "COLUMN_REF") {
    const [first, ...path] = (n.column_names as string[]).map(String);
    const field = fields.get(String(first).toLowerCase());
    if (field) {
      let read = callNode(
        "struct_extract",
        [columnRef(ENTRY), field],
        path.length ? { alias: "" } : n,
      );
      path.forEach((name, i) => {
        read = callNode(
          "struct_extract",
          [read, strConst(name)],
          i === path.length - 1 ? n : { alias: "" },
        );
      });
      return read;
    }
  }
  if (n.class === "LAMBDA") {
    const inner = new Map(fields);
    for (const p of lambdaParams(n)) inner.delete(p);
    return { ...n, expr: substitute(n.expr, inner) };
  }
  const out: Node = {};
  for (const [key, x] of Object.entries(n)) out[key] = substitute(x, fields);
  return out;
}

/** `(p, q) -> body` as a one-parameter lambda over entries whose fields `fields` hold p and q. */
function entryLambda(lambda: Node, params: [string, string], fields: [Node, Node]): Node {
  const map = new Map(params.map((p, i) => [p.toLowerCase(), fields[i] as Node]));
  return { ...lambda, lhs: columnRef(ENTRY), expr: substitute(lambda.expr, map) };
}

/**
 * `map_filter(m, (k, v) -> ...)` and the two transforms, in DuckDB's list functions. `copy` deep
 * copies a node keeping lossless numbers (rewrite.ts).
 */
export function rewriteMapLambda(f: Node, name: string, copy: <T>(v: T) => T): Node {
  const args = f.children as Node[];
  const params = pairParams(args[1]);
  if (args.length !== 2 || !params) return f;
  const lambda = entryLambda(args[1] as Node, params, [strConst("key"), strConst("value")]);
  const map = args[0] as Node;
  const entries = () => callNode("map_entries", [copy(map)], { alias: "" });
  const none = { alias: "" };
  if (name === "map_filter") {
    return callNode("map_from_entries", [callNode("list_filter", [entries(), lambda], none)], f);
  }
  const results = callNode("list_transform", [entries(), lambda], none);
  const keys = callNode("map_keys", [copy(map)], none);
  const values = callNode("map_values", [copy(map)], none);
  return name === "transform_keys"
    ? callNode("map", [results, values], f)
    : callNode("map", [keys, results], f);
}

/**
 * `array_sort(a, (x, y) -> c)` → `trino_sort_by(a, m)` with m[i][j] = c(a[j], a[i]), built as
 * nested one-parameter lambdas: `list_transform(a, y -> list_transform(a, x -> c))`. The sort is
 * stable, as Java's.
 */
export function rewriteArraySort(f: Node, copy: <T>(v: T) => T): Node {
  const args = f.children as Node[];
  const params = pairParams(args[1]);
  if (args.length !== 2 || !params) return f;
  const [x, y] = params;
  const none = { alias: "" };
  const lambda = (param: string, expr: unknown): Node => ({
    ...(args[1] as Node),
    lhs: columnRef(param),
    expr,
  });
  const inner = callNode(
    "list_transform",
    [copy(args[0]), lambda(x, (args[1] as Node).expr)],
    none,
  );
  const matrix = callNode("list_transform", [copy(args[0]), lambda(y, inner)], none);
  return callNode("trino_sort_by", [args[0] as Node, matrix], f);
}

/**
 * `zip_with(a, b, (x, y) -> c)` → c over `list_zip(a, b)` (the shorter array padded with NULLs,
 * as Trino's), x and y read as each pair's fields; NULL when a or b is.
 */
export function rewriteZipWith(f: Node, copy: <T>(v: T) => T): Node {
  const args = f.children as Node[];
  const params = pairParams(args[2]);
  if (args.length !== 3 || !params) return f;
  const none = { alias: "" };
  const [a, b] = [args[0] as Node, args[1] as Node];
  const lambda = entryLambda(args[2] as Node, params, [intConst(1), intConst(2)]);
  const pairs = callNode("list_zip", [copy(a), copy(b)], none);
  const result = callNode("list_transform", [pairs, lambda], none);
  return callNode("trino_unless_null", [a, b, result], f);
}
