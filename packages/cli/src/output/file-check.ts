/**
 * Files and folders the user named for a run's outputs, checked before any query runs: a run
 * whose queries (and Athena's bill) were spent must not end on a folder it cannot write.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { newFileRefusal, RunMdError } from "@run-md/core";

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
