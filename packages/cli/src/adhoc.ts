/**
 * `run-md query`'s one-step runbook, built in memory: the query becomes the only step of a
 * Markdown runbook that the core parser reads as it reads any file (nothing is written), so an
 * ad-hoc query gets a runbook step's parameter references, diagnostics, window, engine choice,
 * no-data rule, timeout and masking. `--param name=value` declares `name` (a string, or the type
 * given as `name:type=value`).
 */
import {
  BUILTIN_PARAMS,
  coerceParam,
  type Diagnostic,
  type Dialect,
  formatDiagnostic,
  PARAM_TYPES,
  type ParamType,
  parseRunbook,
  printable,
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
    const value = p.slice(eq + 1);
    checkTyped(name, type as ParamType, value);
    out.set(name, { type: type as ParamType, value });
  }
  return out;
}

/**
 * A typed `--param n:integer=abc` refused as the run would refuse it, before anything runs, with
 * a hint that keeps the type (`--param n:integer=<integer>`: the query declares it there).
 */
function checkTyped(name: string, type: ParamType, value: string): void {
  const decl = { name, type, position: { line: 1, column: 1 } };
  try {
    coerceParam(decl, value, "--param");
  } catch (e) {
    if (!(e instanceof RunMdError) || e.code !== "bad-param") throw e;
    throw new RunMdError("bad-param", e.message, {
      hint: `pass it as --param ${name}:${type}=<${type}>`,
      ...(e.details === undefined ? {} : { details: e.details }),
    });
  }
}

/**
 * A diagnostic of the in-memory front matter is about a `--param`: it names the flag, with no
 * line and column (review: `--param:4:10`, a place in text nobody wrote). `formatAdhoc` prints it.
 */
function paramDiagnostic(d: Diagnostic): Diagnostic {
  const unused = /^parameter "(\w+)" is declared but no step uses it$/.exec(d.message);
  const message = unused
    ? `--param ${unused[1]} is given but the query does not use {{${unused[1]}}}`
    : d.message;
  return { ...d, file: "--param", line: 0, column: 0, message };
}

/** A placed diagnostic as `check` prints it; one about a `--param` without line and column. */
export function formatAdhoc(d: Diagnostic): string {
  if (d.line > 0) return formatDiagnostic(d);
  return printable(`${d.severity} ${d.message} [${d.rule}]`);
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
    if (d.line <= offset) return paramDiagnostic(d);
    // A runbook declares parameters in its front matter; a query gets them from --param.
    const message =
      d.rule === RULES.undeclaredParam
        ? d.message.replace(
            /"(\w+)"(.*?): declare it under params: in the front matter,/,
            '"$1"$2: pass --param $1=value,',
          )
        : d.message.replace(
            "{{name}} (declared under params:)",
            "{{name}} (given with --param name=value)",
          );
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
