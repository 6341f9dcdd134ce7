/**
 * `like-pattern-as-regex`: a Logs Insights step's `like {{name}}` (or `not like`, `=~`) whose
 * parameter has a SQL LIKE pattern for a default (or an `enum` entry): a value holding `%`.
 * There the value is a regular expression (writing-runbooks.md), in which `%` is the character
 * `%`, not "any text": `filter userIdentity.arn like {{p}}` with the default `%` matches no
 * CloudTrail value, the step returns no row, and `no calls > 100` passes on nothing. A SQL step
 * of the same runbook reads the same value as LIKE's wildcard, so the habit carries over unseen.
 */
import type { DiagnosticSink } from "./diagnostics.ts";
import { RULES } from "./diagnostics.ts";
import type { BoundParam } from "./engine.ts";
import type { ParamDecl, ParamValue, Step } from "./model.ts";
import { insightsRegexReferences, scanTemplate } from "./template.ts";

/** The values a declaration gives without a `--param`: its default and its `enum` entries. */
function givenValues(decl: ParamDecl): ParamValue[] {
  return [...(decl.default === undefined ? [] : [decl.default]), ...(decl.enum ?? [])];
}

/** A warning at each regular-expression reference whose parameter's given value holds a `%`. */
export function warnLikePatternsAsRegex(
  steps: readonly Step[],
  params: Readonly<Record<string, ParamDecl>>,
  sink: DiagnosticSink,
): void {
  for (const step of steps) {
    if (step.dialect !== "logs-insights") continue;
    const regexAt = insightsRegexReferences(step.query);
    if (regexAt.size === 0) continue;
    // paramRefs are the query's references in the order scanTemplate finds them.
    let i = 0;
    for (const part of scanTemplate(step.query)) {
      if (part.kind !== "param") continue;
      const ref = step.paramRefs[i++];
      const decl = Object.hasOwn(params, part.name) ? params[part.name] : undefined;
      if (ref === undefined || decl === undefined || !regexAt.has(part.offset)) continue;
      const like = givenValues(decl).find((v) => typeof v === "string" && v.includes("%"));
      if (like === undefined) continue;
      const what = decl.default === like ? "default" : "enum entry";
      sink.warning(
        RULES.likePatternAsRegex,
        ref.position.line,
        ref.position.column,
        `parameter "${part.name}" is a regular expression here (Logs Insights like), and its ${what} ${JSON.stringify(like)} is a SQL LIKE pattern: in a regular expression % is the character %, not "any text", so this filter matches only values holding a "%" (none of CloudTrail's); give this step a parameter of its own with a regular expression (".*" for anything, "user/alice" for a part of the value)`,
      );
    }
  }
}

/**
 * The same at run time, for the values the run binds (a default, a configured value, a
 * `--param`, a trigger's or the API's): a warning of the step for each regular-expression
 * parameter whose value holds a `%`, so that its report says why it found nothing.
 */
export function likePatternRegexWarnings(
  step: Step,
  params: Readonly<Record<string, BoundParam>>,
): string[] {
  if (step.dialect !== "logs-insights") return [];
  const names = new Set(insightsRegexReferences(step.query).values());
  const out: string[] = [];
  for (const name of names) {
    const value = Object.hasOwn(params, name) ? params[name]?.value : undefined;
    if (typeof value !== "string" || !value.includes("%")) continue;
    out.push(
      `parameter "${name}" is ${JSON.stringify(value)}, a regular expression in this Logs Insights step (like {{${name}}}): % is the character % there, not SQL LIKE's "any text", so the filter matches only values holding a "%"; give it a regular expression (".*" for anything) [like-pattern-as-regex]`,
    );
  }
  return out;
}
