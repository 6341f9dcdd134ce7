/**
 * Files and folders the user named for outputs: checked before any query runs (a run whose
 * queries, and Athena's bill, were spent must not end on a folder it cannot write), and written.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { newFileRefusal, RunMdError, writeFileAtomic } from "@run-md/core";

/** Refuses a FILE that is a folder: a write would run every query, then fail on the rename. */
export function refuseFolder(file: string, option: string): void {
  if (statSync(path.resolve(file), { throwIfNoEntry: false })?.isDirectory()) {
    throw new RunMdError("usage", `${option} ${file} is a folder, not a file`, {
      hint: "Name a file to write (its folder must exist).",
    });
  }
}

/** A file the run writes at its end (`--junit`, `--markdown`): a file in a folder it can write. */
export function checkOutputFile(file: string, option: string): void {
  refuseFolder(file, option);
  const dir = path.dirname(path.resolve(file));
  const reason = newFileRefusal(dir);
  if (reason !== undefined) {
    throw new RunMdError("usage", `${option} ${file}: cannot write in ${dir} (${reason})`, {
      hint: "Give a file in an existing folder you can write to.",
    });
  }
}

/** A file the user named (`--junit`, `--markdown`, `audit --output`), whole or not at all. */
export async function writeOutputFile(file: string, option: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path.resolve(file), text, { beside: true });
  } catch (e) {
    throw new RunMdError(
      "output-failed",
      `${option} ${file} could not be written: ${(e as Error).message}`,
      { hint: "Give a file in an existing folder you can write to.", cause: e },
    );
  }
}
