/**
 * Trino functions that take a two-parameter lambda DuckDB cannot call as such: the map functions
 * (map_filter, transform_keys, transform_values), whose `(k, v) -> ...` runs over the map's
 * entries as a one-parameter lambda (k and v read as the entry's key and value), and
 * `array_sort(a, (x, y) -> ...)`, whose comparator fills a matrix that trino_sort_by orders by,
 * and `zip_with(a, b, (x, y) -> ...)`, over the pairs of list_zip, and `map_zip_with(m1, m2,
 * (k, v1, v2) -> ...)`, over trino_map_zip_entries.
 */
import { isLosslessNumber } from "lossless-json";
import { callNode, columnRef, intConst, NULL_CONSTANT, strConst } from "./trino-ast.ts";

type Node = Record<string, unknown>;

/**
 * A lambda parameter name of the given kind that the body does not use yet: a rewritten lambda
 * inside this one (rewritten first) has taken `__runmd_entry_0`, and reusing it would make the
 * outer parameter read the inner one's entry (nested transform_values read the inner key).
 */
function fresh(kind: string, body: unknown): string {
  const prefix = `__runmd_${kind}_`;
  let n = 0;
  const scan = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(scan);
    else if (typeof v === "object" && v !== null && !isLosslessNumber(v)) {
      const node = v as Node;
      if (node.class === "COLUMN_REF") {
        const name = String((node.column_names as string[])[0]);
        if (name.startsWith(prefix)) n = Math.max(n, Number(name.slice(prefix.length)) + 1);
      } else Object.values(node).forEach(scan);
    }
  };
  scan(body);
  return `${prefix}${n}`;
}

/** The two parameter names of `(k, v) -> body`, or undefined for another shape. */
function pairParams(lambda: Node | undefined): [string, string] | undefined {
  const names = paramNames(lambda);
  return names?.length === 2 ? (names as [string, string]) : undefined;
}

