/**
 * `run --step s --format csv --output FILE`: the one step's full result of a run, for
 * `commands/run.ts`, which only opens it, hands `rowSink` to the runner, settles it after the
 * run and discards it in its `finally`.
 */
import type { Runbook, RunReport, Step } from "@run-md/core";
import { type OutputValues, runOutputPlan, settleOutput } from "./options.ts";
import { ResultOutput } from "./result-output.ts";

export class RunOutput {
  private constructor(
    private readonly stepId: string,
    private readonly to: ResultOutput,
  ) {}

  /** The output the flags ask for (undefined for none); a usage error before anything runs. */
  static async open(
    values: OutputValues & { step?: string | undefined },
    runbooks: readonly Runbook[],
  ): Promise<RunOutput | undefined> {
    const plan = runOutputPlan(values, runbooks);
    if (plan === undefined) return undefined;
    return new RunOutput(plan.stepId, await ResultOutput.toFile(plan.file, plan.format));
  }

  /** Core's `RunEffects.rowSink`: every masked row of the chosen step. */
  readonly rowSink = (step: Step) => (step.id === this.stepId ? this.to.sink : undefined);

  /** After the run: FILE written when the step's query completed, else left as it was. */
  async settle(report: RunReport, quiet: boolean): Promise<void> {
    const said = await settleOutput(
      this.to,
      report.steps.find((s) => s.id === this.stepId),
    );
    if (said && !quiet) process.stderr.write(`${said}\n`);
  }

  /** Nothing once settled; otherwise (an error, Ctrl-C) the temporary file goes. */
  discard(): Promise<void> {
    return this.to.discard();
  }
}
