/** A problem the SQL checker found, at a 1-based line and column of the query text. */
export interface SqlProblem {
  line: number;
  column: number;
  severity: "error" | "warning";
  /**
   * A stable rule id: sql-syntax, sql-statement, sql-athena, sql-table, sql-column,
   * sql-function, sql-placeholder, sql-partition (a warning), sql-local-only.
   */
  rule: string;
  message: string;
  /** A problem of the text itself (Athena refuses such a query when it is submitted). */
  syntax?: boolean;
}
