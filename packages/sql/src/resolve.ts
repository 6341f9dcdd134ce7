/**
 * The semantic half of the checker: walk a Trino parse tree and resolve its table references
 * (spec section 4), its column references and struct fields (the CloudTrail schema of Athena's
 * DDL), its function calls (Athena engine v3's list) and the casts Athena's column types make
 * fail. Names the query defines itself (CTEs, aliases, lambda parameters) are never reported.
 */
import { didYouMean } from "@run-md/core";
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  AliasedRelationContext,
  ArrayConstructorContext,
  BetweenContext,
  BooleanLiteralContext,
  CastContext,
  ColumnAliasesContext,
  ColumnNameContext,
  ColumnRefContext,
  ColumnReferenceContext,
  ComparisonContext,
  ConcatenationContext,
  DistinctFromContext,
  FunctionCallContext,
  GroupingTermContext,
  type IdentifierContext,
  InListContext,
  IntegerLiteralContext,
  JoinRelationContext,
  LambdaContext,
  LikeContext,
  NamedQueryContext,
  NumericLiteralContext,
  ParameterContext,
  ParenthesizedExpressionContext,
  ParenthesizedRelationContext,
  PredicatedContext,
  QualifiedNameContext,
  QueryNoWithContext,
  QuerySpecificationContext,
  SelectItemContext,
  SetOperationContext,
  SimpleCaseContext,
  SingleStatementContext,
  SortItemContext,
  StatementDefaultContext,
  StringLiteralContext,
  TableAllColumnsContext,
  TableContext,
  TableFunctionCallContext,
  TableNameContext,
  UnicodeStringLiteralContext,
  UnnestContext,
  WindowDefinitionContext,
  WindowSpecificationContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { checkArgumentTypes } from "./argument-types.ts";
import { checkClauseAliases } from "./clause-aliases.ts";
import { COLUMN_NAMES, COLUMNS, type Field, nameText, PARTITION_COLUMNS } from "./cloudtrail.ts";
import { checkAliasCount, checkScopedColumns, visibleRelations } from "./column-scope.ts";
import { ATHENA_FUNCTIONS, DUCKDB_ONLY } from "./functions.ts";
import { checkGrouping } from "./grouping.ts";
import { checkIntegerLiteral } from "./integer-literal.ts";
import { checkLikeEscape } from "./like-escape.ts";
import { checkOrderBy, outputName } from "./order-by.ts";
import type { SqlProblem } from "./problem.ts";
import { pathOf, Relations } from "./relations.ts";
import { rowStarColumns } from "./row-star.ts";
import { checkSetOperation } from "./set-types.ts";
import { checkSubscript } from "./subscripts.ts";
import type { MaskedRef } from "./syntax.ts";
import type { TableResolver } from "./tables.ts";
import {
  article,
  at,
  incomparable,
  jsonPathOf,
  referenceName,
  type SqlType,
  type Typing,
  typeOf,
  unquote,
  unwrap,
} from "./types.ts";
import { decodeUnicodeString } from "./unicode-string.ts";
import { checkCommonType, checkCondition } from "./value-types.ts";

interface Name {
  /** The name as Athena reads it: lower-cased, unless quoted. */
  text: string;
  /** As the query spells it (quotes removed): a JSON key is case-sensitive. */
  written: string;
  quoted: boolean;
  line: number;
  column: number;
}

const FUNCTION_NAMES = [...ATHENA_FUNCTIONS];

function nameOf(id: IdentifierContext): Name {
  const raw = id.getText();
  const quoted = raw.startsWith('"');
  const text = nameText(raw);
  const written = quoted ? text : raw;
  return { text, written, quoted, line: id.start!.line, column: id.start!.column + 1 };
}

function namesOf(q: QualifiedNameContext | null): Name[] {
  return q === null ? [] : q.identifier().map(nameOf);
}

/** Every node under `node` (itself first), in the order written; a stack of its own (references.ts says why). */
function walk(node: ParseTree, visit: (n: ParserRuleContext) => void): void {
  const todo: ParseTree[] = [node];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (!("children" in next)) continue;
    const ctx = next as ParserRuleContext;
    visit(ctx);
    const children = ctx.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) todo.push(children[i]!);
  }
}

function problem(n: Name, rule: string, message: string): SqlProblem {
  return { line: n.line, column: n.column, severity: "error", rule, message };
}

interface Scope {
  /** Names the query defines: CTEs, relation and column aliases, select aliases, lambda parameters. */
  defined: Set<string>;
  /** Relation aliases and table names that stand for cloudtrail_logs (`l` in `FROM cloudtrail_logs l`). */
  cloudtrail: Set<string>;
  /** True when the query reads an extra table (whose columns the checker does not know). */
  readsExtra: boolean;
  /** Parameters written as literals (syntax.ts `maskParams`), by the offset of the literal. */
  params: ReadonlyMap<number, string>;
  /** Every parameter reference, by the offset of what stands for it (syntax.ts `maskParams`). */
  refs: ReadonlyMap<number, MaskedRef>;
}

