/**
 * Scalar functions written in JavaScript, for what DuckDB's SQL cannot say: the text a JSON
 * document gives a number, and Unicode normalization other than NFC. Trino's json_extract_scalar returns a number as written (`1.50`,
 * `1e3`, `0.1000000000000000055511151231257827`: Jackson's getText); DuckDB's JSON reader keeps a
 * double and prints it again (`1.5`, `1000.0`, `0.1`). The macro (trino.ts json_extract_scalar)
 * calls this only where DuckDB types the value a DOUBLE, so an integer, a string or a boolean
 * never leaves DuckDB. Registered once per database, before any macro that names them.
 */
import { type DuckDBConnection, DuckDBScalarFunction, VARCHAR } from "@duckdb/node-api";
import { isLosslessNumber, parse } from "lossless-json";

/** The name the macros call. */
export const JSON_NUMBER_TEXT = "trino_json_number_text";

/**
 * The text of the number at `path` (a JSON pointer, `$`, or `$.a.b`) in `json`, as the document
 * writes it; `fallback` when the value there is not a number or the document cannot be read
 * here (a duplicate key: DuckDB's first value stands, as Trino's).
 */
export function jsonNumberText(json: string, path: string, fallback: string | null): string | null {
  const steps = pathSteps(path);
  if (steps === undefined) return fallback;
  let value: unknown;
  try {
    value = parse(json);
  } catch {
    return fallback;
  }
  for (const step of steps) value = member(value, step);
  return isLosslessNumber(value) ? value.value : fallback;
}

/** A pointer's or a dotted path's steps; undefined for any other path. */
function pathSteps(path: string): string[] | undefined {
  if (path === "$" || path === "") return [];
  if (path.startsWith("/"))
    return path
      .slice(1)
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (/^\$(\.[^.[\]"]+)+$/.test(path)) return path.slice(2).split(".");
  return undefined;
}

/** A member of an object, or an element of an array when the step is written as an index. */
function member(value: unknown, step: string): unknown {
  if (Array.isArray(value)) return /^(0|[1-9]\d*)$/.test(step) ? value[Number(step)] : undefined;
  if (typeof value === "object" && value !== null && !isLosslessNumber(value))
    return Object.hasOwn(value, step) ? (value as Record<string, unknown>)[step] : undefined;
  return undefined;
}

/** The name of Unicode normalization to NFD, NFKC or NFKD (DuckDB has NFC only). */
export const NORMALIZE = "trino_normalize_text";

/** Registers the functions in the connection's database (visible to all its connections). */
export function registerUdfs(conn: DuckDBConnection): void {
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: NORMALIZE,
      returnType: VARCHAR,
      parameterTypes: [VARCHAR, VARCHAR],
      mainFunction: (_info, input, output) => {
        const [text, form] = [0, 1].map((i) => input.getColumnVector(i));
        for (let row = 0; row < input.rowCount; row++)
          output.setItem(row, String(text?.getItem(row)).normalize(String(form?.getItem(row))));
        output.flush();
      },
    }),
  );
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: JSON_NUMBER_TEXT,
      returnType: VARCHAR,
      parameterTypes: [VARCHAR, VARCHAR, VARCHAR],
      // The third argument (DuckDB's own text) may be NULL where the first two are not.
      specialHandling: true,
      mainFunction: (_info, input, output) => {
        const [json, path, fallback] = [0, 1, 2].map((i) => input.getColumnVector(i));
        for (let row = 0; row < input.rowCount; row++) {
          const j = json?.getItem(row);
          const p = path?.getItem(row);
          const f = fallback?.getItem(row);
          const text = typeof f === "string" ? f : null;
          output.setItem(
            row,
            typeof j === "string" && typeof p === "string" ? jsonNumberText(j, p, text) : text,
          );
        }
        output.flush();
      },
    }),
  );
}
