/** `run-md trigger EVENT.json`: runs the runbooks an EventBridge event starts (spec §8). */
import { readFile } from "node:fs/promises";
import {
  exitCodeOf,
  formatDiagnostic,
  isRunMdError,
  maskValue,
  printable,
  printableJson,
  printableLines,
  RunMdError,
} from "@run-md/core";
import { RUN_OPTIONS } from "../args.ts";
import {
  againAt,
  outcomeSummary,
  parseEvent,
  type TriggerResult,
  triggerEvent,
} from "../automation/trigger-run.ts";
import { checkEngineChoice, engineFlags } from "../engines.ts";
import { parseJsonCommandArgs, printStopJson } from "../output/stop-json.ts";
import { docRefs } from "../package-files.ts";

export const TRIGGER_USAGE = `Usage: run-md trigger [EVENT.json | -] [options]

Reads an EventBridge event (a file, or standard input when none or "-" is given) and runs every
runbook whose triggers: match it, with the parameters taken from the event and the window
around its time. Says which runbooks run and why each other one does not.
A runbook that does not load (parse or lint errors) stops none of the others: its problems go
to standard error, and it gets an errored report when its triggers match the event or cannot
be read.
Exit: 0 nothing failed (or nothing matched), 1 an expectation failed, 2 a bad event, runbook
(any in the folder that does not load, with --dry-run too), parameter or configuration.

Options:
  --runbooks <file|dir>        runbooks to consider (repeatable; default runbooksDir, runbooks/)
  --dry-run                    only say which runbooks the event starts
  --engine <local|athena|logs|aws>
                               run every step whose dialect the engine runs on it
  --config <file>              configuration file (default: RUN_MD_CONFIG, else
                               run-md.config.yaml here or in the nearest folder above)
  --log-dir <dir>              local engine: directory of CloudTrail files
  --region <region>            AWS region (Athena, CloudWatch Logs)
  --profile <name>             AWS shared-config profile
  --reports-dir <dir>          where reports are written (default reports/)
  --no-report                  do not write report files
  --json                       print { matched, skipped, reports, again? } as JSON
  --quiet                      leave out the steps' output (the plan and summary lines remain)
  -h, --help                   this help
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function triggerCommand(argv: string[]): Promise<number> {
  const args = parseJsonCommandArgs(argv, "run-md trigger", TRIGGER_USAGE, {
    ...RUN_OPTIONS,
    runbooks: { type: "string", multiple: true },
    "dry-run": { type: "boolean" },
  });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  let result: TriggerResult;
  try {
    if (positionals.length > 1) {
      throw new Error(`one event at a time: got ${positionals.length} files`);
    }
    checkEngineChoice(values.engine);
    const file = positionals[0] ?? "-";
    const source = file === "-" ? "standard input" : file;
    const text = file === "-" ? await readStdin() : await readFile(file, "utf8");
    const event = parseEvent(text, source);
    result = await triggerEvent(event, {
      runbooks: values.runbooks ?? [],
      ...(values.config === undefined ? {} : { configFile: values.config }),
      ...(values.engine === undefined ? {} : { engine: values.engine }),
      flags: engineFlags(values),
      ...(values["reports-dir"] === undefined ? {} : { reportsDir: values["reports-dir"] }),
      noReport: Boolean(values["no-report"]),
      dryRun: Boolean(values["dry-run"]),
      ...(values.json ? {} : { out: process.stdout }),
      quiet: Boolean(values.quiet),
    });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    process.stderr.write(
      `error ${printableLines(error.code === "ENOENT" ? `event file not found: ${error.path}` : error.message)}\n`,
    );
    if (isRunMdError(e) && e.hint)
      process.stderr.write(`hint: ${docRefs(printableLines(e.hint))}\n`);
    printStopJson(
      values.json,
      error.code === "ENOENT"
        ? new RunMdError("not-found", `event file not found: ${error.path}`)
        : e,
    );
    return 2;
  }
  if (values.json) process.stdout.write(`${printableJson(triggerJson(result), 2)}\n`);
  const broken = writeBroken(result);
  const codes = result.outcomes.flatMap((o) => (o.report ? [exitCodeOf(o.report.status)] : []));
  // A runbook whose pattern matched but whose parameters (or window: no valid `time`) the event
  // could not give did not run
  // when it should have: an error (as a bad parameter is for `run`), not a quiet skip.
  const unresolved = result.outcomes.filter((o) => !o.plan.matched && o.plan.unresolved);
  if (unresolved.length > 0) {
    const ids = unresolved.map((o) => printable(o.runbook.meta.id)).join(", ");
    process.stderr.write(
      `error the event matched ${ids} but could not give ${unresolved.length === 1 ? "its" : "their"} parameters or window (✗ above): not run\n`,
    );
    codes.push(2);
  }
  // A runbook that does not load is an error of the folder, whether the event was for it or not.
  if (broken > 0) codes.push(2);
  // A report that could not be written (said above) is an error, as it is for `run`.
  if (result.outcomes.some((o) => o.reportError)) codes.push(2);
  return Math.max(0, ...codes);
}

/** Each runbook that did not load, with its problems (file:line:column), on stderr; how many. */
function writeBroken(result: TriggerResult): number {
  const broken = result.outcomes.filter((o) => o.broken);
  for (const o of broken) {
    const { file, problems, escalated } = o.broken!;
    const what = escalated
      ? "the event may be for it, and it cannot run"
      : "the event is not for it";
    process.stderr.write(`error ${file} does not load: ${what}\n`);
    for (const d of problems) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
  }
  if (broken.length > 0) {
    const files = broken.map((o) => o.broken!.file).join(" ");
    process.stderr.write(`hint: run-md check ${files} shows them; the other runbooks still run.\n`);
  }
  return broken.length;
}

/** The JSON output: what ran (with its parameters, masked like every output) and what did not. */
export function triggerJson(result: TriggerResult) {
  return {
    ...outcomeSummary(result.outcomes, (o) => ({
      ...(o.plan.matched
        ? {
            params: maskValue(o.plan.params, result.config.mask),
            window: {
              start: o.plan.window.start.toISOString(),
              end: o.plan.window.end.toISOString(),
            },
          }
        : {}),
      ...(o.reportFile ? { reportFile: o.reportFile } : {}),
    })),
    reports: result.outcomes.flatMap((o) => (o.report ? [o.report] : [])),
    ...againOf(result),
  };
}

/** `again` (when the event can be handled again for its whole window), when there is one. */
function againOf(result: TriggerResult): { again?: string } {
  const again = againAt(result.outcomes);
  return again === undefined ? {} : { again };
}
