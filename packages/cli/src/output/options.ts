/**
 * The output options `query` and `run` share: `--format`, `--output`, `--wide`. Their
 * definitions, their help lines and what a combination means live here, so both commands agree.
 */
import { type Runbook, RunMdError, type StepReport } from "@run-md/core";
import { refuseFolder } from "./file-check.ts";
import {
  FILE_EXTENSIONS,
  FILE_FORMATS,
  type FileFormat,
  formatOfFile,
  OUTPUT_FORMATS,
  type OutputFormat,
} from "./formats.ts";
import type { ResultOutput } from "./result-output.ts";

/** `node:util` parseArgs definitions, spread into a command's options. */
export const OUTPUT_OPTIONS = {
  format: { type: "string" },
  output: { type: "string", short: "o" },
  wide: { type: "boolean" },
} as const;

/** The output options' help lines; `outputNote`: more lines under --output's (indented). */
export function outputUsage(outputNote = ""): string {
  return `  --format <table|csv|json|ndjson>  how rows are written (default: table on the terminal;
                                a file's format follows its extension)
  --output, -o <file>           the FULL result into FILE (written whole or not at all)${outputNote}
  --wide                        tables never cut a value (default: fit the terminal's width)`;
}

export interface OutputValues {
  format?: string | undefined;
  output?: string | undefined;
}

function usage(message: string, hint: string): RunMdError {
  return new RunMdError("usage", message, { hint });
}

/** The format and file asked for; a usage error for a format that is not one, or a mismatch. */
export function outputChoice(values: OutputValues): { format: OutputFormat; file?: string } {
  const { format, output } = values;
  if (format !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw usage(`--format "${format}" is not a format`, `Formats: ${OUTPUT_FORMATS.join(", ")}.`);
  }
  if (output === undefined) return { format: (format as OutputFormat | undefined) ?? "table" };
  if (output === "") throw usage("--output needs a file name", "Example: --output result.csv");
  if (format === "table") {
    throw usage(
      "--format table is for the terminal; --output writes csv, json or ndjson",
      "Drop --format table, or give --format csv.",
    );
  }
  const chosen = (format as FileFormat | undefined) ?? formatOfFile(output);
  if (chosen === undefined) {
    throw usage(
      `--output ${output}: its extension does not say which format to write`,
      `Add --format (${FILE_FORMATS.join(", ")}) or name the file ${extensionList()}.`,
    );
  }
  refuseFolder(output, "--output");
  return { format: chosen, file: output };
}

/**
 * `run`'s full-result output: one step's result into one file, so it needs one runbook and
 * `--step` (or a runbook with a single step). Undefined when neither option is given.
 */
export function runOutputPlan(
  values: OutputValues & { step?: string | undefined },
  runbooks: readonly Runbook[],
): { format: FileFormat; file: string; stepId: string } | undefined {
  if (values.format === undefined && values.output === undefined) return undefined;
  const { format, file } = outputChoice(values);
  if (file === undefined) {
    if (format === "table") return undefined;
    throw usage(
      `--format ${format} on a run needs --output FILE (the terminal shows each step as a table)`,
      `Example: run-md run x.md --step s --format ${format} --output s.${format}`,
    );
  }
  const fmt = format as FileFormat;
  if (runbooks.length !== 1) {
    throw usage(
      `--output writes one step's result, and ${runbooks.length} runbooks were given`,
      "Give one runbook and --step <id>.",
    );
  }
  const steps = runbooks[0]!.steps;
  const stepId = values.step ?? (steps.length === 1 ? steps[0]!.id : undefined);
  if (stepId === undefined) {
    throw usage(
      `--output writes one step's result: say which with --step (runbook ${runbooks[0]!.meta.id} has ${steps.length} steps)`,
      `Steps: ${steps.map((s) => s.id).join(", ")}.`,
    );
  }
  return { format: fmt, file, stepId };
}

/**
 * Keeps or drops the output once its step has ended: a step whose query completed (passed,
 * warned or failed its checks) commits the whole result; an errored, cancelled or skipped step
 * leaves FILE untouched. Returns a line for the user.
 */
export async function settleOutput(
  output: ResultOutput,
  step: StepReport | undefined,
): Promise<string> {
  const complete =
    step !== undefined &&
    (step.status === "passed" || step.status === "warned" || step.status === "failed");
  if (!complete) {
    await output.discard();
    return output.file === undefined ? "" : `no file written: ${output.file} is left as it was`;
  }
  await output.commit(step.columns.map((c) => c.name));
  return output.file === undefined ? "" : `${step.rowCount} rows written to ${output.file}`;
}

/** ".csv, .json, .ndjson or .jsonl": the extensions that name a format. */
function extensionList(): string {
  const names = Object.keys(FILE_EXTENSIONS).map((e) => `.${e}`);
  return `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}
