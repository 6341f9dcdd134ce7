/**
 * The file a DuckDB read error is about when the error names none. DuckDB's gzip reader says
 * "Input is not a GZIP stream" for bytes after a file's end that are not another gzip member (a
 * file padded or appended to), and names no file: the engine and the collector then could not
 * set the file aside, and every read of the window failed (a collect crashed) without saying
 * which file to look at. The file is found by reading halves of the files, as many reads as
 * halvings (on an error only), and set aside like a file the error names.
 */
import type { DuckDBConnection } from "@duckdb/node-api";

/** An error of DuckDB's file reading that names no file. */
export function isUnnamedReadError(msg: string): boolean {
  return /^IO Error/i.test(msg) && !/file "/.test(msg) && !/INTERRUPT|Interrupted/i.test(msg);
}

/**
 * Of `files`, one that `readSql` fails on alone with such an error, found by halves; undefined
 * when none does (the error came from the query, or from files only together).
 */
export async function unnamedCulprit<T>(
  conn: DuckDBConnection,
  files: T[],
  readSql: (files: T[]) => string,
): Promise<T | undefined> {
  const fails = async (some: T[]) => {
    try {
      await conn.run(readSql(some));
      return false;
    } catch (e) {
      return isUnnamedReadError((e as Error).message ?? String(e));
    }
  };
  let rest = files;
  while (rest.length > 1) {
    const half = rest.slice(0, Math.ceil(rest.length / 2));
    rest = (await fails(half)) ? half : rest.slice(half.length);
  }
  return rest[0] !== undefined && (await fails(rest)) ? rest[0] : undefined;
}
