/**
 * The shared reference corpus of published queries (`../shared/reference/queries/queries.tsv`):
 * one row a query, as `{column: value}` with the query text unescaped (`\n`, `\t`, `\r`, and a
 * backslash before any other character stands for that character).
 */
import { readFileSync } from "node:fs";

export function readQueriesTsv(tsv: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(tsv, "utf8").split("\n");
  const cols = header!.split("\t");
  return lines.filter(Boolean).map((line) => {
    const fields = line.split("\t");
    const row = Object.fromEntries(cols.map((c, i) => [c, fields[i] ?? ""]));
    row.query = unescapeTsv(row.query ?? "");
    return row;
  });
}

function unescapeTsv(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}
