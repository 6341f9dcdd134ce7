/**
 * Parameter values: a value from the command line (text), the configuration or a default (YAML
 * scalars) is checked against its declaration and turned into the value queries receive.
 */
import { type ConfigSource, sourceAt } from "./config-source.ts";
import type { BoundParam } from "./engine.ts";
import { RunMdError } from "./errors.ts";
import type { ParamDecl, ParamType, ParamValue, Runbook } from "./model.ts";
import { parseDuration } from "./units.ts";
import { type InstantReading, readInstant } from "./window.ts";

export const PARAM_TYPES: readonly ParamType[] = [
  "string",
  "integer",
  "number",
  "boolean",
  "timestamp",
  "duration",
  "account_id",
  "arn",
];

const ACCOUNT_ID = /^\d{12}$/;
/** `arn:partition:service:region:account:resource`; region and account may be empty. */
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[^:\s]*:\S+$/;

const EXAMPLES: Record<ParamType, string> = {
  string: "text",
  integer: "an integer such as 10",
  number: "a number such as 2.5",
  boolean: "true or false",
  timestamp: "an ISO-8601 instant such as 2026-11-23T00:00:00Z",
  duration: "a duration such as 30m, 24h or 7d",
  account_id: "a 12-digit AWS account id such as 123456789012",
  arn: "an AWS ARN such as arn:aws:iam::123456789012:role/admin",
};

function show(raw: unknown): string {
  if (typeof raw === "string") return JSON.stringify(raw);
  if (raw === null) return "null";
  if (raw instanceof Date) return raw.toISOString();
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "object") return "a mapping";
  return String(raw);
}

/** The instant as `2026-11-23T00:00:00Z` (milliseconds only when there are some). */
export function formatInstant(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Checks `raw` against the declaration and returns the value a query receives: strings for
 * string, timestamp (normalised to UTC, `...Z`), duration, account_id and arn; numbers for integer
 * and number; booleans for boolean. Text from the command line is converted (`"42"` → 42,
 * `"true"` → true). Throws a `RunMdError` with code `bad-param` naming the parameter and `source`
 * (`--param`, `default`, `config`, ...).
 */
export function coerceParam(
  decl: ParamDecl,
  raw: unknown,
  source: string,
  /** Where the value was written (`run-md.config.yaml:4:10`), leading the message. */
  at?: string,
): ParamValue {
  const fail = (expected: string, hint?: string, why?: string): never => {
    throw new RunMdError(
      "bad-param",
      `${at === undefined ? "" : `${at} `}parameter "${decl.name}" (from ${source}): expected ${expected}, got ${show(raw)}${why === undefined ? "" : `: ${why}`}`,
      {
        hint:
          hint ??
          (source === "--param"
            ? `pass it as --param ${decl.name}=<${decl.type}>`
            : `give "${decl.name}" ${expected}`),
        details: { param: decl.name, source },
      },
    );
  };
  const value = coerceType(decl.type, raw, fail, source);

  if (typeof value === "string" && decl.pattern !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${decl.pattern})$`);
    } catch {
      return fail(`a value matching ${decl.pattern} (which is not a valid regular expression)`);
    }
    if (!re.test(value)) fail(`a value matching the pattern ${decl.pattern}`);
  }
  if (typeof value === "number") {
    if (decl.min !== undefined && value < decl.min) fail(`a value >= ${decl.min}`);
    if (decl.max !== undefined && value > decl.max) fail(`a value <= ${decl.max}`);
  }
  if (decl.enum !== undefined && !decl.enum.some((e) => e === value)) {
    fail(`one of ${decl.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  return value;
}

/** The source of a parameter value sent to `run-md serve`'s API (a JSON body's `params`). */
export const API_PARAMS = "params";

/** How to write a number as a string where it came from: YAML in a file, JSON from the API. */
function quoteHint(source: string): string {
  return source === API_PARAMS ? 'send it as a JSON string ("5")' : "quote the value in YAML";
}

function coerceType(
  type: ParamType,
  raw: unknown,
  fail: (expected: string, hint?: string, why?: string) => never,
  source: string,
): ParamValue {
  const expected = EXAMPLES[type];
  switch (type) {
    case "string":
      if (typeof raw === "string") return raw;
      return fail("a string", typeof raw === "number" ? quoteHint(source) : undefined);
    case "integer": {
      const n = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof n === "number" && Number.isSafeInteger(n)) return n;
      if (typeof n === "number" && Number.isInteger(n))
        return fail(
          "an integer from -9007199254740991 to 9007199254740991",
          undefined,
          "larger integers lose digits as numbers; declare the parameter a string and compare it as text",
        );
      return fail(expected);
    }
    case "number": {
      const n =
        typeof raw === "string" && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)
          ? Number(raw)
          : raw;
      if (typeof n === "number" && Number.isFinite(n)) return n;
      return fail(expected);
    }
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string" && /^(true|false)$/i.test(raw.trim())) {
        return raw.trim().toLowerCase() === "true";
      }
      return fail(expected);
    case "timestamp":
      return timestampValue(raw, fail);
    case "duration":
      if (typeof raw === "string" && parseDuration(raw) !== undefined) return raw.trim();
      return fail(expected);
    case "account_id": {
      const text = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
      if (typeof text === "string" && ACCOUNT_ID.test(text.trim())) return text.trim();
      return fail(expected, typeof raw === "number" ? "quote account ids in YAML" : undefined);
    }
    case "arn":
      if (typeof raw === "string" && ARN.test(raw.trim())) return raw.trim();
      return fail(expected);
  }
}

