/**
 * The client-side read-only gate for Athena: one statement, a query (SELECT, WITH or VALUES),
 * and none of the words that write or change anything. Fail-closed: what it cannot read as a
 * single read-only query is refused before anything is sent.
 */
import { RunMdError } from "@run-md/core";
import { isSignificant, tokenize } from "./lexer.ts";

const QUERY_STARTS = new Set(["select", "with", "values"]);

/** Statements and clauses that change data, metadata or the session. */
const WRITING_WORDS = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "create",
  "drop",
  "alter",
  "unload",
  "grant",
  "revoke",
  "call",
  "prepare",
  "execute",
  "deallocate",
  "msck",
  "truncate",
  "vacuum",
  "optimize",
  "refresh",
]);

function refuse(message: string): never {
  throw new RunMdError("sql-refused", message, {
    hint: "A step runs exactly one read-only query (SELECT or WITH ... SELECT).",
  });
}

export function assertReadOnly(sql: string): void {
  const tokens = tokenize(sql).filter(isSignificant);
  // A trailing `;` is allowed; any other ends one statement and starts another.
  while (tokens.length > 0 && tokens[tokens.length - 1]!.text === ";") tokens.pop();
  const first = tokens.find((t) => t.text !== "(");
  if (!first) refuse("the query is empty");
  if (first.kind !== "ident" || !QUERY_STARTS.has(first.value)) {
    refuse(`only SELECT queries can run, and this one starts with "${first.text}"`);
  }
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === "punct" && t.text === ";") refuse("the query holds more than one statement");
    if (t.kind !== "ident" || !WRITING_WORDS.has(t.value)) continue;
    const before = tokens[k - 1];
    const after = tokens[k + 1];
    // `x.delete` is a field and `update(...)` would be a function call, not a statement.
    if (before?.text === "." || after?.text === "(") continue;
    refuse(`the query contains "${t.text}", which is not allowed in a read-only step`);
  }
}
