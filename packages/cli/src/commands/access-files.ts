/**
 * What the access commands (`token`, `audit`) share: where the server's files are, and printing
 * a user error (exit 2).
 */
import path from "node:path";
import { isRunMdError } from "@run-md/core";
import { loadConfig } from "../config.ts";

/**
 * The file a command works on: the flag, else `server.<key>` of the configuration, else the
 * default (`.run-md/tokens.json`, `.run-md/audit.log`); relative paths are relative to the
 * configuration file's folder (the current folder without one), as `run-md serve` reads them,
 * so a command run from a subfolder finds the server's files.
 */
export function serverFile(
  flag: string | undefined,
  key: "tokens" | "audit",
  fallback: string,
): string {
  if (flag !== undefined) return flag;
  const cfg = loadConfig(undefined);
  const base = cfg.source === "defaults" ? process.cwd() : path.dirname(cfg.source);
  const configured = cfg.server?.[key];
  return path.resolve(base, typeof configured === "string" ? configured : fallback);
}

/** Runs a command's body; a RunMdError is printed (`error ...`, `hint: ...`) and exits 2. */
export async function userErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    process.stderr.write(`error ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
    return e.exitCode;
  }
}
