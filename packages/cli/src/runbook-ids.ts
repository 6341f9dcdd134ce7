/**
 * Runbooks named by id (`run-md audit-iam`, as `run-md list` shows them): looked up in the
 * configured runbooks folder (`runbooksDir`, default `runbooks/`).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { displayPath, findRunbooks, loadRunbook, RunMdError } from "@run-md/core";
import { CREATE_RUNBOOKS_HINT, suggestion } from "./args.ts";

/** Whether a command-line word can only be a runbook id, not a path: no slash, no `.md`. */
export function looksLikeId(word: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(word) && !/\.md$/i.test(word) && !existsSync(word);
}

/**
 * The files of the folder's runbooks by id (two when two share an id), those that do not load
 * included (by the id their front matter gives, else their file name's, as the parser gives it);
 * empty when the folder does not exist.
 */
export async function runbookIds(runbooksDir: string): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  if (!existsSync(runbooksDir)) return ids;
  for (const file of await findRunbooks([runbooksDir])) {
    // A runbook that does not load counts by the id its front matter gives, or else by its file
    // name, which is its id once it loads (review: `check` said a configuration's params of a
    // runbook with a typo in a check named no runbook).
    const { runbook, frontMatter } = await loadRunbook(file);
    const id =
      runbook?.meta.id ??
      frontMatter?.id ??
      (frontMatter?.paramsUnread ? await writtenId(file) : undefined) ??
      path.basename(file).replace(/\.md$/i, "");
    ids.set(id, [...(ids.get(id) ?? []), file]);
  }
  return ids;
}

/**
 * The `id:` line of front matter that does not read as YAML (a stray bracket): the id it will
 * have once fixed, so that `new` does not take it meanwhile.
 */
async function writtenId(file: string): Promise<string | undefined> {
  const top = (await readFile(file, "utf8")).split(/\r?\n/).slice(0, 200).join("\n");
  return /^id:[ \t]*["']?([A-Za-z0-9_-]+)["']?[ \t]*(?:#.*)?$/m.exec(top)?.[1];
}

/**
 * The ids of `runbookIds`' map that are `id` as core counts ids (ignoring case:
 * `duplicateIdErrors`), with their files; empty when no runbook has it.
 */
export function sameIds(ids: Map<string, string[]>, id: string): [string, string[]][] {
  const key = id.toLowerCase();
  return [...ids.entries()].filter(([other]) => other.toLowerCase() === key);
}

/**
 * The positionals of `run` with every runbook id replaced by its file (relative to the current
 * folder when below it), or by every file of an id two runbooks share (the run then refuses
 * them, naming both); paths, and words that are no known id, are left as given.
 */
export async function resolveRunbookIds(words: string[], runbooksDir: string): Promise<string[]> {
  if (!words.some(looksLikeId)) return words;
  const ids = await runbookIds(runbooksDir);
  return words.flatMap((w) => {
    const files = looksLikeId(w) ? sameIds(ids, w).flatMap(([, f]) => f) : [];
    if (files.length === 0 && looksLikeId(w)) throw unknownId(w, [...ids.keys()], runbooksDir);
    if (files.length === 0) return [w];
    return files.map((file) => displayPath(file));
  });
}

/** A word that can only be an id (no such file either) and is no runbook's: the closest id. */
function unknownId(word: string, ids: string[], runbooksDir: string): RunMdError {
  const shown = displayPath(runbooksDir);
  const where = path.isAbsolute(shown) ? shown : `${shown}/`;
  return new RunMdError(
    "not-found",
    `no runbook with the id ${word} in ${where}, and no file or folder of that name${suggestion(word, ids)}`,
    {
      hint: existsSync(runbooksDir)
        ? `run-md list shows the ids of the runbooks in ${where} (runbooksDir).`
        : `There is no ${where} folder (runbooksDir). ${CREATE_RUNBOOKS_HINT}`,
    },
  );
}
