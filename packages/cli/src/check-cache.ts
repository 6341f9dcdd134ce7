/**
 * The problems of checked queries, kept in files between processes (`useCheckCache` of
 * @run-md/sql): a `run-md run` whose queries were checked before skips parsing them with Trino's
 * grammar, whose first parse in a process costs about 0.7 s of CPU. One folder per build of
 * run-md (`build` is a digest of the bundle's sources, made by scripts/build.mjs), under this
 * package's `node_modules/.cache/run-md/`; the folders of other builds are removed when a new
 * one is made. A file that cannot be read or is not a list of problems is a miss (the query is
 * checked again); a folder that cannot be written is no cache. The entries only spare the parse:
 * what runs is still refused by the engines' sandbox, and Athena checks what it is sent.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CheckCache, SqlProblem } from "@run-md/sql";

const PREFIX = "sql-check-";

function isProblem(v: unknown): v is SqlProblem {
  const p = v as Record<string, unknown>;
  return (
    typeof p === "object" &&
    p !== null &&
    Number.isInteger(p.line) &&
    Number.isInteger(p.column) &&
    (p.severity === "error" || p.severity === "warning") &&
    typeof p.rule === "string" &&
    typeof p.message === "string" &&
    (p.syntax === undefined || typeof p.syntax === "boolean")
  );
}

/**
 * The JSON entries of one build in `root` (one folder per build), a file a key (`prefix` and the
 * key's digest): `get` gives what `read` makes of a file's JSON, undefined for a file missing,
 * unreadable or not what `read` takes; `put` writes a whole file (a temporary one renamed), and a
 * folder that cannot be written is no cache.
 */
function jsonEntries<T>(
  root: string,
  build: string,
  prefix: string,
  read: (v: unknown) => T | undefined,
) {
  const dir = path.join(root, `${PREFIX}${build}`);
  const file = (key: string) =>
    path.join(dir, `${prefix}${createHash("sha256").update(key).digest("hex")}.json`);
  let ready = false;
  return {
    get(key: string): T | undefined {
      try {
        return read(JSON.parse(readFileSync(file(key), "utf8")));
      } catch {
        return undefined;
      }
    },
    put(key: string, value: unknown): void {
      try {
        if (!ready) ready = prepare(root, dir);
        const target = file(key);
        const tmp = `${target}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(value));
        renameSync(tmp, target);
      } catch {
        // Not writable (a read-only install): no cache.
      }
    },
  };
}

/** The cache of one build in `root` (one folder per build). */
export function fileCheckCache(root: string, build: string): CheckCache {
  const entries = jsonEntries(root, build, "", (v) =>
    Array.isArray(v) && v.every(isProblem) ? v : undefined,
  );
  return { get: (key) => entries.get(key), set: (key, problems) => entries.put(key, problems) };
}

/** RE2's verdicts on patterns: the refusal's words, or null for a pattern RE2 compiles. */
export interface Re2Verdicts {
  get(pattern: string): string | null | undefined;
  set(pattern: string, problem: string | null): void;
}

/**
 * The verdicts of one build in `root`, in the folder of its checked queries (the build fixes
 * DuckDB's version, so RE2's): a check whose patterns were all asked before loads no DuckDB.
 */
export function fileRe2Verdicts(root: string, build: string): Re2Verdicts {
  const entries = jsonEntries(root, build, "re2-", (v) => {
    const re2 = (v as { re2?: unknown } | null)?.re2;
    return typeof re2 === "string" || re2 === null ? re2 : undefined;
  });
  return {
    get: (pattern) => entries.get(pattern),
    set: (pattern, problem) => entries.put(pattern, { re2: problem }),
  };
}

let verdicts: Re2Verdicts | undefined;

/**
 * What RE2 (DuckDB's, the local engine's) says of a pattern, or undefined when it compiles:
 * from the build's kept verdicts, else asked of RE2 (engine-local `re2.ts`, which loads DuckDB).
 */
export async function re2Verdict(pattern: string): Promise<string | undefined> {
  const kept = verdicts?.get(pattern);
  if (kept !== undefined) return kept ?? undefined;
  const { re2Problem } = await import("@run-md/engine-local/re2");
  const problem = await re2Problem(pattern);
  verdicts?.set(pattern, problem ?? null);
  return problem;
}

/** Makes the build's folder; the first time, removes the folders of other builds. */
function prepare(root: string, dir: string): boolean {
  if (mkdirSync(dir, { recursive: true }) !== undefined) {
    for (const other of readdirSync(root)) {
      if (other.startsWith(PREFIX) && path.join(root, other) !== dir) {
        rmSync(path.join(root, other), { recursive: true, force: true });
      }
    }
  }
  return true;
}

/** A digest of the bundle's sources, set by scripts/build.mjs (absent when run from sources). */
declare const __RUN_MD_BUILD__: string | undefined;

/**
 * In the bundle, before a command that checks SQL: the checked queries and RE2's verdicts of
 * earlier runs of this build, from `node_modules/.cache/run-md/` beside this package's `dist/`. Run from the sources
 * (the tests in-process), nothing: their code may change between runs.
 */
export async function installCheckCache(): Promise<void> {
  if (typeof __RUN_MD_BUILD__ !== "string") return;
  const root = fileURLToPath(new URL("../node_modules/.cache/run-md/", import.meta.url));
  const { useCheckCache } = await import("@run-md/sql");
  useCheckCache(fileCheckCache(root, __RUN_MD_BUILD__));
  verdicts = fileRe2Verdicts(root, __RUN_MD_BUILD__);
}