export function resolveQuery(
  tree: ParseTree,
  tables: TableResolver,
  params: ReadonlyMap<number, string> = new Map(),
  refs: ReadonlyMap<number, MaskedRef> = new Map(),
  boundPlaceholders = 0,
  lateral: ReadonlySet<number> = new Set(),
): SqlProblem[] {
  const out: SqlProblem[] = [];
  const bare: SqlProblem[] = [];
  const scope: Scope = {
    defined: new Set(),
    cloudtrail: new Set(),
    readsExtra: false,
    params,
    refs,
  };
  const statements: ParserRuleContext[] = [];
  walk(tree, (n) => {
    if (n instanceof SingleStatementContext) statements.push(n);
    collectDefinitions(n, scope, tables);
  });
  if (statements.length !== 1 || !(statements[0]!.getChild(0) instanceof StatementDefaultContext)) {
    const at = statements[1] ?? statements[0];
    const start = at?.start;
    out.push({
      line: start?.line ?? 1,
      column: (start?.column ?? 0) + 1,
      severity: "error",
      rule: "sql-statement",
      message: "a sql step is one SELECT (or WITH ... SELECT) query, nothing else",
    });
    return out;
  }
  const relations = new Relations(tables, lateral);
  const stars = rowStars(tree, scope, relations);
  walk(tree, (n) => checkRelation(n, scope, tables, out));
  // Columns of a table that is not readable are unknown: its problem is reported already.
  const tableRefused = out.length > 0;
  if (!tableRefused) out.push(...stars);
  walk(tree, (n) => {
    // A {{name}} masked as `?` is known by its offset: any other `?` is the author's own.
    if (n instanceof ParameterContext) {
      if (!scope.refs.has(n.start!.start)) bare.push(barePlaceholder(n));
    } else if (tableRefused) {
      if (n instanceof FunctionCallContext) checkFunction(n, out);
      else if (n instanceof CastContext) checkCast(n, out);
    } else if (
      n instanceof QualifiedNameContext &&
      (n.parent instanceof ColumnRefContext || n.parent instanceof ColumnNameContext)
    ) {
      if (!cloudTrailStar(n, scope)) checkColumn(namesOf(n), scope, out);
    } else if (n instanceof FunctionCallContext) {
      checkFunction(n, out);
      checkConcatCall(n, scope, out);
      checkWindowDistinct(n, out);
    } else if (n instanceof CastContext) checkCast(n, out);
    else if (n instanceof PredicatedContext) checkComparedTypes(n, scope, out);
    else if (n instanceof LikeContext) checkLikeEscape(n, out);
    else if (n instanceof UnicodeStringLiteralContext) checkUnicodeString(n, out);
    else if (n instanceof IntegerLiteralContext) checkIntegerLiteral(n, out);
    else if (n instanceof SimpleCaseContext) checkCaseTypes(n, scope, out);
    else if (n instanceof ConcatenationContext) checkConcatenation(n, scope, out);
    else if (n instanceof SortItemContext || n instanceof GroupingTermContext)
      checkOrdinalParam(n, scope, out);
    else if (n instanceof QueryNoWithContext) checkOrderBy(n, out);
    else if (n instanceof QuerySpecificationContext) checkSpecColumns(n, scope, relations, out);
    else if (n instanceof NamedQueryContext || n instanceof AliasedRelationContext) {
      checkAliasCount(n, relations, out);
      if (n instanceof AliasedRelationContext) checkUnnestAliases(n, scope, out);
    }
    if (!tableRefused) checkValueTypes(n, scope, out);
  });
  // The sender's bound values (ExecutionParameters) fill them only when they are as many.
  if (bare.length !== boundPlaceholders) out.push(...bare);
  return out;
}

/**
 * The columns a query specification's references can name (relations.ts): a name no relation has
 * (column-scope.ts), a select alias in WHERE, GROUP BY or HAVING (clause-aliases.ts).
 */
function checkSpecColumns(
  spec: QuerySpecificationContext,
  scope: Scope,
  relations: Relations,
  out: SqlProblem[],
): void {
  const defined = (name: string) => scope.defined.has(name);
  checkScopedColumns(spec, relations, defined, out);
  const visible = visibleRelations(spec, relations);
  const columns = visible && new Set(visible.flatMap((r) => r.columns!.map((c) => c.name ?? "")));
  checkClauseAliases(spec, columns, (c) => sourceText(c, scope), out);
  checkGrouping(spec, relations, (c) => sourceText(c, scope), out);
}

/**
 * The columns each `<row>.*` of the select lists gives (row-star.ts) are names the query defines
 * (`ORDER BY arn`, an outer query's `x.arn`); returns what Trino refuses of them.
 */
function rowStars(tree: ParseTree, scope: Scope, relations: Relations): SqlProblem[] {
  const problems: SqlProblem[] = [];
  const given: string[] = [];
  walk(tree, (n) => {
    if (!(n instanceof TableAllColumnsContext)) return;
    let spec: ParserRuleContext | null = n;
    while (spec && !(spec instanceof QuerySpecificationContext)) spec = spec.parent;
    const names = {
      isCloudTrail: (name: string) => scope.cloudtrail.has(name),
      isDefined: (name: string) => scope.defined.has(name) || scope.readsExtra,
      // A WITH query's or a subquery's row column (`x.u.*`): the CloudTrail row it reads.
      derivedPath: (parts: readonly string[]) =>
        spec ? pathOf([...parts], relations.of(spec as QuerySpecificationContext)) : undefined,
    };
    given.push(...rowStarColumns(n, names, problems));
  });
  for (const name of given) scope.defined.add(name);
  return problems;
}

/**
 * The types Trino converts into no common one (set operations, CASE, IF, NULLIF, COALESCE),
 * conditions that are no boolean (set-types.ts, value-types.ts), function arguments no
 * overload takes (argument-types.ts), and subscripts of STRING columns (subscripts.ts).
 */
