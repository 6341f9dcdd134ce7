/**
 * What `<chain>.*` in a select list means over the CloudTrail table, by Trino's rules (its
 * analyzer's identifier-chain resolution; TestAnalyzer.testSelectAllColumns and
 * testAsteriskedIdentifierChainResolution): a chain of one name is a relation only (`l.*`; a
 * column's `useridentity.*` is "Unable to resolve reference useridentity"); a longer chain is a
 * column of the FROM clause, qualified or not by a one-name relation alias, then fields
 * (`c.useridentity.*`, `useridentity.sessioncontext.*`), and must be a row ("expected expression
 * of type Row"). The row's fields become columns named as the fields, in the row's order; a
 * nested row stays one column holding the row. The checker (resolve.ts) and the local engine's
 * text rewrite (engine-local row-star.ts) both ask this module, so they cannot disagree.
 * Grammar-free: engine-local imports it through the package's index.
 */
import { COLUMNS, type Field } from "./cloudtrail.ts";

/** What the names before `.*` stand for in the query. */
export interface RowStarNames {
  /** A name of the CloudTrail relation: the table's name or its alias (`c` in `FROM cloudtrail_logs c`). */
  isCloudTrail(name: string): boolean;
  /** A name the query defines otherwise (a CTE, another relation's alias): not judged. */
  isDefined(name: string): boolean;
  /**
   * The CloudTrail path (lower-case, from its column) a chain whose head the query defines reads,
   * when it reads one (`x.u` of `WITH x AS (SELECT useridentity AS u ...)` is `useridentity`).
   */
  derivedPath?(parts: readonly string[]): string[] | undefined;
}

export type RowStar =
  /** The row's fields, which become the columns, and the row's path (lower-case, from its column). */
  | { kind: "fields"; path: string[]; fields: readonly Field[] }
  /** A column's name alone before `.*`: Trino reads a relation there, and finds none. */
  | { kind: "unresolved"; name: string; column: Field }
  /** A chain that names a value that is no row (`useridentity.type.*`). */
  | { kind: "not-row"; path: string[]; field: Field };

/**
 * What `parts` (lower-cased, the chain before `.*`) names; undefined when it is no CloudTrail
 * column (a relation's `*`, a CTE's column, a name reported elsewhere as unknown).
 */
export function rowStarFields(parts: readonly string[], names: RowStarNames): RowStar | undefined {
  const head = parts[0];
  if (head === undefined) return undefined;
  if (names.isDefined(head)) {
    const path = parts.length > 1 ? names.derivedPath?.(parts) : undefined;
    return path === undefined ? undefined : rowAt(path);
  }
  if (parts.length === 1) {
    const column = COLUMNS.get(head);
    if (names.isCloudTrail(head) || column === undefined) return undefined;
    return { kind: "unresolved", name: head, column };
  }
  return rowAt(names.isCloudTrail(head) ? parts.slice(1) : [...parts]);
}

/** What the CloudTrail path `path` (from its column) expands into. */
export function rowAt(path: readonly string[]): RowStar | undefined {
  let field = COLUMNS.get(path[0]!);
  for (const part of path.slice(1)) {
    // Fields of no row, or that the row lacks, are reported where the reference is checked.
    if (field?.kind !== "struct") return undefined;
    field = field.fields.find((f) => f.name.toLowerCase() === part);
  }
  if (field === undefined) return undefined;
  if (field.kind !== "struct") return { kind: "not-row", path: [...path], field };
  return { kind: "fields", path: [...path], fields: field.fields };
}

/** The Athena type of a field, as a message names it. */
export function athenaTypeOf(field: Field): string {
  switch (field.kind) {
    case "struct":
      return "row";
    case "struct-array":
      return "array(row)";
    case "string-map":
      return "map(varchar, varchar)";
    default:
      return "varchar";
  }
}
