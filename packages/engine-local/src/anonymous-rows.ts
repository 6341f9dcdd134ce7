/**
 * Trino's anonymous rows (`ROW(a, b)`, `(a, b)`) are DuckDB STRUCTs whose entries have no names,
 * so their values came out as one object keyed "" (every entry but the last lost). A statement
 * whose result holds one is wrapped to cast it to the same STRUCT with Athena's names, `field0`,
 * `field1`, ... (the names Athena's text shows: `{field0=a, field1=1}`).
 */
import { type DuckDBType, DuckDBTypeId } from "@duckdb/node-api";

/** Whether the type holds, at any depth, a STRUCT with an entry without a name. */
export function hasAnonymousRow(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DuckDBTypeId.STRUCT:
      return t.entryNames.some((n) => n === "") || t.entryTypes.some(hasAnonymousRow);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return hasAnonymousRow(t.valueType);
    case DuckDBTypeId.MAP:
      return hasAnonymousRow(t.keyType) || hasAnonymousRow(t.valueType);
    default:
      return false;
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The type as DuckDB SQL, each entry without a name named `field<i>`. */
export function namedTypeSql(t: DuckDBType): string {
  switch (t.typeId) {
    case DuckDBTypeId.STRUCT:
      return `STRUCT(${t.entryNames
        .map((n, i) => `${quoted(n === "" ? `field${i}` : n)} ${namedTypeSql(t.entryTypes[i]!)}`)
        .join(", ")})`;
    case DuckDBTypeId.LIST:
      return `${namedTypeSql(t.valueType)}[]`;
    case DuckDBTypeId.ARRAY:
      return `${namedTypeSql(t.valueType)}[${t.length}]`;
    case DuckDBTypeId.MAP:
      return `MAP(${namedTypeSql(t.keyType)}, ${namedTypeSql(t.valueType)})`;
    default:
      return t.toString();
  }
}

/**
 * `sql` wrapped to name its result's anonymous row entries, keeping its columns' names and order;
 * undefined when it has none.
 */
export function namedRowsSql(sql: string, columns: { name: string; type: DuckDBType }[]) {
  if (!columns.some((c) => hasAnonymousRow(c.type))) return undefined;
  const list = columns.map((c, i) => {
    const ref = `__runmd_q.__runmd_c${i}`;
    const value = hasAnonymousRow(c.type) ? `CAST(${ref} AS ${namedTypeSql(c.type)})` : ref;
    return `${value} AS ${quoted(c.name)}`;
  });
  const aliases = columns.map((_c, i) => `__runmd_c${i}`).join(", ");
  return `SELECT ${list.join(", ")} FROM (${sql}\n) AS __runmd_q(${aliases})`;
}
