/**
 * The build's reports index: `readReportIndex` of the site's runbooks, each runbook's part taken
 * from the build's second process where it read it already (ahead.ts), the others read here.
 */
import { aheadKey, type IndexPart, takeAhead } from "./ahead.ts";
import {
  byFile,
  type ReportIndex,
  type ReportProblem,
  type RunbookHistory,
  readReportIndex,
} from "./reports.ts";

export async function reportIndex(
  reportsDir: string,
  options: { limit: number; runbookIds: string[] },
): Promise<ReportIndex> {
  const histories = new Map<string, RunbookHistory>();
  const problems: ReportProblem[] = [];
  const rest: string[] = [];
  for (const id of options.runbookIds) {
    const part = takeAhead(aheadKey.index(id))?.value as IndexPart | undefined;
    if (!part) {
      rest.push(id);
      continue;
    }
    if (part.history) histories.set(id, part.history);
    problems.push(...part.problems);
  }
  if (rest.length > 0) {
    const read = await readReportIndex(reportsDir, { limit: options.limit, runbookIds: rest });
    for (const [id, history] of read.histories) histories.set(id, history);
    problems.push(...read.problems);
  }
  problems.sort(byFile);
  return { histories, problems };
}
