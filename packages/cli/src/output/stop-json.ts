/**
 * `--json` of a command that stopped before it had a result (an option that does not parse, a
 * runbook or event that does not load, the configuration, an engine): one object on standard
 * output, `{status: "errored", error: {code, message, hint?}, problems}`, so a pipe into jq
 * still reads a document; the human message stays on standard error. `run` and `trigger`.
 */
import { type Diagnostic, isRunMdError, printableJson, RunMdError } from "@run-md/core";
import { flagGiven, parseCommandArgs } from "../args.ts";

/** An error as the JSON outputs give it: `{code, message, hint?}` (`internal` for a bug). */
export function errorJson(e: unknown): { code: string; message: string; hint?: string } {
  return isRunMdError(e)
    ? { code: e.code, message: e.message, ...(e.hint === undefined ? {} : { hint: e.hint }) }
    : { code: "internal", message: e instanceof Error ? e.message : String(e) };
}

export function printStopJson(json: boolean | undefined, e: unknown, problems: Diagnostic[] = []) {
  if (!json) return;
  const error = errorJson(e);
  process.stdout.write(`${printableJson({ status: "errored", error, problems }, 2)}\n`);
}

/**
 * parseCommandArgs for a command with `--json`: an option that does not parse leaves no values
 * to read `--json` from, so the arguments say whether to print the stop's object.
 */
export function parseJsonCommandArgs<O extends Parameters<typeof parseCommandArgs>[3]>(
  argv: string[],
  command: string,
  usage: string,
  options: O,
) {
  return parseCommandArgs(argv, command, usage, options, (message) =>
    printStopJson(flagGiven(argv, "--json"), new RunMdError("usage", message)),
  );
}