/**
 * A timestamp: an ISO-8601 instant with a time and a zone (`Z`, `±hh:mm`, `±hhmm` or `±hh`),
 * normalised to UTC. A day or time that does not exist (2026-02-30) is refused, not moved.
 */
function timestampValue(
  raw: unknown,
  fail: (expected: string, hint?: string, why?: string) => never,
): string {
  if (raw instanceof Date && !Number.isNaN(raw.getTime())) return formatInstant(raw);
  const reading: InstantReading = typeof raw === "string" ? readInstant(raw.trim(), false) : {};
  if (reading.date !== undefined) return formatInstant(reading.date);
  return fail(EXAMPLES.timestamp, undefined, reading.problem);
}

export interface ParamInput {
  value: unknown;
  /** Where the value came from, for messages: `--param`, `config`. */
  source: string;
}

/**
 * Every name of `values` is a parameter the runbook declares, or a bad-param error naming it
 * (`from`: where a configured value was set, `params.<id>` of the configuration; `configSource`
 * places that key at its file:line).
 */
export function checkParamNames(
  runbook: Runbook,
  values: Record<string, unknown>,
  from?: string,
  configSource?: ConfigSource,
): void {
  const decls = runbook.meta.params;
  for (const name of Object.keys(values)) {
    if (Object.hasOwn(decls, name)) continue;
    const known = Object.keys(decls);
    const where =
      from === undefined
        ? `unknown parameter "${name}" for runbook ${runbook.meta.id} (${runbook.path})`
        : `${configSource === undefined ? "" : `${sourceAt(configSource, `${from}.${name}`)} `}the configuration sets ${from}.${name}, but runbook ${runbook.meta.id} (${runbook.path}) declares no parameter "${name}"`;
    throw new RunMdError("bad-param", where, {
      hint: known.length
        ? `This runbook declares: ${known.join(", ")}.`
        : "This runbook declares no parameters.",
    });
  }
}

/** Where a trigger's runs take their parameters from, as `resolveParams`' `cliSource`. */
export const EVENT_PARAMS = "the event";

/**
 * `parameter "x" is required by runbook r and has no value`, with where to give it for the
 * caller that did not: the command line's `--param`, the API request's `params`, or a
 * trigger's mapping from the event (a default or the configuration serve all three).
 */
function missingParamError(runbook: Runbook, name: string, source: string): RunMdError {
  const decl = runbook.meta.params[name]!;
  const configured = `params.${runbook.meta.id}.${name} in run-md.config.yaml`;
  const hint =
    source === API_PARAMS
      ? `Send it in the request's params: {"params": {"${name}": <${decl.type}>}}.`
      : source === EVENT_PARAMS
        ? `Map it from the event under the trigger's params: (a JSON path such as $.detail.id), give it a default, or set ${configured}.`
        : `Pass it with --param ${name}=<${decl.type}>.`;
  return new RunMdError(
    "missing-param",
    `parameter "${name}" is required by runbook ${runbook.meta.id} and has no value`,
    { hint },
  );
}

/**
 * Where a parameter's value came from, as messages name it: the last of `layers` (lowest
 * precedence first, each `[source, values]`) that holds it, else the runbook's default.
 */
export function paramSourceOf(
  name: string,
  layers: [string, Record<string, unknown> | undefined][],
): string {
  const holding = layers.filter(
    ([, values]) => values !== undefined && Object.hasOwn(values, name),
  );
  return holding.at(-1)?.[0] ?? "default";
}

/**
 * Resolves parameter values: default, then configuration, then the command line. Every value is
 * checked against its declaration before any query starts. `configSource` (the CLI's parsed
 * configuration file) places a configured value's mistake at its file:line and key path, as
 * the configuration's other errors are.
 */
export function resolveParams(
  runbook: Runbook,
  configParams: Record<string, unknown> = {},
  cliParams: Record<string, string> = {},
  configSource?: ConfigSource,
  /** Where `cliParams` came from, for messages: `--param`, or a trigger's event. */
  cliSource = "--param",
): Record<string, BoundParam> {
  const decls = runbook.meta.params;
  const out: Record<string, BoundParam> = {};
  const section = `params.${runbook.meta.id}`;
  checkParamNames(runbook, cliParams);
  // A value configured under a name the runbook does not declare would be ignored in silence.
  checkParamNames(runbook, configParams, section, configSource);
  for (const [name, decl] of Object.entries(decls)) {
    let input: ParamInput | undefined;
    if (decl.default !== undefined) input = { value: decl.default, source: "default" };
    if (Object.hasOwn(configParams, name))
      input = { value: configParams[name], source: "configuration" };
    if (Object.hasOwn(cliParams, name)) input = { value: cliParams[name], source: cliSource };
    if (input === undefined) throw missingParamError(runbook, name, cliSource);
    const configured = input.source === "configuration" && configSource !== undefined;
    const value = configured
      ? coerceParam(
          decl,
          input.value,
          `configuration, ${section}.${name}`,
          sourceAt(configSource, `${section}.${name}`),
        )
      : coerceParam(decl, input.value, input.source);
    out[name] = { type: decl.type, value };
  }
  return out;
}

/**
 * The configuration's `params.<runbook id>` values for one runbook: by the id's own key only
 * (a runbook named `constructor` or `toString` gets nothing from the object's prototype).
 */
export function configParamsFor(
  all: Readonly<Record<string, Record<string, unknown> | undefined>>,
  id: string,
): Record<string, unknown> {
  return Object.hasOwn(all, id) ? (all[id] ?? {}) : {};
}
