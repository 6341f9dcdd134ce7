/**
 * Trino's JSON paths (json_extract, json_extract_scalar, json_size), read as Trino reads them
 * (io.trino.operator.scalar.JsonPathTokenizer and JsonExtract): `$` then steps `.name` (letters,
 * digits, `_`, `:`), `[name]` (letters, digits, `_`) or `["quoted"]` (`\"` and `\\` escaped);
 * no white space, nothing else. Each step is a member name on an object and, when it reads as a
 * whole number, an index on an array, at any depth (`$.items.0.instanceId`, `$.a["1"]`); any
 * other value at a step gives NULL.
 */
import { RunMdError } from "@run-md/core";
import { type Node, setConst } from "./tree.ts";
import { callNode, strConst } from "./trino-ast.ts";

function invalid(path: string): RunMdError {
  return new RunMdError("sql-error", `INVALID_FUNCTION_ARGUMENT: Invalid JSON path: '${path}'`, {
    hint: 'Trino\'s JSON paths take letters, digits, _ and : after a dot; quote other names: $["x-amz-acl"].',
  });
}

/** The steps of a Trino JSON path, or Trino's "Invalid JSON path" error. */
export function jsonPathSteps(path: string): string[] {
  if (!path.startsWith("$")) throw invalid(path);
  const steps: string[] = [];
  let rest = path.slice(1);
  while (rest !== "") {
    const m =
      /^\.([\p{L}\p{Nd}_:]+)/u.exec(rest) ??
      /^\[([\p{L}\p{Nd}_]+)\]/u.exec(rest) ??
      /^\["((?:[^"\\]|\\["\\])*)"\]/.exec(rest);
    if (!m) throw invalid(path);
    steps.push((m[1] as string).replace(/\\(["\\])/g, "$1"));
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** Java's Integer.parseInt of a step, when it is an index an array can have. */
function arrayIndex(step: string): number | undefined {
  if (!/^[+-]?\d+$/.test(step)) return undefined;
  const n = Number(step);
  return n >= 0 && n <= 2 ** 31 - 1 ? n : undefined;
}

/**
 * The steps as a JSON pointer (RFC 6901, which DuckDB reads): a step is a member of an object
 * and, when it is written as an index (`0`, `12`), an element of an array, as in Trino.
 */
const pointer = (steps: string[]) =>
  steps.map((s) => `/${s.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/**
 * Rewrites `f(json, '<constant path>')` for Trino's paths: as a JSON pointer (`$.items.0.id` is
 * `/items/0/id`), or, when a step is an index written as a pointer would not read it (`01`,
 * `+1`), by walking the document step by step (`trino_json_walk`), `f` then reading its `$`.
 */
export function rewriteJsonPath(f: Node, path: string): void {
  const args = f.children as Node[];
  const steps = jsonPathSteps(path);
  if (String(f.function_name) === "json_size") f.function_name = "trino_json_size_at";
  if (steps.every((s) => arrayIndex(s) === undefined || /^(0|[1-9]\d*)$/.test(s))) {
    setConst(args[1] as Node, steps.length === 0 ? "$" : pointer(steps));
    return;
  }
  const walk = steps.map((s) => {
    const i = arrayIndex(s);
    return [pointer([s]), i === undefined ? null : `$[${i}]`];
  });
  args[0] = callNode("trino_json_walk", [args[0], strConst(JSON.stringify(walk))], { alias: "" });
  setConst(args[1] as Node, "$");
}
