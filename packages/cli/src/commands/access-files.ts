/**
 * What the access commands (`token`, `audit`) share: where the server's files are, and printing
 * a user error (exit 2).
 */
import type { ParseArgsConfig } from "node:util";
import { isRunMdError } from "@run-md/core";
import { parseServerConfig, type ServerConfig } from "@run-md/server/config";
import { type ArgValues, parseCommandArgs, printUserError } from "../args.ts";
import { type Config, configDir, loadConfig } from "../config.ts";

/**
 * The `server:` section of a loaded configuration, as `run-md serve` reads it: relative paths
 * are relative to the configuration file's folder (the current folder without one).
 */
export function serverConfigOf(config: Config): ServerConfig {
  return parseServerConfig(config.server, config.located, configDir(config));
}

/**
 * The file a command works on: the flag, else the server's (`server.<key>` of the
 * configuration, else `.run-md/tokens.json`, `.run-md/audit.log`), so a command run from a
 * subfolder finds the server's files.
 */
export function serverFile(flag: string | undefined, key: "tokens" | "audit"): string {
  return flag ?? serverConfigOf(loadConfig(undefined))[key];
}

/**
 * Parses a subcommand's arguments and runs it (`body` gets the values, the subcommand and the
 * rest); a RunMdError is printed (`error ...`, `hint: ...`) and exits 2.
 */
export async function accessCommand<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  command: string,
  usage: string,
  options: T,
  body: (values: ArgValues<T>, sub: string | undefined, rest: string[]) => Promise<number>,
): Promise<number> {
  const args = parseCommandArgs(argv, command, usage, options);
  if (typeof args === "number") return args;
  const [sub, ...rest] = args.positionals;
  return userErrors(() => body(args.values, sub, rest));
}

/** Runs a command's body; a RunMdError is printed (`error ...`, `hint: ...`) and exits 2. */
export async function userErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    printUserError(e);
    return e.exitCode;
  }
}
