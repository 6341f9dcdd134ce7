/**
 * The syntax tree of a Logs Insights query. Every node carries its source offsets (`start`
 * inclusive, `end` exclusive, 0-based into the query text) and `text`, the source as written:
 * `stats` names its output columns after it.
 */

export interface NodeBase {
  start: number;
  end: number;
  text: string;
}

export type PeriodUnit = "ms" | "s" | "m" | "h" | "d" | "w" | "mo" | "q" | "y";

export type BinaryOp =
  | "and"
  | "or"
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "^";

export type Expr =
  | (NodeBase & { kind: "field"; name: string })
  | (NodeBase & { kind: "string"; value: string })
  | (NodeBase & { kind: "number"; value: number })
  /** `5m`; or `{{n}}m` (`param`), whose amount is the parameter's value once bound (NaN before). */
  | (NodeBase & { kind: "period"; amount: number; unit: PeriodUnit; param?: string })
  | (NodeBase & { kind: "regex"; pattern: string })
  /** A runbook parameter reference `{{name}}`, bound when the query is translated or rendered. */
  | (NodeBase & { kind: "param"; name: string })
  /** `name` is the canonical (documented) spelling of the function; `star` for `count(*)`. */
  | (NodeBase & { kind: "call"; name: string; args: Expr[]; star: boolean })
  | (NodeBase & { kind: "not"; operand: Expr })
  | (NodeBase & { kind: "neg"; operand: Expr })
  | (NodeBase & { kind: "binary"; op: BinaryOp; left: Expr; right: Expr })
  /** `x like "s"`, `x like /re/`, `x =~ /re/`, `x not like ...`. */
  | (NodeBase & { kind: "like"; negated: boolean; operand: Expr; pattern: Expr })
  | (NodeBase & { kind: "in"; negated: boolean; operand: Expr; values: Expr[] });

export interface Projection {
  expr: Expr;
  alias?: string;
  /** The output name: the alias, the field name, or the expression text. */
  name: string;
}

export interface SortKey {
  expr: Expr;
  descending: boolean;
}

export type ParsePattern =
  | { kind: "glob"; text: string; names: string[] }
  | { kind: "regex"; pattern: string; names: string[] };

export type Command =
  | (NodeBase & { kind: "fields"; items: Projection[] })
  | (NodeBase & { kind: "display"; items: Projection[] })
  | (NodeBase & { kind: "filter"; expr: Expr })
  /** `offset`: `stats ... by bin(5m) offset 1h`, the bins shifted by a period (time-series page). */
  | (NodeBase & { kind: "stats"; items: Projection[]; by: Projection[]; offset?: Expr })
  | (NodeBase & { kind: "sort"; keys: SortKey[] })
  /**
   * `count`: a number, or a `{{name}}` parameter whose value is the number. `any`: `limit any N`
   * (CWL_QuerySyntax-Limit, "limit any"): any N events, in no particular order.
   */
  | (NodeBase & {
      kind: "limit";
      count: number | (NodeBase & { kind: "param"; name: string });
      from: "limit" | "head" | "tail";
      any?: true;
    })
  | (NodeBase & { kind: "dedup"; fields: Expr[] })
  | (NodeBase & { kind: "parse"; source: Expr; pattern: ParsePattern })
  | (NodeBase & { kind: "unmask"; fields: Expr[] })
  /** `unnest field into name` (CWL_QuerySyntax-Unnest). */
  | (NodeBase & { kind: "unnest"; field: Expr; into: string })
  /** `pattern @message` (CWL_QuerySyntax-Pattern): a field or a string function's result. */
  | (NodeBase & { kind: "pattern"; source: Expr })
  /** `anomaly`, without arguments (CWL_QuerySyntax-Anomaly). */
  | (NodeBase & { kind: "anomaly" })
  /** `diff`, or `diff previousDay|previousWeek|previousMonth` (CWL_QuerySyntax-Diff). */
  | (NodeBase & { kind: "diff"; against?: "previousDay" | "previousWeek" | "previousMonth" })
  /** `fillmissing [with value for field, ...]` (CWL_QuerySyntax-Fillmissing). */
  | (NodeBase & { kind: "fillmissing"; fills: { value: Expr; field: Expr }[] })
  /** `filldown [field ...]`, names or wildcard patterns such as `cpu*` (CWL_QuerySyntax-Filldown). */
  | (NodeBase & { kind: "filldown"; fields: string[] })
  /** `accum field [AS out]` (CWL_QuerySyntax-Accum). */
  | (NodeBase & { kind: "accum"; field: Expr; alias?: string });

/** The commands the parser reads and only CloudWatch Logs runs (the local engine refuses them). */
export const SERVICE_ONLY_COMMANDS = [
  "unnest",
  "pattern",
  "anomaly",
  "diff",
  "fillmissing",
  "filldown",
  "accum",
] as const;

export interface InsightsQuery {
  source: string;
  commands: Command[];
}
