/**
 * Trino's format(pattern, args...) is Java's String.format. DuckDB's printf shares the %s/%d/%.2f
 * specifiers but answers NULL when an argument is NULL (Java prints "null") and prints a boolean
 * %b as 1 (Java: "true"). A constant pattern of plain specifiers is therefore split into its
 * literal text and one printf per specifier, each argument printed as Java prints it; any other
 * pattern (argument indexes `%1$s`) goes to printf whole.
 */

import { constValue, type Node } from "./tree.ts";
import { callNode, hasAggregate, strConst } from "./trino-ast.ts";

/**
 * `%[flags][width][.precision]conversion` of the conversions printf shares with Java, `%%` and
 * `%n`; a pattern with any other `%` (an argument index, %S, %h) is not split.
 */
const SPECIFIER = /%([-#+ 0,(]*\d*(?:\.\d+)?)([sdfxXeEgGocbB%n])/g;

/** The call for format(pattern, args...): a concatenation, or printf as before. */
export function formatCall(f: Node): Node | undefined {
  const args = f.children as Node[];
  const pattern = constValue(args[0]);
  const parts = typeof pattern === "string" ? splitPattern(pattern, args.slice(1)) : undefined;
  if (parts) return callNode("concat", parts, f);
  f.function_name = "printf";
  f.children = args.map((a, i) => (i === 0 ? a : javaArg(a)));
  return undefined;
}

/** Java prints a timestamp argument as 2020-05-10T12:34:56.100 (trino_format_arg). */
function javaArg(a: Node): Node {
  return hasAggregate(a) ? a : callNode("trino_format_arg", [a], { alias: "" });
}

function splitPattern(pattern: string, args: Node[]): Node[] | undefined {
  if (pattern.replace(SPECIFIER, "").includes("%")) return undefined;
  const parts: Node[] = [];
  let last = 0;
  let next = 0;
  for (const m of pattern.matchAll(SPECIFIER)) {
    parts.push(strConst(pattern.slice(last, m.index)));
    last = (m.index as number) + m[0].length;
    const [, flags, conversion] = m as unknown as [string, string, string];
    if (conversion === "%" || conversion === "n") {
      parts.push(strConst(conversion === "%" ? "%" : "\n"));
      continue;
    }
    const arg = args[next++];
    if (!arg) return undefined; // Java: a missing argument is an error (printf says so)
    parts.push(printed(`%${flags}${conversion}`, arg));
  }
  parts.push(strConst(pattern.slice(last)));
  return parts;
}

/**
 * One argument as Java's specifier prints it: "null" for NULL, %b as true or false, %s as
 * String.valueOf (trino_format_s, trino_format_s_any for an aggregate: DuckDB's printf refuses
 * %s of a number).
 */
function printed(spec: string, arg: Node): Node {
  const conversion = spec.slice(-1);
  if (conversion === "b" || conversion === "B") {
    const text = callNode("trino_format_boolean", [arg], { alias: "" });
    return conversion === "B" ? callNode("upper", [text], { alias: "" }) : text;
  }
  // trino_format_s's typed overloads cannot be chosen for an aggregate (its type is unknown then).
  const textOf = hasAggregate(arg) ? "trino_format_s_any" : "trino_format_s";
  const value = conversion === "s" ? callNode(textOf, [javaArg(arg)], { alias: "" }) : javaArg(arg);
  const out = callNode("printf", [strConst(spec), value], { alias: "" });
  return callNode("ifnull", [out, strConst("null")], { alias: "" });
}
