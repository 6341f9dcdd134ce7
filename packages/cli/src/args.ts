/** Command-line helpers shared by the commands. */

import { existsSync } from "node:fs";
import path from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { findRunbooks, isRunMdError, printableLines, RunMdError, suggest } from "@run-md/core";
import pc from "picocolors";
import { type Config, loadConfig } from "./config.ts";
import { docRefs } from "./package-files.ts";

/**
 * A user's mistake on stderr: `error <message>` and `hint: <hint>`; `styled` colours them (the
 * commands whose own output is styled: run, query). `hintsShown`: for several mistakes in a row,
 * the hints already printed, which are not printed again.
 */
export function printUserError(e: RunMdError, styled = false, hintsShown?: Set<string>): void {
  const label = styled ? pc.red("error") : "error";
  const hint = e.hint && !hintsShown?.has(e.hint) ? `hint: ${docRefs(printableLines(e.hint))}` : "";
  if (e.hint) hintsShown?.add(e.hint);
  process.stderr.write(`${label} ${printableLines(e.message)}\n`);
  if (hint !== "") process.stderr.write(`${styled ? pc.dim(hint) : hint}\n`);
}

/** ` (did you mean --since?)` for a mistyped word, or nothing when no candidate is close. */
export function suggestion(word: string, candidates: readonly string[], prefix = ""): string {
  const match = suggest(word, candidates);
  return match === undefined ? "" : ` (did you mean ${prefix}${match}?)`;
}

/**
 * A `node:util` parseArgs error as one short sentence: `unknown option "--sinse" for run-md run
 * (did you mean --since?)`. `options` are the command's option names, for the suggestion.
 */
export function usageError(e: unknown, command: string, options: readonly string[] = []): string {
  const error = e as Error & { code?: string };
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const name = (option ?? "").replace(/^--?/, "").replace(/=.*$/, "");
      // A command that reads the configuration without taking --config (token, audit, new,
      // completion): the flag every other command takes is what a user tries first.
      if (name === "config")
        return `unknown option "${option}" for ${command}: it takes no --config; name another configuration with RUN_MD_CONFIG=FILE (see ${command} --help)`;
      return `unknown option "${option}" for ${command}${suggestion(name, options, "--")} (see ${command} --help)`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return `${option === undefined ? "an option" : `option "${option}"`} of ${command}: ${error.message.replace(/^Option '[^']*' /, "")}`;
    default:
      return error.message;
  }
}

/**
 * Throws (for usageError) when an option that takes one value is given more than once:
 * node's parser keeps the last value and drops the others without a word, so `--step a --step
 * b` ran step b alone (and passed while a failed), and `--since 1h --since 7d` read 7 days.
 * Repeatable options (`multiple`, such as `--param`) and flags (`--json --json`) are fine.
 */
export function repeatedOptionCheck(
  argv: string[],
  command: string,
  options: NonNullable<ParseArgsConfig["options"]>,
): void {
  const { tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options,
  });
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (option === undefined || option.type !== "string" || option.multiple) continue;
    const value = token.value ?? "";
    const first = seen.get(token.name);
    if (first === undefined) {
      seen.set(token.name, value);
      continue;
    }
    throw new Error(
      `--${token.name} is given twice (${JSON.stringify(first)} and ${JSON.stringify(value)}): ${command} takes one --${token.name}`,
    );
  }
}

/**
 * Whether `flag` (`--json`) is among the arguments as a flag: before a `--` that ends the
 * options. For a command line that did not parse, which has no values to ask.
 */
export function flagGiven(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes(flag);
}

/** Where queries read from: the configuration, the log directory, the AWS account. */
export const SOURCE_OPTIONS = {
  config: { type: "string" },
  "log-dir": { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
} as const;

/** What a run asks for, which `run` and `query` share: parameters, window and limits. */
export const QUERY_OPTIONS = {
  param: { type: "string", multiple: true },
  since: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  timeout: { type: "string" },
  "max-scan": { type: "string" },
} as const;

/**
 * The options `run` and `trigger` share: where runbooks run (engine, AWS account, log directory)
 * and what they write. One list, so both commands take the same flags (issue 12).
 */
export const RUN_OPTIONS = {
  engine: { type: "string" },
  ...SOURCE_OPTIONS,
  "reports-dir": { type: "string" },
  "no-report": { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** The values of a command's parsed options. */
export type ArgValues<O extends NonNullable<ParseArgsConfig["options"]>> = Exclude<
  ReturnType<typeof parseCommandArgs<O>>,
  number
>["values"];

/**
 * A command's arguments parsed strictly, with `-h`/`--help` added to its options; or, when the
 * command ends here, its exit code: 0 after printing the usage for `--help`, 2 after an unknown
 * or malformed option (the error, then the usage, on stderr; `onUsageError` is then given the
 * error's sentence, for a command that also owes its standard output a word: run --json).
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  command: string,
  usage: string,
  options: O,
  onUsageError?: (message: string) => void,
) {
  let parsed: ReturnType<
    typeof parseArgs<{
      args: string[];
      allowPositionals: true;
      strict: true;
      options: O & typeof HELP;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...options, ...HELP },
    });
    repeatedOptionCheck(argv, command, options);
  } catch (e) {
    const message = usageError(e, command, Object.keys(options));
    process.stderr.write(`error ${message}\n\n${docRefs(usage)}`);
    onUsageError?.(message);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(docRefs(usage));
    return 0;
  }
  return parsed;
}

/** A loaded configuration's runbooks folder, relative to the working folder. */
export function runbooksDirOf(config: Config): string {
  return path.relative(process.cwd(), config.runbooksDir) || ".";
}

/**
 * The configured runbooks folder as typed from here (`runbooksDirOf`), for a command given no
 * runbooks; a `not-found` error when it does not exist, saying whose runbooksDir it is and how
 * to make one (the hint for a path given, "such as runbooks/", named the folder missing).
 */
export function configuredRunbooksDir(config: Config): string {
  const dir = runbooksDirOf(config);
  if (existsSync(config.runbooksDir)) return dir;
  const whose =
    config.source === "defaults"
      ? ": no run-md.config.yaml here or in a folder above, so the default, runbooks/"
      : ` of ${path.relative(process.cwd(), config.source)}`;
  throw new RunMdError("not-found", `no runbooks folder ${dir} (runbooksDir${whose})`, {
    hint: CREATE_RUNBOOKS_HINT,
  });
}

/** How to make the runbooks folder a command found missing. */
export const CREATE_RUNBOOKS_HINT =
  "Create it: run-md init writes runbooks/ (four starters) and run-md.config.yaml, run-md new <id> one runbook; or give runbook files or folders.";

/**
 * The runbook files under the given files and folders (default: the configured runbooks folder,
 * `runbooksDir` next to run-md.config.yaml wherever the command runs in the repository); or exit
 * code 2 after printing a user error (a path that does not exist, a configuration with a
 * mistake when it names the folder: runbooks/ in its place listed what it may not name) on
 * stderr.
 */
export async function runbookFilesOrExit(
  paths: string[],
  configFile?: string,
): Promise<string[] | number> {
  try {
    return await findRunbooks(
      paths.length > 0 ? paths : [configuredRunbooksDir(loadConfig(configFile))],
    );
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    printUserError(e);
    return 2;
  }
}
