/** Finding runbooks: files as given, directories searched recursively for `*.md`. */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { glob } from "tinyglobby";
import { RunMdError } from "./errors.ts";

/**
 * The runbook files among `inputs`: a file is taken as given; a directory is searched recursively
 * for `*.md`, skipping `node_modules` and `README.md` files (a folder's readme documents the
 * folder, it is not a runbook). The result is sorted and without duplicates. A path that does
 * not exist is a `RunMdError` with code `not-found`.
 */
export async function findRunbooks(inputs: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(input);
    } catch (e) {
      throw new RunMdError("not-found", `no such file or directory: ${input}`, {
        hint: "give runbook files or folders that hold them, such as runbooks/",
        cause: e,
      });
    }
    if (!info.isDirectory()) {
      found.add(input);
      continue;
    }
    const files = await glob("**/*.md", {
      cwd: input,
      ignore: ["**/node_modules/**"],
      onlyFiles: true,
      followSymbolicLinks: false,
      expandDirectories: false,
    });
    for (const file of files) {
      if (/(^|\/)readme\.md$/i.test(file)) continue;
      found.add(join(input, file));
    }
  }
  return [...found].sort();
}
