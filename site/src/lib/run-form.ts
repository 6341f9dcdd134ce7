/**
 * The run form of a runbook page (served by `run-md serve`): which input each parameter gets,
 * built at build time from the front matter, and the request body the browser sends from the
 * values it holds. The server validates every value as the CLI does (core `coerceParam`), so the
 * form only converts what HTML inputs give (text) into the JSON the API takes; a wrong value
 * travels as written and comes back as a 400 naming the parameter.
 */
import type { ParamDecl, ParamType, ParamValue } from "@run-md/core";

export type InputKind = "number" | "text" | "select" | "checkbox";

/** The input a parameter gets: enum → select, boolean → checkbox, numbers → number, else text. */
export function inputKind(decl: Pick<ParamDecl, "type" | "enum">): InputKind {
  if (decl.enum && decl.enum.length > 0) return "select";
  if (decl.type === "boolean") return "checkbox";
  if (decl.type === "integer" || decl.type === "number") return "number";
  return "text";
}

/** What a text input of the type expects, as its placeholder. */
const PLACEHOLDERS: Partial<Record<ParamType, string>> = {
  timestamp: "2026-11-23T00:00:00Z",
  duration: "24h",
  account_id: "123456789012",
  arn: "arn:aws:iam::123456789012:role/admin",
};

export function placeholderOf(type: ParamType): string | undefined {
  return PLACEHOLDERS[type];
}

/** A parameter's input as the page renders it, and as the script reads it back. */
export interface FieldSpec {
  name: string;
  type: ParamType;
  kind: InputKind;
  default?: ParamValue;
  /** The values a select offers (the declaration's `enum`). */
  options?: ParamValue[];
}

export function fieldSpec(decl: ParamDecl): FieldSpec {
  return {
    name: decl.name,
    type: decl.type,
    kind: inputKind(decl),
    ...(decl.default !== undefined ? { default: decl.default } : {}),
    ...(decl.enum && decl.enum.length > 0 ? { options: decl.enum } : {}),
  };
}

/** An input's value as the form holds it: a checkbox's checked state, else its text. */
export type FieldValue = string | boolean;

/** The initial value of an input: its default, as text (a checkbox: checked when true). */
export function initialValue(spec: FieldSpec): FieldValue {
  if (spec.kind === "checkbox") return spec.default === true;
  return spec.default === undefined ? "" : String(spec.default);
}

/** The JSON value of an input: numbers for number inputs that hold one, the text otherwise. */
export function paramValueOf(spec: FieldSpec, raw: FieldValue): ParamValue {
  if (typeof raw === "boolean") return raw;
  if (spec.type === "integer" || spec.type === "number") {
    const n = Number(raw);
    return raw.trim() !== "" && Number.isFinite(n) ? n : raw;
  }
  // A select's option text back to the declared value (an enum may hold numbers).
  const option = spec.options?.find((o) => String(o) === raw);
  return option !== undefined ? option : raw;
}

/** The window the form offers: the last `since` (the runbook's `window:`), or from/to. */
export interface WindowValue {
  mode: "since" | "range";
  since: string;
  from: string;
  to: string;
}

export interface RunRequest {
  runbook: string;
  params?: Record<string, ParamValue>;
  since?: string;
  from?: string;
  to?: string;
}

/**
 * The body of `POST /api/runs`. Without `run:params` it names the runbook only: the server runs
 * it as written. With it, it sends the parameters that differ from their defaults (and those
 * without one), and a window only when it is not the runbook's own, so that a run left as
 * written needs no more than `run`.
 */
export function buildRunRequest(
  runbook: string,
  fields: { spec: FieldSpec; value: FieldValue }[],
  window: WindowValue,
  defaultSince: string,
  canParams: boolean,
): RunRequest {
  const body: RunRequest = { runbook };
  if (!canParams) return body;
  const params: Record<string, ParamValue> = {};
  for (const { spec, value } of fields) {
    if (value === "" && spec.default === undefined) continue; // the server names it as required
    const v = paramValueOf(spec, value);
    if (spec.default === undefined || v !== spec.default) params[spec.name] = v;
  }
  if (Object.keys(params).length > 0) body.params = params;
  if (window.mode === "range") {
    body.from = window.from.trim();
    body.to = window.to.trim();
  } else if (window.since.trim() !== defaultSince) {
    body.since = window.since.trim();
  }
  return body;
}

/** The window's fields, and `window` for a message about the window as a whole. */
const WINDOW_FIELDS = ["since", "from", "to", "window"] as const;

/**
 * The field a refusal names, so the page shows the message next to it: the body's
 * `field` (`params.<name>` for a parameter; `param`, `details.param` too), else a parameter quoted in the message
 * (`parameter "days" (from ...)`), else a window field the message names (`--since`), else
 * `window` for a message about the window; undefined when it is about the whole request.
 */
export function fieldOfError(body: unknown, names: readonly string[]): string | undefined {
  const known = new Set<string>([...names, ...WINDOW_FIELDS]);
  if (body && typeof body === "object") {
    const b = body as { param?: unknown; field?: unknown; details?: { param?: unknown } };
    for (const f of [b.param, b.field, b.details?.param]) {
      // The server names a parameter `params.<name>`.
      const name = typeof f === "string" ? f.replace(/^params\./, "") : undefined;
      if (name && known.has(name)) return name;
    }
    const message =
      (body as { error?: unknown; message?: unknown }).error ??
      (body as { message?: unknown }).message;
    if (typeof message === "string") {
      const quoted = /parameter "([^"]+)"/.exec(message)?.[1];
      if (quoted && known.has(quoted)) return quoted;
      // `--since`, `"from"` or `` `to` ``: never the plain words, which any sentence may hold.
      for (const w of ["since", "from", "to"]) {
        if (new RegExp(`--${w}\\b|["\`]${w}["\`]`).test(message)) return w;
      }
      if (/\bwindow\b/i.test(message)) return "window";
    }
  }
  return undefined;
}
