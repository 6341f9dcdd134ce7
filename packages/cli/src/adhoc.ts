/**
 * `run-md query`'s one-step runbook, built in memory: the query becomes the only step of a
 * Markdown runbook that the core parser reads as it reads any file (nothing is written), so an
 * ad-hoc query gets a runbook step's parameter references, diagnostics, window, engine choice,
 * no-data rule, timeout and masking. `--param name=value` declares `name` (a string, or the type
 * given as `name:type=value`).
 */
import {
  BUILTIN_PARAMS,
  type Diagnostic,
  type Dialect,
  PARAM_TYPES,
  type ParamType,
  parseRunbook,
  RULES,
  type Runbook,
  RunMdError,
  type Step,
} from "@run-md/core";

export interface AdhocQuery {
  text: string;
  dialect: Dialect;
  /** How diagnostics name the query: `<query>` (the argument) or `<stdin>`. */
  source: string;
  /** `--param` values as given: `name=value` or `name:type=value`. */
  params: readonly string[];
  allowEmpty?: boolean;
}

export const ADHOC_ID = "query";

/** `--param` values: name → {type, value}; a usage error for a malformed one. */
export function adhocParams(
  raw: readonly string[],
): Map<string, { type: ParamType; value: string }> {
  const out = new Map<string, { type: ParamType; value: string }>();
  for (const p of raw) {
    const eq = p.indexOf("=");
    const left = /^([A-Za-z_][A-Za-z0-9_]*)(?::(.*))?$/.exec(eq < 0 ? "" : p.slice(0, eq));
    const name = left?.[1] ?? "";
    const type = left?.[2] ?? "string";
    if (left === null) {
      throw new RunMdError("usage", `--param "${p}" is not name=value`, {
        hint: "Example: --param user=alice, or --param n:integer=5 for a typed value.",
      });
    }
    if (!(PARAM_TYPES as readonly string[]).includes(type)) {
      throw new RunMdError("usage", `--param "${p}": "${type}" is not a parameter type`, {
        hint: `Types: ${PARAM_TYPES.join(", ")}.`,
      });
    }
    if (out.has(name)) {
      throw new RunMdError("usage", `--param ${name} is given twice`, {
        hint: "A parameter has one value: give it once.",
      });
    }
    if ((BUILTIN_PARAMS as readonly string[]).includes(name)) {
      throw new RunMdError("usage", `--param ${name}: {{${name}}} is built in (the window)`, {
        hint: "Set the window with --since or --from/--to.",
      });
    }
    out.set(name, { type: type as ParamType, value: p.slice(eq + 1) });
  }
  return out;
}

/** A fence longer than any run of backticks in the text, so the query cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * The in-memory runbook (undefined when the parser found an error), its step and the parser's
 * diagnostics, with `place` to put a diagnostic at its line and column in the query itself.
 */
export function adhocRunbook(q: AdhocQuery): {
  runbook?: Runbook;
  steps: Step[];
  diagnostics: Diagnostic[];
  /** Turns a position in the in-memory Markdown into one in the query (named by `source`). */
  place: (d: Diagnostic) => Diagnostic;
} {
  if (q.text.trim() === "") {
    throw new RunMdError("usage", `the query (${q.source}) is empty`, {
      hint: 'Example: run-md query "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1"',
    });
  }
  const params = Object.fromEntries(
    [...adhocParams(q.params)].map(([name, { type }]) => [name, { type }]),
  );
  const fence = fenceFor(q.text);
  const head = [
    "---",
    `id: ${ADHOC_ID}`,
    "title: Ad-hoc query",
    `params: ${JSON.stringify(params)}`,
    "---",
    "",
    `${fence}${q.dialect === "sql" ? "sql" : "logs-insights"} ${ADHOC_ID}`,
  ];
  const markdown = `${head.join("\n")}\n${q.text.replace(/\n$/, "")}\n${fence}\n`;
  const parsed = parseRunbook(markdown, q.source);
  const offset = head.length;
  const place = (d: Diagnostic): Diagnostic => {
    if (d.line <= offset) return { ...d, file: "--param" };
    // A runbook declares parameters in its front matter; a query gets them from --param.
    const message =
      d.rule === RULES.undeclaredParam
        ? d.message.replace(
            /"(\w+)"(.*?): declare it under params: in the front matter,/,
            '"$1"$2: pass --param $1=value,',
          )
        : d.message;
    return { ...d, file: q.source, line: d.line - offset, message };
  };
  const runbook = parsed.runbook;
  if (q.allowEmpty === true) for (const s of parsed.steps) s.attributes.allowEmpty = true;
  // An engine's error at a line of the query is placed in the query as given, not in the
  // runbook written around it (review: `<query>:9:10` for a two-line query).
  for (const s of parsed.steps) s.queryAlone = true;
  return {
    ...(runbook === undefined ? {} : { runbook }),
    steps: parsed.steps,
    diagnostics: parsed.diagnostics,
    place,
  };
}