function checkValueTypes(n: ParserRuleContext, scope: Scope, out: SqlProblem[]): void {
  const text = (c: ParserRuleContext) => sourceText(c, scope);
  if (n instanceof SetOperationContext) checkSetOperation(n, typingOf(scope), text, out);
  checkCommonType(n, typingOf(scope), text, out);
  checkCondition(n, typingOf(scope), text, out);
  checkArgumentTypes(n, typingOf(scope), text, out);
  checkSubscript(n, typingOf(scope), out);
}

/** Functions that return an array of scalars (text, numbers, times) whatever their arguments. */
const SCALAR_ARRAYS = new Set(["split", "regexp_extract_all", "sequence"]);

/**
 * How many columns one UNNEST argument gives, where the syntax shows it for sure: `ARRAY[...]` of
 * values of known scalar types one (also `split`, `regexp_extract_all`, `sequence`), `MAP(...)` two (key and value). Undefined for anything else:
 * an array of rows gives a column per field in Trino (StatementAnalyzer.visitUnnest), and
 * `UNNEST(resources)` is judged by checkRowAliases.
 */
function unnestedColumns(arg: ParserRuleContext, scope: Scope): number | undefined {
  const at = unwrap(arg);
  if (at instanceof ArrayConstructorContext) {
    const items = at.expression();
    const typing = typingOf(scope);
    return items.length > 0 && items.every((e) => typeOf(e, typing) !== undefined) ? 1 : undefined;
  }
  const name = at instanceof FunctionCallContext ? at.functionName().getText().toLowerCase() : "";
  if (name === "map") return (at as FunctionCallContext).expression().length === 2 ? 2 : undefined;
  // Functions whose array is of text or numbers whatever their arguments.
  return SCALAR_ARRAYS.has(name) ? 1 : undefined;
}

/**
 * `UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS u(x)`: a column alias list of another length than
 * the UNNEST's columns (each scalar array's one, a map's two, the ordinality's one), refused in
 * Trino's words ("Column alias list has 1 entries but 'u' has 2 columns available"); DuckDB named
 * the first and answered.
 */
function checkUnnestAliases(n: AliasedRelationContext, scope: Scope, out: SqlProblem[]): void {
  const list = n.columnAliases();
  const alias = n.identifier();
  if (!list || !alias) return;
  let unnest: UnnestContext | undefined;
  walk(n.relationPrimary(), (c) => {
    if (c instanceof UnnestContext) unnest ??= c;
  });
  if (unnest === undefined) return;
  const given = list.identifier().length;
  if (checkRowAliases(n, unnest, given, out)) return;
  let columns = unnest.KW_ORDINALITY() ? 1 : 0;
  for (const arg of unnest.expression()) {
    const k = unnestedColumns(arg, scope);
    if (k === undefined) return;
    columns += k;
  }
  if (given === columns) return;
  out.push({
    ...at(n),
    severity: "error",
    rule: "sql-column",
    message: `Column alias list has ${given} entries but '${nameText(alias.getText())}' has ${columns} columns available${unnest.KW_ORDINALITY() ? " (WITH ORDINALITY adds one, the position)" : ""}`,
  });
}

/**
 * `UNNEST(resources)`'s column alias list: a name for each field of its rows (Trino's columns), or
 * one for the whole row (Athena's CloudTrail guide: `CROSS JOIN UNNEST(t.resources) unnested
 * (resources_entry)`, then `resources_entry.ARN`), and one more WITH ORDINALITY; any other count
 * is refused in Trino's words (the local engine named the first fields and answered). Whether the
 * UNNEST was this one (else the caller judges it).
 */
function checkRowAliases(
  n: AliasedRelationContext,
  unnest: UnnestContext,
  given: number,
  out: SqlProblem[],
): boolean {
  const fields = unnestedRowFields(unnest);
  if (fields.length === 0) return false;
  const ordinal = unnest.KW_ORDINALITY() ? 1 : 0;
  if (given === 1 + ordinal || given === fields.length + ordinal) return true;
  const alias = nameText(n.identifier()!.getText());
  out.push({
    ...at(n),
    severity: "error",
    rule: "sql-column",
    message: `Column alias list has ${given} entries but '${alias}' has ${fields.length + ordinal} columns available (resources' rows have ${fields.length} fields, ${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}: name each, or name the whole row once, as in r(res), and read res.arn)${ordinal ? " (WITH ORDINALITY adds one, the position)" : ""}`,
  });
  return true;
}

/** A `U&'...'` literal Trino's parser refuses to decode (unicode-string.ts), in its words. */
function checkUnicodeString(n: UnicodeStringLiteralContext, out: SqlProblem[]): void {
  const body = n.UNICODE_STRING().getText().slice(3, -1);
  const uescape = n.STRING()?.getText().slice(1, -1);
  const decoded = decodeUnicodeString(body, uescape);
  if (!("error" in decoded)) return;
  out.push({
    line: n.start!.line,
    column: n.start!.column + 1,
    severity: "error",
    rule: "sql-syntax",
    message: `${decoded.error} (Athena, Trino: a U&'...' literal writes a code point as the escape and 4 hex digits, or the escape, + and 6; the escape twice for itself)`,
  });
}

/**
 * A bare `?`: a prepared statement's placeholder, which nothing binds (the runner binds
 * `{{name}}`). Every engine refused the step when it ran, each in its own words (review).
 */
function barePlaceholder(n: ParameterContext): SqlProblem {
  return {
    line: n.start?.line ?? 1,
    column: (n.start?.column ?? 0) + 1,
    severity: "error",
    rule: "sql-placeholder",
    message:
      "a bare ? is a placeholder nothing binds: refer to a parameter as {{name}} (declared under params:), which the runner binds",
  };
}

