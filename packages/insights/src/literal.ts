/**
 * How a runbook parameter becomes Logs Insights text, for engines that send the query as text
 * (the `logs` engine). The rendering itself is core's `renderLiteral` (one place for every
 * dialect): strings double-quoted with `\` and `"` escaped; numbers written plainly; booleans
 * 1 and 0, which is how Logs Insights shows JSON booleans.
 */

import type { BoundParam } from "@run-md/core";
import { renderLiteral, renderTemplate, templateProblems } from "@run-md/core";

/**
 * One value as a literal; `name` names the parameter in the error a bad value gets. `inline`: a
 * negative number parenthesised, for a value written into a query.
 */
export function renderInsightsLiteral(
  value: string | number | boolean,
  type: string,
  name = "value",
  options: { inline?: boolean } = {},
): string {
  const param = { type: type as BoundParam["type"], value };
  return renderLiteral(name, param, "logs-insights", options);
}

/**
 * Replace every `{{name}}` of a query with its rendered literal. Unknown names are left for the
 * caller to report (`missing`).
 */
export function renderInsightsQuery(
  query: string,
  params: Record<string, { type: string; value: string | number | boolean }>,
): { text: string; missing: string[] } {
  // The runbook's check refuses these first; a query reaching here with one (an ad-hoc query, a
  // caller that skipped the check) must not have a value written into a string or a regex.
  const quoted = templateProblems(query, "logs-insights").find((p) => p.kind === "quoted");
  if (quoted?.kind === "quoted")
    throw new Error(
      `parameter "${quoted.name}" is inside a quoted string or regular expression of the query: no value can be written there`,
    );
  const missing: string[] = [];
  const text = renderTemplate(query, (name) => {
    const p = params[name];
    if (!p) {
      missing.push(name);
      return `{{${name}}}`;
    }
    // Inline: a negative number parenthesised, so `x -{{n}}` cannot become `x --5`.
    return renderInsightsLiteral(p.value, p.type, name, { inline: true });
  });
  return { text, missing };
}
