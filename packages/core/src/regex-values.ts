/**
 * A run's parameter values that a step uses as a whole regular expression (`regexp_like(x,
 * {{name}})` in SQL, found by regex-uses.ts; `like {{name}}` in Logs Insights, by template.ts),
 * asked of the step's engine before the first step.
 */
import type { BoundParam, Engine } from "./engine.ts";
import { RunMdError } from "./errors.ts";
import type { Step } from "./model.ts";
import { sqlRegexUses } from "./regex-uses.ts";
import { insightsRegexReferences, queryLineAt } from "./template.ts";

/**
 * The `{{name}}` references of a step that are a whole regular expression, by offset: what a run
 * asks of the values it binds, and `run-md check` of each default and `enum` entry.
 */
export function patternReferences(step: Step): [number, string][] {
  if (step.dialect === "logs-insights") return [...insightsRegexReferences(step.query)];
  return sqlRegexUses(step.query).flatMap((u) => (u.kind === "param" ? [[u.offset, u.name]] : []));
}

/**
 * Refuses, before any step runs, a parameter's value that a step uses as a whole regular
 * expression and that the step's engine refuses (`Engine.regexProblem`: the local engine asks
 * RE2), naming the parameter, where its value came from (`source`) and the step's place: such a
 * value failed the step mid-run. `engineOf` gives a step's engine, or undefined when it cannot be
 * opened (the step errors in its turn, as before).
 */
export async function checkRegexValues(
  steps: readonly Step[],
  file: string,
  values: Record<string, BoundParam>,
  engineOf: (step: Step) => Promise<Engine | undefined>,
  source: (name: string) => string,
): Promise<void> {
  for (const step of steps) {
    for (const [offset, name] of patternReferences(step)) {
      const value = values[name]?.value;
      if (typeof value !== "string") continue;
      const engine = await engineOf(step);
      const problem = await engine?.regexProblem?.(value, step.dialect, name);
      if (engine === undefined || problem === undefined) continue;
      const line = queryLineAt(step, offset);
      throw new RunMdError(
        "bad-param",
        `parameter "${name}" (from ${source(name)}) is a regular expression in step "${step.id}" (${file}:${line}) that the ${engine.name} engine refuses: ${problem}`,
        {
          hint: `Give "${name}" a regular expression RE2 compiles (docs/writing-runbooks.md, "Regular expressions").`,
        },
      );
    }
  }
}