/** Whether an ORDER BY item orders a window (`OVER (ORDER BY ...)`) or an aggregate's input, where a number is a value on both engines. */
function inWindowOrAggregate(n: ParserRuleContext): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p instanceof WindowSpecificationContext || p instanceof FunctionCallContext) return true;
  }
  return false;
}

/**
 * A number parameter as a whole ORDER BY or GROUP BY item: Athena, which receives it as a literal
 * there, reads `ORDER BY 2` as the second column, where the local engine binds a value and orders
 * by a constant (another "top 3", found by review). Refused: the query's shape is the author's.
 */
function checkOrdinalParam(
  n: SortItemContext | GroupingTermContext,
  scope: Scope,
  out: SqlProblem[],
): void {
  const expr = n.expression();
  if (!expr || inWindowOrAggregate(n)) return;
  const lit = innermost(expr);
  if (!(lit instanceof NumericLiteralContext)) return;
  const written = lit.getText();
  const param = scope.params.get(lit.start!.start + (written.startsWith("-") ? 1 : 0));
  if (param === undefined) return;
  const clause = n instanceof SortItemContext ? "ORDER BY" : "GROUP BY";
  out.push({
    line: lit.start!.line,
    column: lit.start!.column + 1,
    severity: "error",
    rule: "sql-athena",
    message: `{{${param}}} as a whole ${clause} item is a column's position on Athena (2 is the second column) and a value on the local engine, so the engines would answer differently: write the column, or its position, in the query`,
  });
}

function collectDefinitions(n: ParserRuleContext, scope: Scope, tables: TableResolver): void {
  const add = (id: IdentifierContext | null | undefined) => {
    if (id) scope.defined.add(nameOf(id).text.toLowerCase());
  };
  if (n instanceof NamedQueryContext) add(n.identifier());
  else if (n instanceof ColumnAliasesContext) for (const id of n.identifier()) add(id);
  else if (n instanceof SelectItemContext) {
    // Its output column's name: the alias, or the field a dotted reference reads
    // (`useridentity.arn` is `arn`, which ORDER BY may name, as on Trino). A lone column's name
    // is the column's own, checked where it stands.
    const name = outputName(n);
    const dotted = n.getText().includes(".");
    if (name !== undefined && (n.identifier() || dotted)) scope.defined.add(name);
  } else if (n instanceof LambdaContext) for (const id of n.identifier()) add(id);
  else if (n instanceof WindowDefinitionContext) add(n._name);
  else if (n instanceof AliasedRelationContext) {
    const alias = n.identifier();
    const primary = n.relationPrimary();
    const parts = primary instanceof TableNameContext ? tableParts(primary) : [];
    const kind = parts.length > 0 ? tables.resolve(parts.map((p) => p.text)) : undefined;
    if (kind?.kind === "cloudtrail") {
      scope.cloudtrail.add(parts[parts.length - 1]!.text.toLowerCase());
      if (alias) scope.cloudtrail.add(nameOf(alias).text.toLowerCase());
    } else {
      if (kind?.kind === "extra") scope.readsExtra = true;
      add(alias);
      if (!n.columnAliases()) for (const f of unnestedRowFields(primary)) scope.defined.add(f);
    }
  }
}

/**
 * The columns `UNNEST(resources)` has without a column list: the fields of its rows (Trino names
 * an unnested row's columns by its fields). None for anything else.
 */
function unnestedRowFields(primary: ParserRuleContext): string[] {
  let unnest: UnnestContext | undefined;
  walk(primary, (c) => {
    if (c instanceof UnnestContext) unnest ??= c;
  });
  const args = unnest?.expression() ?? [];
  const text = args.length === 1 ? (args[0]?.getText().toLowerCase() ?? "") : "";
  const field = /(^|\.)resources$/.test(text) ? COLUMNS.get("resources") : undefined;
  return field?.kind === "struct-array" ? field.fields.map((f) => f.name.toLowerCase()) : [];
}

function tableParts(t: TableNameContext): Name[] {
  const ref = t.tableOrViewName().tableRef() ?? t.tableOrViewName().viewRef();
  return ref ? ref.identifier().map(nameOf) : [];
}

