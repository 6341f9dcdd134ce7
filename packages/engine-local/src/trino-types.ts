/**
 * Trino's container types written after `AS` (in CAST and TRY_CAST) as DuckDB's parser reads
 * them: `ARRAY(T)` and `ARRAY<T>` are `T[]`, `MAP<K, V>` is `MAP(K, V)`, `ROW(name T, ...)` is
 * `STRUCT(name T, ...)`, and an anonymous `ROW(T, ...)` names its fields `field0`, `field1`, ...
 * (the names Athena's text shows for them, as anonymous-rows.ts gives a ROW value). Nested types
 * are converted at every depth; any other type is left as written.
 */

const CONTAINER = /\bAS(\s+)(?=(?:ARRAY|ROW|MAP)\s*[(<])/gi;

/** The code with every container type after AS converted (code only: no strings or comments). */
export function trinoContainerTypes(code: string): string {
  let out = "";
  let last = 0;
  for (const m of code.matchAll(CONTAINER)) {
    const from = (m.index ?? 0) + m[0].length;
    if (from < last) continue;
    const type = parseType(code, from);
    if (!type) continue;
    out += code.slice(last, from) + type.text;
    last = type.end;
  }
  return out + code.slice(last);
}

interface Parsed {
  text: string;
  end: number;
}

/** The type starting at `at`: its DuckDB text and where it ends; undefined if it is not a type. */
function parseType(code: string, at: number): Parsed | undefined {
  const head = /^\s*(ARRAY|ROW|MAP)\s*([(<])/i.exec(code.slice(at));
  if (!head) return plainType(code, at);
  const kind = (head[1] as string).toUpperCase();
  const close = head[2] === "(" ? ")" : ">";
  const parts = typeArguments(code, at + head[0].length, close);
  if (!parts) return undefined;
  const text = containerText(kind, parts.items);
  return text === undefined ? undefined : { text, end: parts.end };
}

function containerText(kind: string, items: string[]): string | undefined {
  if (kind === "ARRAY" && items.length === 1) return `${convert(items[0] as string)}[]`;
  if (kind === "MAP" && items.length === 2) return `MAP(${items.map(convert).join(", ")})`;
  if (kind === "ROW" && items.length > 0) return `STRUCT(${items.map(rowField).join(", ")})`;
  return undefined;
}

/** One field of a ROW type: `name type` keeps its name; a bare type is `field<i>`. */
function rowField(field: string, i: number): string {
  const trimmed = field.trim();
  if (isBareType(trimmed)) return `field${i} ${convert(trimmed)}`;
  const name = /^("(?:[^"]|"")*"|[A-Za-z_][\w$]*)\s+/.exec(trimmed);
  if (!name) return trimmed;
  return `${name[1]} ${convert(trimmed.slice(name[0].length))}`;
}

/** Type names that may stand alone as a field (so the field has no name). */
const BARE = new RegExp(
  "^(?:(?:ARRAY|ROW|MAP)\\s*[(<][\\s\\S]*|" +
    "(?:BOOLEAN|TINYINT|SMALLINT|INTEGER|INT|BIGINT|REAL|DOUBLE(?:\\s+PRECISION)?|VARCHAR|CHAR|" +
    "VARBINARY|JSON|DATE|UUID|IPADDRESS|IPPREFIX|DECIMAL|TIME|TIMESTAMP|INTERVAL\\s+\\w+\\s+TO\\s+\\w+)" +
    "(?:\\s*\\([\\d\\s,]*\\))?(?:\\s+WITH(?:OUT)?\\s+TIME\\s+ZONE)?)$",
  "i",
);

function isBareType(field: string): boolean {
  return BARE.test(field);
}

/** A type written in full (an argument of a container): converted where it is a container. */
function convert(type: string): string {
  const t = type.trim();
  const parsed = parseType(t, 0);
  return parsed && t.slice(parsed.end).trim() === "" ? parsed.text : t;
}

/** A non-container type after AS: an identifier with optional (n[, m]); left as written. */
function plainType(code: string, at: number): Parsed | undefined {
  const m = /^\s*[A-Za-z_]\w*(?:\s*\([\d\s,]*\))?/.exec(code.slice(at));
  return m ? { text: m[0], end: at + m[0].length } : undefined;
}

/** The comma-separated arguments up to the bracket that closes the one before `from`. */
function typeArguments(
  code: string,
  from: number,
  close: string,
): { items: string[]; end: number } | undefined {
  const items: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < code.length; i++) {
    const ch = code[i] as string;
    if (ch === "(" || ch === "<") depth++;
    else if (depth === 0 && ch === close) {
      items.push(code.slice(start, i));
      return { items, end: i + 1 };
    } else if (ch === ")" || ch === ">") depth--;
    else if (ch === "," && depth === 0) {
      items.push(code.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return undefined;
  }
  return undefined;
}
