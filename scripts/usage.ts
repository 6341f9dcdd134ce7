/**
 * Command-line mistakes of the project's scripts (`npm run nightly`, `sample-data`,
 * scripts/generate-logs.ts): said as `error <message>` with the script's usage, exit 2, never a
 * stack trace.
 */
import { printableLines } from "@run-md/core";

/** A mistake in a script's options, found by the script itself. */
export class UsageError extends Error {}

/** Whether `e` is a mistake on the command line: a UsageError, or one node:util parseArgs throws. */
export function isUsageError(e: unknown): boolean {
  return (
    e instanceof UsageError || Boolean((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
  );
}

/** Writes the mistake and the usage to stderr; the exit code. */
export function usageFailure(e: unknown, usage: string): number {
  process.stderr.write(`error ${printableLines((e as Error).message)}\n\n${usage}`);
  return 2;
}