/** A relation a step may not read, or reads in a form the window's scoping would not see. */
function checkRelation(
  n: ParserRuleContext,
  scope: Scope,
  tables: TableResolver,
  out: SqlProblem[],
): void {
  const at = (message: string) =>
    out.push({
      line: n.start!.line,
      column: n.start!.column + 1,
      severity: "error",
      rule: "sql-table",
      message,
    });
  if (n instanceof TableNameContext) checkTable(n, scope, tables, out);
  else if (n instanceof TableContext) {
    // `TABLE name` (Trino's short `SELECT * FROM name`): the window's scoping and the table
    // check look for tables after FROM and JOIN (red-team: Athena got it unscoped).
    const name = n.tableRef().getText();
    at(`TABLE ${name} is not read in a step: write (SELECT * FROM ${name})`);
  } else if (n instanceof ParenthesizedRelationContext) {
    // `FROM (cloudtrail_logs)`, `FROM ((SELECT ...) t)`: Trino reads them, DuckDB parses neither,
    // and the window's scoping looks for a table right after FROM or JOIN (red-team: Athena got
    // the first unscoped).
    const subquery = /^\(\((select|with|values)/i.test(n.getText());
    at(
      subquery
        ? "a subquery in parentheses of its own (FROM ((SELECT ...) t)) is not read in a step: the local engine does not parse it; write it without the outer parentheses (FROM (SELECT ...) t)"
        : "a relation in parentheses (FROM (cloudtrail_logs)) is not read in a step: write it without the parentheses, or as a subquery (SELECT ... FROM ...)",
    );
  } else if (n instanceof NamedQueryContext) checkCteName(n, tables, out);
  else if (n instanceof JoinRelationContext && n.KW_NATURAL()) {
    // Trino's analyzer: "Natural join not supported" (TestAnalyzer.testNaturalJoinNotSupported);
    // DuckDB joined on the columns of the same name.
    const natural = n.KW_NATURAL()!.symbol;
    out.push({
      line: natural.line,
      column: natural.column + 1,
      severity: "error",
      rule: "sql-athena",
      message:
        "NATURAL JOIN is not supported on Athena (Trino): name the columns, JOIN ... USING (column) or JOIN ... ON a.column = b.column",
    });
  } else if (n instanceof TableFunctionCallContext) {
    const name = namesOf(n.functionName().qualifiedName())
      .map((p) => p.text.toLowerCase())
      .join(".");
    at(
      `table function ${name}() is not readable: a sql step reads ${tables.readableNames().join(", ")}`,
    );
  }
}

/**
 * A WITH query named like a readable table (`WITH cloudtrail_logs AS (...)`) is refused: Trino
 * reads the WITH query, and the window's scoping of the table would read the table instead.
 */
function checkCteName(n: NamedQueryContext, tables: TableResolver, out: SqlProblem[]): void {
  const name = nameOf(n.identifier());
  if (tables.resolve([name.text.toLowerCase()]) === undefined) return;
  out.push(
    problem(
      name,
      "sql-table",
      `the WITH query "${name.text}" has the name of a table a step reads: give it another name`,
    ),
  );
}

function checkTable(t: TableNameContext, scope: Scope, tables: TableResolver, out: SqlProblem[]) {
  const parts = tableParts(t);
  if (parts.length === 0) return;
  const lower = parts.map((p) => p.text.toLowerCase());
  if (lower.length === 1 && scope.defined.has(lower[0]!)) return; // a CTE
  if (tables.resolve(lower) !== undefined) return;
  const full = lower.join(".");
  const readable = tables.readableNames().join(", ");
  const hint = didYouMean(full, [...tables.allSpellings(), ...scope.defined]);
  out.push(
    problem(
      parts[0]!,
      "sql-table",
      `table "${full}" is not readable${hint}: a sql step reads ${readable} (configure more under tables: in run-md.config.yaml)`,
    ),
  );
}

/**
 * `l.*` or `cloudtrail_logs.*` in a select list: every column of that CloudTrail relation (Trino's
 * `selectItem: primaryExpression '.' ASTERISK`), not a column named `l`. It was refused as an
 * unknown column, though Athena and DuckDB both read it.
 */
function cloudTrailStar(n: QualifiedNameContext, scope: Scope): boolean {
  if (!(n.parent?.parent?.parent instanceof TableAllColumnsContext)) return false;
  const parts = namesOf(n);
  return parts.length === 1 && scope.cloudtrail.has(parts[0]!.text.toLowerCase());
}

function checkColumn(path: Name[], scope: Scope, out: SqlProblem[]): void {
  let parts = path;
  const head = parts[0]?.text.toLowerCase();
  if (head === undefined) return;
  if (parts.length > 1 && scope.cloudtrail.has(head)) parts = parts.slice(1);
  else if (scope.defined.has(head)) return;
  const first = parts[0]!;
  const field = COLUMNS.get(first.text.toLowerCase());
  if (field === undefined) {
    if ((PARTITION_COLUMNS as readonly string[]).includes(first.text.toLowerCase())) return;
    if (scope.defined.has(first.text.toLowerCase()) || scope.readsExtra) return;
    out.push(problem(first, "sql-column", unknownColumn(first)));
    return;
  }
  checkFields(field, parts.slice(1), out);
}

/** The Hive connector's hidden columns, which Athena's tables have and run-md's do not. */
const HIDDEN_COLUMNS = ["$path", "$file_size", "$file_modified_time", "$partition", "$bucket"];

function unknownColumn(n: Name): string {
  if (n.quoted && HIDDEN_COLUMNS.includes(n.text)) {
    return `"${n.text}" is a hidden column of Athena's Hive tables (the S3 object a row was read from, its size or time, its partition), which the local engine's cloudtrail_logs does not have, so a step that reads it could not run on every engine: leave it out of the step (query Athena directly to find the files)`;
  }
  // A name broken by a line break or a space inside its quotes ("userid\nentity", as a published
  // view has it): Trino reads the quoted name as written, so it names no column. The hint to write
  // a string fits a value in double quotes, not this.
  const joined = n.quoted ? n.text.replace(/\s+/g, "").toLowerCase() : "";
  if (joined !== n.text.toLowerCase() && COLUMN_NAMES.includes(joined)) {
    return `"${n.text.replace(/\n/g, "\\n")}" is no column: a quoted name is read as written, its line break or space included: write ${joined}`;
  }
  if (n.quoted && !/^[a-z_][a-z0-9_]*$/.test(n.text)) {
    return `"${n.text}" is a quoted identifier (a column name) in Athena: write a string with single quotes, '${n.text.replaceAll("'", "''")}'`;
  }
  return `unknown column "${n.text}"${didYouMean(n.text, COLUMN_NAMES)}`;
}

function checkFields(field: Field, rest: Name[], out: SqlProblem[]): void {
  let f = field;
  let path = f.name.toLowerCase();
  for (const [i, part] of rest.entries()) {
    if (f.kind === "json") {
      const json = jsonPath(rest.slice(i)).replaceAll("'", "''");
      out.push(
        problem(
          part,
          "sql-athena",
          `${path} is a STRING of JSON text in Athena's table, not a struct: write json_extract_scalar(${path}, '${json}')`,
        ),
      );
      return;
    }
    if (f.kind !== "struct") return; // maps and arrays: subscripts, not fields
    const name = part.text.toLowerCase();
    const next = f.fields.find((x) => x.name.toLowerCase() === name);
    if (next === undefined) {
      const names = f.fields.map((x) => x.name.toLowerCase());
      out.push(
        problem(
          part,
          "sql-column",
          `${path} has no field "${part.text}"${didYouMean(name, names)}`,
        ),
      );
      return;
    }
    f = next;
    path = `${path}.${name}`;
  }
}

/**
 * The JSON path of the fields a dotted reference reads inside a JSON text column, all of them
 * (`responseelements.assumedRoleUser.arn` → `$.assumedRoleUser.arn`: the hint named only the
 * first, an object, of which json_extract_scalar gives NULL), as jsonPathOf writes it.
 */
function jsonPath(fields: Name[]): string {
  return jsonPathOf(fields.map((f) => f.written));
}

/**
 * `count(DISTINCT x) OVER (...)`: Trino's analyzer refuses DISTINCT in a window function's
 * arguments ("not yet supported", trinodb/trino#7885); DuckDB counted, so the step answered
 * locally and failed on Athena.
 */
function checkWindowDistinct(call: FunctionCallContext, out: SqlProblem[]): void {
  const distinct = call.setQuantifier()?.KW_DISTINCT();
  if (!distinct || !call.over()) return;
  out.push({
    line: distinct.symbol.line,
    column: distinct.symbol.column + 1,
    severity: "error",
    rule: "sql-athena",
    message:
      "DISTINCT in a window function is not supported on Athena (Trino): count the distinct values with cardinality(array_distinct(filter(array_agg(x) OVER (...), v -> v IS NOT NULL))), or aggregate with GROUP BY and join",
  });
}

function checkFunction(call: FunctionCallContext, out: SqlProblem[]): void {
  const parts = namesOf(call.functionName().qualifiedName());
  const last = parts[parts.length - 1];
  if (last === undefined || parts.length > 1) return;
  const name = last.text.toLowerCase();
  if (ATHENA_FUNCTIONS.has(name)) return;
  const instead = DUCKDB_ONLY[name];
  out.push(
    problem(
      last,
      "sql-function",
      instead !== undefined
        ? `${name}() is a DuckDB function that Athena does not have: write ${instead}`
        : `unknown function ${name}(): Athena engine v3 has no such function${didYouMean(name, FUNCTION_NAMES)}`,
    ),
  );
}

/** `CAST(eventtime AS timestamp)`: the ISO-8601 text (`2026-11-23T10:00:00Z`) does not cast. */
function checkCast(cast: CastContext, out: SqlProblem[]): void {
  const operand = cast.expression().getText().toLowerCase().replaceAll('"', "");
  const type = cast.type().getText().toLowerCase();
  if (!/(^|\.)eventtime$/.test(operand) || !/^(timestamp|date)/.test(type)) return;
  const start = cast.start!;
  const operandText = cast.expression().getText();
  out.push({
    line: start.line,
    column: start.column + 1,
    severity: "error",
    rule: "sql-athena",
    message: `eventtime is ISO-8601 text ('2026-11-23T10:00:00Z') that CAST(... AS ${type}) rejects on Athena: write ${type.startsWith("date") ? `date(from_iso8601_timestamp(${operandText}))` : `from_iso8601_timestamp(${operandText})`}`,
  });
}

/**
 * A comparison (`=`, `<`, `IN`, `BETWEEN`, `IS DISTINCT FROM`, ...) of a column of the CloudTrail
 * table, all of whose columns are STRING in Athena's DDL (`readonly` holds 'true'/'false',
 * partitions hold '2026'), with a number or a boolean: Athena fails ("Cannot apply operator:
 * varchar = boolean") where DuckDB would cast the text and answer.
 */
function checkComparedTypes(n: PredicatedContext, scope: Scope, out: SqlProblem[]): void {
  const predicate = n.predicate();
  const others =
    predicate instanceof ComparisonContext || predicate instanceof DistinctFromContext
      ? [predicate._right]
      : predicate instanceof BetweenContext
        ? [predicate._lower, predicate._upper]
        : predicate instanceof InListContext
          ? predicate.expression()
          : [];
  comparePairs(n.valueExpression(), others, scope, out);
  if (predicate instanceof ComparisonContext || predicate instanceof BetweenContext) {
    checkEndDatePartition(n.valueExpression(), others, scope, out);
  }
}

/** The day partitions, named `yyyy/MM/dd` as `{{start_date}}` and `{{end_date}}` are. */
const DAY_PARTITIONS = new Set(["timestamp", "date_partition"]);

/**
 * A day partition compared with `{{end_date}}`: CloudTrail delivers the last minutes of a day in
 * the next day's files, which such a filter never reads (review: an event at 23:58 delivered
 * after midnight was left out). The runner scopes the partitions itself with a day's margin.
 */
function checkEndDatePartition(
  left: ParserRuleContext,
  others: (ParserRuleContext | undefined)[],
  scope: Scope,
  out: SqlProblem[],
): void {
  const sides = [left, ...others].filter((c) => c !== undefined);
  const partition = sides.find((c) => DAY_PARTITIONS.has(stringColumn(c, scope) ?? ""));
  const endDate = sides.find((c) => sourceText(innermost(c), scope).trim() === "{{end_date}}");
  if (partition === undefined || endDate === undefined) return;
  out.push({
    ...at(endDate),
    severity: "warning",
    rule: "sql-partition",
    message: `${sourceText(partition, scope).trim()} compared with {{end_date}} leaves out the window's last minutes that CloudTrail delivered after midnight (in the next day's partition): leave the partitions to the runner, which scopes them with a day's margin, and filter eventtime with {{start}} and {{end}}`,
  });
}

/** `CASE year WHEN 2026 THEN ...`: each WHEN value is compared with the operand. */
function checkCaseTypes(n: SimpleCaseContext, scope: Scope, out: SqlProblem[]): void {
  const operand = n._operand;
  if (operand === undefined) return;
  comparePairs(
    operand,
    n.whenClause().map((w) => w._condition),
    scope,
    out,
  );
}

function comparePairs(
  left: ParserRuleContext,
  others: (ParserRuleContext | undefined)[],
  scope: Scope,
  out: SqlProblem[],
): void {
  pairs: for (const other of others) {
    if (other === undefined) continue;
    for (const [a, b] of [
      [left, other],
      [other, left],
    ] as const) {
      const [column, literal] = [stringColumn(a, scope), literalKind(b)];
      if (column && literal) {
        out.push(mismatch(column, b, literal, scope));
        continue pairs;
      }
    }
    const typing = typingOf(scope);
    const [l, r] = [typeOf(left, typing), typeOf(other, typing)];
    if (l && r && incomparable(l, r)) out.push(typeMismatch(left, l, other, r, scope));
  }
}

function mismatch(
  column: string,
  at: ParserRuleContext,
  literal: "boolean" | "number",
  scope: Scope,
): SqlProblem {
  const lit = innermost(at);
  const written = lit.getText();
  // A negated number is one literal (`-{{n}}` masked is `-0`): the parameter starts after the sign.
  const sign = written.startsWith("-") ? "-" : "";
  const param = scope.params.get(lit.start!.start + sign.length);
  const text = param === undefined ? written : `${sign}{{${param}}}`;
  // A number parameter is masked as `0` (integer) or `0.0` (number): maskParams.
  const type = literal === "boolean" ? "boolean" : /^-?\d+$/.test(written) ? "bigint" : "double";
  const numbers = `CAST(${column} AS ${type}) to compare numbers`;
  const instead =
    param !== undefined
      ? literal === "boolean"
        ? `write CAST(${text} AS varchar), or declare the parameter as a string`
        : `write ${numbers}`
      : literal === "boolean"
        ? `write the text '${text.toLowerCase()}'`
        : `write the text '${text}', or ${numbers}`;
  const what = param === undefined ? `the ${literal} ${text}` : `the ${literal} parameter ${text}`;
  return {
    line: lit.start!.line,
    column: lit.start!.column + 1,
    severity: "error",
    rule: "sql-athena",
    message: `${column} is a STRING (varchar) in Athena's table: Athena refuses to compare it with ${what}; ${instead}`,
  };
}

/**
 * Through a chain of one-child wrappers (expression, predicate, value) and parentheses down to a
 * column reference, a literal, or whatever else the chain holds.
 */
function innermost(ctx: ParserRuleContext): ParserRuleContext {
  let at = ctx;
  while (
    !(at instanceof ColumnReferenceContext) &&
    !(at instanceof NumericLiteralContext) &&
    !(at instanceof BooleanLiteralContext)
  ) {
    if (at instanceof ParenthesizedExpressionContext) at = at.expression();
    else if (at.children?.length === 1 && "children" in (at.children[0] as ParserRuleContext)) {
      at = at.children[0] as ParserRuleContext;
    } else break;
  }
  return at;
}

function literalKind(ctx: ParserRuleContext): "boolean" | "number" | undefined {
  const at = innermost(ctx);
  if (at instanceof BooleanLiteralContext) return "boolean";
  if (at instanceof NumericLiteralContext) return "number";
  return undefined;
}

/** The lower-case path of a CloudTrail string column `ctx` names, when it names one for sure. */
function stringColumn(ctx: ParserRuleContext, scope: Scope): string | undefined {
  const name = referenceName(ctx);
  if (name === undefined) return undefined;
  let parts = namesOf(name).map((p) => p.text.toLowerCase());
  const head = parts[0];
  if (head === undefined) return undefined;
  // Only a name that can stand for the CloudTrail table and nothing the query defines (an alias
  // used for both, a CTE's column of the same name): the rule must never refuse what Athena runs.
  if (scope.defined.has(head)) return undefined;
  if (parts.length > 1 && scope.cloudtrail.has(head)) parts = parts.slice(1);
  else if (scope.readsExtra) return undefined;
  if (scope.defined.has(parts[0]!)) return undefined;
  if (parts.length === 1 && (PARTITION_COLUMNS as readonly string[]).includes(parts[0]!)) {
    return parts[0];
  }
  let field = COLUMNS.get(parts[0]!);
  for (const part of parts.slice(1)) {
    field =
      field?.kind === "struct"
        ? field.fields.find((f) => f.name.toLowerCase() === part)
        : undefined;
  }
  return field?.kind === "string" || field?.kind === "json" ? parts.join(".") : undefined;
}

/** What the type inference (types.ts) asks of this query: its CloudTrail columns, its parameters. */
function typingOf(scope: Scope): Typing {
  return {
    column: (ctx) => stringColumn(ctx, scope),
    textParam: (offset) => scope.refs.get(offset)?.text === true,
  };
}

/** The text of `ctx` as the author wrote it: whitespace kept, `{{name}}` for each parameter. */
function sourceText(ctx: ParserRuleContext, scope: Scope): string {
  const start = ctx.start;
  const stop = ctx.stop;
  const input = start?.inputStream;
  if (!start || !stop || !input || stop.stop < start.start) return ctx.getText();
  let out = "";
  let pos = start.start;
  const refs = [...scope.refs].sort((a, b) => a[0] - b[0]);
  for (const [offset, ref] of refs) {
    if (offset < pos || offset > stop.stop) continue;
    if (offset > pos) out += input.getText(pos, offset - 1);
    out += `{{${ref.name}}}`;
    pos = offset + ref.length;
  }
  if (pos <= stop.stop) out += input.getText(pos, stop.stop);
  return out;
}

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?)?$/;

/** What to write instead of comparing `a` (of type `ta`) with `b` (of type `tb`), if anything. */
function insteadOf(
  a: ParserRuleContext,
  ta: SqlType,
  b: ParserRuleContext,
  tb: SqlType,
  scope: Scope,
): string | undefined {
  // The text side second.
  if (ta.group === "varchar") return insteadOf(b, tb, a, ta, scope);
  if (tb.group !== "varchar") return undefined;
  const text = sourceText(b, scope);
  const literal = unwrap(b) instanceof StringLiteralContext ? unquote(text) : undefined;
  if (ta.group === "temporal") {
    if (ta.name === "date") {
      return literal !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(literal)
        ? `DATE '${literal}'`
        : `date(from_iso8601_timestamp(${text}))`;
    }
    if (literal === undefined || !TIMESTAMP_TEXT.test(literal)) {
      return `from_iso8601_timestamp(${text})`;
    }
    const [day, time = "00:00:00"] = literal.split(" ");
    return `TIMESTAMP '${literal}', or from_iso8601_timestamp('${day}T${time}Z')`;
  }
  if (ta.group === "number") {
    if (literal !== undefined && /^-?\d+(\.\d+)?$/.test(literal)) return `the number ${literal}`;
    const type = ta.name === "integer" || ta.name === "bigint" ? "bigint" : "double";
    return `CAST(${text} AS ${type})`;
  }
  if (ta.group === "boolean") {
    if (literal === "true" || literal === "false") return `the boolean ${literal}`;
    const other = sourceText(a, scope);
    return unwrap(a) instanceof BooleanLiteralContext
      ? `the text '${other.toLowerCase()}'`
      : `CAST(${other} AS varchar)`;
  }
  return undefined;
}

function describe(ctx: ParserRuleContext, type: SqlType, scope: Scope): string {
  const text = sourceText(ctx, scope);
  const param =
    unwrap(ctx) instanceof ParameterContext
      ? " (a parameter other than a boolean or a number is bound as text)"
      : "";
  return `${text} is ${article(type.name)}${param}`;
}

/**
 * A comparison of two values whose types Trino does not convert into one another (a timestamp
 * and text, text and a number, a date and text...): Athena fails ("Cannot apply operator:
 * timestamp(3) with time zone > varchar(19)") where DuckDB converts one and answers.
 */
function typeMismatch(
  left: ParserRuleContext,
  l: SqlType,
  other: ParserRuleContext,
  r: SqlType,
  scope: Scope,
): SqlProblem {
  const instead = insteadOf(left, l, other, r, scope);
  return {
    ...at(other),
    severity: "error",
    rule: "sql-athena",
    message: `${describe(left, l, scope)} and ${describe(other, r, scope)}: Athena refuses to compare them (it converts neither to the other's type, where DuckDB does); ${instead === undefined ? "convert one of them explicitly" : `write ${instead}`}`,
  };
}

const TO_TEXT: Partial<Record<SqlType["group"], (text: string) => string>> = {
  number: (x) => `CAST(${x} AS varchar)`,
  boolean: (x) => `CAST(${x} AS varchar)`,
  temporal: (x) => `to_iso8601(${x})`,
};

/**
 * A concatenation of text with a number, a boolean or a time (`eventname || 1`,
 * `concat(eventname, 1)`): Trino has no such concat ("Unexpected parameters (varchar, integer)
 * for function concat") where DuckDB converts the value to text.
 */
function concatMismatch(
  what: string,
  args: readonly (ParserRuleContext | undefined)[],
  scope: Scope,
  out: SqlProblem[],
): void {
  const typing = typingOf(scope);
  const typed = args.flatMap((a) => (a ? [{ a, t: typeOf(a, typing) }] : []));
  const text = typed.find((x) => x.t?.group === "varchar");
  if (text === undefined) return;
  for (const { a, t } of typed) {
    const convert = t ? TO_TEXT[t.group] : undefined;
    if (t === undefined || convert === undefined) continue;
    const value = sourceText(a, scope);
    out.push({
      ...at(a),
      severity: "error",
      rule: "sql-athena",
      message: `${what} of ${sourceText(text.a, scope)}, a varchar, and ${value}, ${article(t.name)}: Athena has no concat(varchar, ${t.name}) (it converts no ${t.name} to text, where DuckDB does); write ${convert(value)} in its place`,
    });
    return; // Athena reports the call once
  }
}

function checkConcatenation(n: ConcatenationContext, scope: Scope, out: SqlProblem[]): void {
  concatMismatch("||", [n._left, n._right], scope, out);
}

function checkConcatCall(call: FunctionCallContext, scope: Scope, out: SqlProblem[]): void {
  const parts = call.functionName().qualifiedName()?.identifier() ?? [];
  if (parts.length !== 1 || parts[0]!.getText().toLowerCase() !== "concat") return;
  concatMismatch("concat()", call.expression(), scope, out);
}
