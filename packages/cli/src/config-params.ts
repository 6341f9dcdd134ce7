/**
 * The configuration's `params.<runbook id>` sections that name no runbook of the runbooks folder
 * (`runbooksDir`): a typo in the id, or a runbook renamed since. Runs look their values up by the
 * runbook's exact id, so such a section is given to no run and every run uses the defaults
 * without a word: `run-md check` reports each at its line.
 */
import path from "node:path";
import {
  configParamsFor,
  type Diagnostic,
  isRunMdError,
  type Runbook,
  resolveParams,
  sourceAt,
} from "@run-md/core";
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

/**
 * One error for each checked runbook whose `params.<id>` section its runs would refuse: a name
 * it does not declare, a value that does not fit (`bad-param`, as `resolveParams` words it for
 * the run, placed at the key's line). A required parameter the section leaves out is not the
 * configuration's mistake (a `--param` may give it), so it is not reported here.
 */
export function configValueProblems(config: Config, runbooks: readonly Runbook[]): Diagnostic[] {
  if (typeof config.located === "string") return [];
  const { file } = config.located;
  return runbooks.flatMap((rb) => {
    if (!Object.hasOwn(config.params, rb.meta.id)) return [];
    try {
      resolveParams(rb, configParamsFor(config.params, rb.meta.id), {}, config.located);
      return [];
    } catch (e) {
      if (!isRunMdError(e) || e.code !== "bad-param") return [];
      const at = /^(.*:\d+:\d+) /.exec(e.message)?.[1];
      const message = at === undefined ? e.message : e.message.slice(at.length + 1);
      return [
        {
          ...place(at ?? "", file),
          severity: "error" as const,
          rule: "config-params",
          message: e.hint ? `${message} (${e.hint.replace(/\.$/, "")})` : message,
        },
      ];
    }
  });
}
