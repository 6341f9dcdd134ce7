/**
 * The configuration's `params.<runbook id>` sections that name no runbook of the runbooks folder
 * (`runbooksDir`): a typo in the id, or a runbook renamed since. Runs look their values up by the
 * runbook's exact id, so such a section is given to no run and every run uses the defaults
 * without a word: `run-md check` reports each at its line.
 */
import path from "node:path";
import { type Diagnostic, sourceAt } from "@run-md/core";
import { suggestion } from "./args.ts";
import type { Config } from "./config.ts";
import { runbookIds } from "./runbook-ids.ts";

/** `file`, line and column of a `file:line:col` place, or line 1 of the file. */
function place(at: string, file: string): Pick<Diagnostic, "file" | "line" | "column"> {
  const m = /:(\d+):(\d+)$/.exec(at);
  return m ? { file, line: Number(m[1]), column: Number(m[2]) } : { file, line: 1, column: 1 };
}

/**
 * One error for each `params.<id>` naming no runbook of `config.runbooksDir` nor any of
 * `checkedIds` (the runbooks being checked, which may live in another folder); none when the
 * runbooks folder holds no runbook (no list to hold the ids against).
 */
export async function configParamProblems(
  config: Config,
  checkedIds: readonly string[] = [],
): Promise<Diagnostic[]> {
  // Sections naming a runbook being checked need no look at the folder (check has parsed it).
  const named = Object.keys(config.params).filter((id) => !checkedIds.includes(id));
  if (named.length === 0 || typeof config.located === "string") return [];
  const folderIds = [...(await runbookIds(config.runbooksDir)).keys()];
  if (folderIds.length === 0) return [];
  const ids = [...new Set([...folderIds, ...checkedIds])];
  const folder = path.relative(process.cwd(), config.runbooksDir) || ".";
  const { file } = config.located;
  return named
    .filter((id) => !ids.includes(id))
    .map((id) => ({
      ...place(sourceAt(config.located, `params.${id}`), file),
      severity: "error" as const,
      rule: "config-params",
      message: `params.${id} names no runbook in ${folder}${suggestion(id, ids)}: its values are given to no run`,
    }));
}
