/**
 * Whether a run was of the runbook file the site shows. Each report records the sha256 of the
 * file it ran (`runbook.sourceHash`); when the file changed since (a step or a check added, a
 * limit or a parameter's default changed, or another runbook took the id), the run's outcome is
 * the earlier version's answer, and the index and the summary say so beside it.
 */

/**
 * What to say beside a run of `ranHash` for the runbook `doc` as it is now, or undefined when the
 * run was of this very file. A runbook the parser rejects now cannot run at all: whatever ran
 * was another text.
 */
export function versionNote(
  doc: { valid: boolean; sourceHash?: string },
  ranHash: string | undefined,
): string | undefined {
  if (!doc.valid)
    return "the runbook has errors now and cannot run: this run was of an earlier version of the runbook";
  if (doc.sourceHash !== undefined && ranHash === doc.sourceHash) return undefined;
  return "this run used an earlier version of the runbook: its steps, checks or parameters may have changed since";
}
