/**
 * A row's fields as columns (`c.useridentity.*`, `useridentity.sessioncontext.*`, `AS (a, b, ...)`
 * naming them), which DuckDB's parser refuses after a dotted name: each such item over the
 * CloudTrail table becomes the list of its fields, `c.useridentity.type AS "type", ...`, named as
 * Trino names them (the fields, or the column list), before parsing. What a chain names is
 * @run-md/sql's `rowStarFields`, the checker's rule too. A chain whose head is no table (a WITH
 * query's or subquery's row column, `x.u.*`) becomes `__runmd_row_star(x.u, 'a', ...)`, which
 * DuckDB parses, and `expandDerivedRowStars` (derived-row-star.ts) writes out from the tree.
 */
import { nameText, rowStarFields } from "@run-md/sql";
import { mapCode } from "./rewrite.ts";

const PART = `(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
/** `<name>.<name>[...].*`, optionally with `AS (a, b, ...)`, as a select item starts. */
const ROW_STAR = new RegExp(
  `(?<![\\w$."])(${PART}(?:\\s*\\.\\s*${PART})+)\\s*\\.\\s*\\*(\\s+AS\\s*\\(([^()]*)\\))?`,
  "gi",
);
/** Words after a table reference that are no alias. */
const NOT_ALIASES =
  "where|join|left|right|inner|full|cross|on|using|group|order|limit|union|except|intersect|having|window|offset|fetch|tablesample|natural|for|from";
/** A table reference after FROM, JOIN or a comma, with its alias if it has one. */
const RELATION = new RegExp(
  `(?:\\bFROM|\\bJOIN|,)\\s+(${PART}(?:\\s*\\.\\s*${PART})*)(?:\\s+(?:AS\\s+)?(?!(?:${NOT_ALIASES})\\b)(${PART}))?`,
  "gi",
);

/** What `x.u.*` of a WITH query's or subquery's row stands as until the tree is read. */
export const ROW_STAR_CALL = "__runmd_row_star";

/** The chain's names. */
function partsOf(chain: string): string[] {
  return [...chain.matchAll(new RegExp(PART, "g"))].map((m) => nameText(m[0]));
}

/** The names the CloudTrail relation has in `code`: the table's (last part) and its aliases. */
function cloudTrailNames(code: string, tables: ReadonlySet<string>): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(RELATION)) {
    const parts = partsOf(m[1]!);
    if (!tables.has(parts.join("."))) continue;
    names.add(parts[parts.length - 1]!);
    if (m[2] !== undefined) names.add(nameText(m[2]));
  }
  return names;
}

/**
 * `sql` with every CloudTrail row's `.*` written out as its fields; `tables` are the table's
 * names in every spelling (`cloudtrail_logs`, `default.cloudtrail_logs`, ...), lower-cased.
 */
export function expandRowStars(sql: string, tables: ReadonlySet<string>): string {
  if (!/\.\s*\*/.test(sql)) return sql;
  // Strings and comments blanked, quoted names kept: positions are the text's.
  const code = mapCode(
    sql,
    (c) => c,
    (other) => (other.startsWith('"') ? other : " ".repeat(other.length)),
  );
  const relations = cloudTrailNames(code, tables);
  let out = "";
  let last = 0;
  for (const m of code.matchAll(ROW_STAR)) {
    const chain = sql.slice(m.index!, m.index! + m[1]!.length);
    const star = rowStarFields(partsOf(m[1]!), {
      isCloudTrail: (name) => relations.has(name),
      isDefined: () => false,
    });
    const aliases = m[3] === undefined ? [] : m[3].split(",").map((a) => nameText(a.trim()));
    if (star === undefined && !tables.has(partsOf(m[1]!).join("."))) {
      // A WITH query's or subquery's row column (`x.u.*`): expandDerivedRowStars reads the tree.
      const names = aliases.map((a) => `, '${a.replaceAll("'", "''")}'`).join("");
      out += `${sql.slice(last, m.index!)}${ROW_STAR_CALL}(${chain}${names})`;
      last = m.index! + m[0].length;
      continue;
    }
    if (star?.kind !== "fields") continue;
    if (aliases.length > 0 && aliases.length !== star.fields.length) continue;
    const items = star.fields.map((f, i) => {
      const name = aliases[i] ?? f.name.toLowerCase();
      return `${chain}.${f.name.toLowerCase()} AS "${name.replaceAll('"', '""')}"`;
    });
    out += sql.slice(last, m.index!) + items.join(", ");
    last = m.index! + m[0].length;
  }
  return out + sql.slice(last);
}
