/**
 * Comparisons of rows and arrays as Trino makes them, where DuckDB compares a NULL inside a
 * struct or list as an ordinary value.
 *
 * `=` and `<>` between two row constructors (`(eventsource, errorcode) <> ('s3.amazonaws.com',
 * 'AccessDenied')`, `ROW(a, b) = ROW(c, d)`): field by field in three-valued logic, so a NULL
 * field that decides nothing else makes the comparison NULL (trinodb/trino#24739, #24760:
 * `ROW(null, '2') = ROW(null, '2')` is NULL). DuckDB compared the structs with NULL as a value: a
 * record whose errorcode is NULL was "<>" the pair and kept by a WHERE that Athena's filter drops.
 * The comparison becomes the AND (for `=`) or the OR (for `<>`) of its fields' comparisons, which
 * is that logic; rows of other sizes are left to fail as they do.
 *
 * `<`, `<=`, `>`, `>=` between row constructors: lexicographic as DuckDB's, but a field pair
 * reached holding a NULL is refused (Trino's RowType comparison fails with "ROW comparison not
 * supported for fields with null elements"; trinodb/trino#30013 makes it NULL in later versions;
 * DuckDB ordered NULL last and answered).
 *
 * `[NOT] IN (...)` where the value or an item is a row constructor or shows an array, as Trino's
 * InCodeGenerator evaluates a value list: an item that is a constant holding no NULL is matched
 * exactly (a value holding a NULL matches none); any other item is compared with three-valued `=`;
 * when no item matches, the answer is NULL if one of those comparisons was, and, with no such item
 * at all, NULL for a value holding a NULL (its INDETERMINATE check; trinodb/trino#11193 reports it
 * as a bug, open). So `(eventsource, errorcode) NOT IN (...)` drops a record without an errorcode,
 * as Athena does; DuckDB's NOT IN kept it.
 *
 * `x BETWEEN a AND b` of rows or arrays is `x >= a AND x <= b` (Trino's), ordered as above.
 *
 * The CloudTrail table's struct columns compared whole (`useridentity = ...`, `tlsdetails IN
 * (...)`, the orderings, BETWEEN, nullif) are refused before anything runs: their fields are
 * often NULL, which Trino compares as unknown and DuckDB as a value. A CTE's or subquery's column
 * that only shares the name (`useridentity.type AS useridentity`) is compared as any other. `IS [NOT] DISTINCT FROM`,
 * DISTINCT and GROUP BY treat NULL fields as equal on both and stay.
 *
 * `nullif(a, b)` of rows or arrays: NULL only when three-valued `=` is true (Trino's
 * NullIfCodeGenerator returns the first value when the comparison is NULL; DuckDB's nullif
 * answered NULL for `nullif(ARRAY[1, NULL], ARRAY[1, NULL])`). Arrays' `=` and ordering are
 * rewritten later (trino-ast.ts rewriteArrayEquality, rewriteArrayOrdering).
 */
import { RunMdError } from "@run-md/core";
import { type Field, RECORD_FIELDS } from "./schema.ts";
import { clone, isNode, type Node, notNode } from "./tree.ts";
import { callNode, isMapValue, shownArray } from "./trino-ast.ts";
import { COMPUTED_COLUMNS } from "./trino-scope.ts";

/** Rewrites every such comparison in the tree, in place (nested row constructors too). */
export function rowComparisons(root: unknown): unknown {
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) root[i] = rowComparisons(root[i]);
    return root;
  }
  if (!isNode(root)) return root;
  for (const [k, v] of Object.entries(root)) root[k] = rowComparisons(v);
  refuseWholeStruct(root);
  return nullIf(inList(ordering(fieldwise(between(root)))));
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

/** A comparison node of DuckDB's tree. */
function comparison(type: string, left: unknown, right: unknown): Node {
  return { class: "COMPARISON", type, alias: "", query_location: 0, left, right };
}

/** A boolean constant, or NULL when `value` is null. */
function boolConst(value: boolean | null): Node {
  const type = { id: value === null ? "NULL" : "BOOLEAN", type_info: null };
  const v = value === null ? { type, is_null: true } : { type, is_null: false, value };
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: v };
}

function caseNode(checks: [Node, Node][], otherwise: Node, like: Node): Node {
  return {
    class: "CASE",
    type: "CASE_EXPR",
    alias: like.alias ?? "",
    query_location: like.query_location ?? 0,
    case_checks: checks.map(([when_expr, then_expr]) => ({ when_expr, then_expr })),
    else_expr: otherwise,
  };
}

function orNode(children: Node[]): Node {
  if (children.length === 1) return children[0] as Node;
  return { class: "CONJUNCTION", type: "CONJUNCTION_OR", alias: "", query_location: 0, children };
}