/** The parameter names of `(a, b, ...) -> body` (two or more), or undefined for another shape. */
function paramNames(lambda: Node | undefined): string[] | undefined {
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
  return names.length >= 2 && names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

/** The parameter names of a lambda (`x -> ...`, `(x, y) -> ...`), lower-cased. */
export function lambdaParams(lambda: Node): string[] {
  const lhs = lambda.lhs as Node;
  const params = (
    lhs.class === "FUNCTION" && lhs.function_name === "row" ? lhs.children : [lhs]
  ) as Node[];
  return params.flatMap((p) =>
    p.class === "COLUMN_REF" ? [String((p.column_names as string[])[0]).toLowerCase()] : [],
  );
}

/**
 * A copy of `body` with each lambda parameter (lower-cased name) read as `reads` says (a field of
 * the entry, say); `p.a` reads field a of it. An inner lambda's parameter of the same name hides
 * it in that lambda's body.
 */
function substitute(body: unknown, reads: Map<string, () => Node>): unknown {
  if (Array.isArray(body)) return body.map((x) => substitute(x, reads));
  if (typeof body !== "object" || body === null || isLosslessNumber(body)) return body;
  const n = body as Node;
  if (n.class === "COLUMN_REF") {
    const [first, ...path] = (n.column_names as string[]).map(String);
    const base = reads.get(String(first).toLowerCase());
    if (base) {
      let read: Node = { ...base(), alias: path.length ? "" : n.alias };
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
    const inner = new Map(reads);
    for (const p of lambdaParams(n)) inner.delete(p);
    return { ...n, expr: substitute(n.expr, inner) };
  }
  const out: Node = {};
  for (const [key, x] of Object.entries(n)) out[key] = substitute(x, reads);
  return out;
}

/** A reader of field `field` (a name, or a position in an unnamed struct) of the column `of`. */
const fieldOf = (of: string, field: Node) => () =>
  callNode("struct_extract", [columnRef(of), field], { alias: "" });

/** `(p, q) -> body` as a one-parameter lambda over entries whose fields `fields` hold p and q. */
function entryLambda(lambda: Node, params: [string, string], fields: [Node, Node]): Node {
  const entry = fresh("entry", lambda.expr);
  const map = new Map(params.map((p, i) => [p.toLowerCase(), fieldOf(entry, fields[i] as Node)]));
  return { ...lambda, lhs: columnRef(entry), expr: substitute(lambda.expr, map) };
}

/**
 * `reduce(a, init, (s, x) -> ..., out)` folded by DuckDB's list_reduce, whose state must be of the
 * elements' type: each element and the state packed as `{'s': state, 'x': element}`, s and x read
 * as the fields. The state's type is Trino's S: a row's, an array's, a map's or text's is the
 * initial value's; a number's is the common type of the initial value and of the step's result
 * (stateType). Returns the folded state (the caller applies `out`), or undefined for a step that
 * is not `(s, x) -> ...`.
 */
export function packedReduce(args: Node[]): Node | undefined {
  const [a, init, step] = args as [Node, Node, Node];
  const params = pairParams(step);
  if (!params) return undefined;
  const none = { alias: "" };
  const pack = (s: Node, x: Node) =>
    callNode(
      "struct_pack",
      [
        { ...s, alias: "s" },
        { ...x, alias: "x" },
      ],
      none,
    );
  const [state, element] = [fresh("state", step.expr), fresh("element", step.expr)];
  const reads = new Map([
    [params[0].toLowerCase(), fieldOf(state, strConst("s"))],
    [params[1].toLowerCase(), fieldOf(element, strConst("x"))],
  ]);
  const body = pack(substitute(step.expr, reads) as Node, NULL_CONSTANT);
  const lhs = callNode("row", [columnRef(state), columnRef(element)], none);
  const fold: Node = { ...step, lhs, expr: body };
  const packElement: Node = {
    ...step,
    lhs: columnRef(element),
    expr: pack(NULL_CONSTANT, columnRef(element)),
  };
  const elements = callNode("list_transform", [a, packElement], none);
  const start = packs(init) ? init : stateType(args, params);
  const folded = callNode("list_reduce", [elements, fold, pack(start, NULL_CONSTANT)], none);
  return callNode("struct_extract", [folded, strConst("s")], none);
}

/**
 * The initial value of a number state, typed as Trino's S: the common type of the initial value
 * and of the step's result on it and an element, `[init, CASE WHEN false THEN step(init, a[1])
 * END][1]` (the branch is only bound, never run). Folded natively, the state took the elements'
 * type: `reduce(ARRAY[1, 2], 0, (s, x) -> s + x / 2E0, s -> s)` was 1 (Trino: 1.5), and a number
 * state over text elements failed to bind. A decimal state the step widens is refused
 * (trino.ts trino_reduce_state).
 */
function stateType(args: Node[], params: [string, string]): Node {
  const [a, init, step] = args as [Node, Node, Node];
  const none = { alias: "" };
  const element = () => callNode("array_extract", [a, intConst(1)], none);
  const reads = new Map([
    [params[0].toLowerCase(), () => ({ ...init, alias: "" })],
    [params[1].toLowerCase(), element],
  ]);
  const FALSE: Node = {
    class: "CONSTANT",
    type: "VALUE_CONSTANT",
    alias: "",
    query_location: 0,
    value: { type: { id: "BOOLEAN", type_info: null }, is_null: false, value: false },
  };
  const never: Node = {
    class: "CASE",
    type: "CASE_EXPR",
    alias: "",
    query_location: 0,
    case_checks: [{ when_expr: FALSE, then_expr: substitute(step.expr, reads) }],
    else_expr: { ...FALSE, value: { type: { id: "NULL", type_info: null }, is_null: true } },
  };
  const common = callNode("list_value", [init, never], none);
  const start = callNode("array_extract", [common, intConst(1)], none);
  return callNode("trino_reduce_state", [{ ...init, alias: "" }, start], none);
}

/** Whether a reduce's initial state is a row, array, map or text (never an element's type by chance). */
function packs(init: Node): boolean {
  if (init.class === "CAST")
    return ["STRUCT", "LIST", "MAP", "VARCHAR"].includes(String((init.cast_type as Node).id));
  if (init.class === "FUNCTION")
    return ["row", "struct_pack", "list_value", "map", "array_value"].includes(
      String(init.function_name),
    );
  if (init.class === "OPERATOR") return init.type === "ARRAY_CONSTRUCTOR";
  if (init.class === "CONSTANT") return ((init.value as Node).type as Node).id === "VARCHAR";
  return false;
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
  // Parameter names of our own: the array (copied into the outer lambda) may name an outer
  // lambda's parameter called as the comparator's are (`y -> array_sort(y, (x, y) -> ...)`).
  const c = (args[1] as Node).expr;
  const [x, y] = [fresh("left", c), fresh("right", c)];
  const reads = new Map([
    [params[0].toLowerCase(), () => columnRef(x)],
    [params[1].toLowerCase(), () => columnRef(y)],
  ]);
  const none = { alias: "" };
  const lambda = (param: string, expr: unknown): Node => ({
    ...(args[1] as Node),
    lhs: columnRef(param),
    expr,
  });
  const inner = callNode("list_transform", [copy(args[0]), lambda(x, substitute(c, reads))], none);
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

/**
 * `map_zip_with(m1, m2, (k, v1, v2) -> c)` → a map of c over trino_map_zip_entries(m1, m2) (the
 * union of the keys in Trino's order, NULL for the side that lacks a key), k, v1 and v2 read as
 * each entry's fields; NULL when m1 or m2 is.
 */
export function rewriteMapZipWith(f: Node, copy: <T>(v: T) => T): Node {
  const args = f.children as Node[];
  const params = paramNames(args[2]);
  if (args.length !== 3 || params?.length !== 3) return f;
  const none = { alias: "" };
  const [a, b, lambda] = [args[0] as Node, args[1] as Node, args[2] as Node];
  const entry = fresh("entry", lambda.expr);
  const reads = new Map(
    params.map((p, i) => [
      p.toLowerCase(),
      fieldOf(entry, strConst(["k", "v1", "v2"][i] as string)),
    ]),
  );
  const body = substitute(lambda.expr, reads) as Node;
  const pair = callNode(
    "struct_pack",
    [
      { ...fieldOf(entry, strConst("k"))(), alias: "key" },
      { ...body, alias: "value" },
    ],
    none,
  );
  const entries = callNode("trino_map_zip_entries", [copy(a), copy(b)], none);
  const result = callNode(
    "map_from_entries",
    [callNode("list_transform", [entries, { ...lambda, lhs: columnRef(entry), expr: pair }], none)],
    none,
  );
  return callNode("trino_unless_null", [a, b, result], f);
}
