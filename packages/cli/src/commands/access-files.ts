/**
 * What the access commands (`token`, `audit`) share: where the server's files are, and printing
 * a user error (exit 2).
 */
import { isRunMdError } from "@run-md/core";

/**
 * The file a command works on: `--file`, else the server's default (`.run-md/tokens.json`,
 * `.run-md/audit.log`), relative to the current folder as `run-md serve` resolves it.
 */
export function serverFile(flag: string | undefined, fallback: string): string {
  return flag ?? fallback;
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