/** Whether the tree shows a row, an array or a map (a constructor, a function or column giving one, a cast). */
function composite(n: unknown): boolean {
  if (!isNode(n)) return false;
  if (rowFields(n)) return true;
  if (n.class === "CAST" && (n.cast_type as Node).id === "STRUCT") return true;
  return shownArray(n) || isMapValue(n);
}

const ORDERING = [
  "COMPARE_LESSTHAN",
  "COMPARE_GREATERTHAN",
  "COMPARE_LESSTHANOREQUALTO",
  "COMPARE_GREATERTHANOREQUALTO",
];

const ROW_NULL_REFUSED =
  "<, <=, >, >= of rows reaching a NULL field is not supported locally (Trino fails: ROW comparison not supported for fields with null elements); compare the fields, with their NULLs handled (coalesce)";

/** `(a, b) < (c, d)` and the other orderings: each field decides in turn; a NULL reached is refused. */
function ordering(n: Node): Node {
  if (n.class !== "COMPARISON" || !ORDERING.includes(String(n.type))) return n;
  const left = rowFields(n.left);
  const right = rowFields(n.right);
  if (!left || !right || left.length !== right.length || left.length === 0) return n;
  const checks: [Node, Node][] = [];
  left.forEach((l, i) => {
    const r = right[i] as Node;
    const reached = orNode([indeterminate(l), indeterminate(r)]);
    // The pair as the refusal's anchor: a constant refusal would be folded, and raised, at binding.
    const anchor = callNode("row", [clone(l), clone(r)], { alias: "" });
    checks.push([reached, callNode("trino_refuse", [strConst(ROW_NULL_REFUSED), anchor], {})]);
    if (i < left.length - 1)
      checks.push([
        comparison("COMPARE_NOTEQUAL", clone(l), clone(r)),
        comparison(String(n.type), clone(l), clone(r)),
      ]);
  });
  const last = left.length - 1;
  return caseNode(checks, comparison(String(n.type), left[last], right[last]), n);
}

/** trino_indeterminate(n): whether n is NULL or holds a NULL anywhere (trino-helpers.ts). */
function indeterminate(n: Node): Node {
  return callNode("trino_indeterminate", [clone(n)], { alias: "" });
}

function strConst(value: string): Node {
  const v = { type: { id: "VARCHAR", type_info: null }, is_null: false, value };
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: v };
}

/** Whether Trino's planner holds the item as a constant without a NULL inside (InCodeGenerator). */
function determinateConstant(n: unknown): boolean {
  if (!isNode(n)) return true;
  if (n.class === "CONSTANT") return (n.value as Node | undefined)?.is_null !== true;
  if (n.class === "COLUMN_REF" || n.class === "SUBQUERY" || n.class === "LAMBDA") return false;
  if (n.class === "FUNCTION" && RANDOM.has(String(n.function_name).toLowerCase())) return false;
  return Object.entries(n).every(([k, v]) =>
    k === "cast_type"
      ? true
      : Array.isArray(v)
        ? v.every(determinateConstant)
        : determinateConstant(v),
  );
}

const RANDOM = new Set(["rand", "random", "uuid", "shuffle", "now", "current_timestamp"]);

/** `v [NOT] IN (items)` of rows or arrays, as Trino's InCodeGenerator (above). */
function inList(n: Node): Node {
  if (n.class !== "OPERATOR" || (n.type !== "COMPARE_IN" && n.type !== "COMPARE_NOT_IN")) return n;
  const [value, ...items] = n.children as Node[];
  if (!value || ![value, ...items].some(composite)) return n;
  // A map is never matched exactly: DuckDB's IN compares its entries in their order, Trino by key.
  const maps = [value, ...items].some((i) => isNode(i) && isMapValue(i));
  const constants = maps ? [] : items.filter(determinateConstant);
  const equal = (i: Node) => fieldwise(comparison("COMPARE_EQUAL", clone(value), clone(i)));
  const tests = items.filter((i) => !constants.includes(i)).map(equal);
  const listed = { ...n, type: "COMPARE_IN", alias: "", children: [clone(value), ...constants] };
  // No item compared with `=`: NULL for a value holding a NULL, whatever the constants.
  const known = notNode(indeterminate(value), { alias: "" });
  const nullUnlessListed = caseNode(
    [
      [listed, boolConst(true)],
      [known, boolConst(false)],
    ],
    boolConst(null),
    {},
  );
  let test =
    tests.length === 0
      ? nullUnlessListed
      : orNode(constants.length > 0 ? [listed, ...tests] : tests);
  // A constant value may be folded by Trino's planner, which compares every item three-valued:
  // where the two answers differ (a constant holding a NULL, every item differing), refused.
  if (!hasColumn(value)) test = unlessFolded(test, orNode(items.map(equal)), value);
  if (n.type === "COMPARE_NOT_IN") return notNode(test, n);
  return { ...test, alias: n.alias ?? "" };
}

const IN_FOLDED_REFUSED =
  "[NOT] IN of a constant row or array holding a NULL, which every item differs from, is not supported locally (Trino answers NULL or false by how it plans it); compare the fields";

function unlessFolded(test: Node, folded: Node, value: Node): Node {
  const differ = comparison("COMPARE_DISTINCT_FROM", test, folded);
  const anchor = callNode("row", [clone(value)], { alias: "" });
  const refuse = callNode("trino_refuse", [strConst(IN_FOLDED_REFUSED), anchor], {});
  return caseNode([[differ, refuse]], clone(test), {});
}

/** Whether an expression reads a column or a subquery (else Trino's planner may fold it). */
function hasColumn(n: unknown): boolean {
  if (Array.isArray(n)) return n.some(hasColumn);
  if (!isNode(n)) return false;
  if (n.class === "COLUMN_REF" || n.class === "SUBQUERY") return true;
  return Object.values(n).some(hasColumn);
}

/** `nullif(a, b)` of rows or arrays: NULL only when `a = b` is true in three-valued logic. */
function nullIf(n: Node): Node {
  if (n.class !== "FUNCTION" || String(n.function_name).toLowerCase() !== "nullif") return n;
  const [a, b] = n.children as Node[];
  if (!a || !b || (!composite(a) && !composite(b))) return n;
  const equal = fieldwise(comparison("COMPARE_EQUAL", clone(a), b));
  return caseNode([[equal, boolConst(null)]], a, n);
}

/** `x BETWEEN a AND b` of rows or arrays: `x >= a AND x <= b`, each ordered as above. */
function between(n: Node): Node {
  if (n.class !== "BETWEEN" || ![n.input, n.lower, n.upper].some(composite)) return n;
  const low = ordering(comparison("COMPARE_GREATERTHANOREQUALTO", clone(n.input), n.lower));
  const high = ordering(comparison("COMPARE_LESSTHANOREQUALTO", n.input, n.upper));
  const alias = n.alias ?? "";
  const loc = n.query_location ?? 0;
  const children = [low, high];
  return { class: "CONJUNCTION", type: "CONJUNCTION_AND", alias, query_location: loc, children };
}

/** Dotted lower-case paths of the CloudTrail table's struct columns (useridentity, its sessioncontext...). */
function structPaths(fields: readonly Field[], prefix: string): string[] {
  return fields.flatMap((f) => {
    if (f.kind !== "struct") return [];
    const path = `${prefix}${f.name.toLowerCase()}`;
    return [path, ...structPaths(f.fields, `${path}.`)];
  });
}

const STRUCT_PATHS = structPaths(RECORD_FIELDS, "").map((p) => p.split("."));

/**
 * The reference's text when it names one of those struct columns whole (a table alias allowed),
 * not a column of the same name a CTE or subquery computes (`useridentity.arn AS useridentity`).
 */
function wholeStruct(n: unknown): string | undefined {
  if (!isNode(n) || n.class !== "COLUMN_REF" || COMPUTED_COLUMNS.has(n)) return undefined;
  const names = (n.column_names as string[]).map((x) => String(x).toLowerCase());
  const match = STRUCT_PATHS.some(
    (p) =>
      (names.length === p.length || names.length === p.length + 1) &&
      names.slice(-p.length).join(".") === p.join("."),
  );
  return match ? names.join(".") : undefined;
}

const COMPARED = [...ORDERING, "COMPARE_EQUAL", "COMPARE_NOTEQUAL"];

/** Refuses a comparison of a CloudTrail struct column whole (see the module comment). */
function refuseWholeStruct(n: Node): void {
  let operands: unknown[] = [];
  if (n.class === "COMPARISON" && COMPARED.includes(String(n.type))) operands = [n.left, n.right];
  else if (n.class === "OPERATOR" && (n.type === "COMPARE_IN" || n.type === "COMPARE_NOT_IN"))
    operands = n.children as unknown[];
  else if (n.class === "BETWEEN") operands = [n.input, n.lower, n.upper];
  else if (n.class === "FUNCTION" && String(n.function_name).toLowerCase() === "nullif")
    operands = n.children as unknown[];
  const path = operands.map(wholeStruct).find((p) => p !== undefined);
  if (path === undefined) return;
  throw new RunMdError(
    "sql-error",
    `${path} compared whole (=, <>, <, >, IN, BETWEEN, nullif) is not supported locally: Trino compares its NULL fields as unknown, DuckDB as values.`,
    {
      hint: `Compare the fields you mean (${path}.arn = ...), or use IS [NOT] DISTINCT FROM, which treats NULL fields as equal on both engines.`,
    },
  );
}
