/**
 * How a runbook parameter becomes Logs Insights text, for engines that send the query as text
 * (the `logs` engine). The rendering itself is core's `renderLiteral` (one place for every
 * dialect): strings double-quoted with `\` and `"` escaped; numbers written plainly; booleans
 * 1 and 0, which is how Logs Insights shows JSON booleans. A reference that is the whole pattern
 * after `like`, `not like` or `=~` is a regular expression: its value becomes a `/.../` literal
 * (core's `insightsRegexLiteral`), as the translation reads it (`regexPatternRefs`).
 */

import type { BoundParam } from "@run-md/core";
import { insightsRegexLiteral, renderLiteral, scanTemplate, templateProblems } from "@run-md/core";
import { tokenize } from "./lexer.ts";

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
 * Replace every `{{name}}` of a query with its rendered literal: a `/regular expression/` where
 * the reference is a `like` or `=~` pattern, a value literal elsewhere. Unknown names are left
 * for the caller to report (`missing`).
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
  const patterns = regexPatternRefs(query);
  const missing: string[] = [];
  const text = scanTemplate(query)
    .map((part) => {
      if (part.kind === "text") return part.text;
      const p = params[part.name];
      if (!p) {
        missing.push(part.name);
        return `{{${part.name}}}`;
      }
      if (patterns.has(part.offset)) return insightsRegexLiteral(part.name, String(p.value));
      // Inline: a negative number parenthesised, so `x -{{n}}` cannot become `x --5`.
      return renderInsightsLiteral(p.value, p.type, part.name, { inline: true });
    })
    .join("");
  return { text, missing };
}

/**
 * The offsets of the references that are the whole pattern of a `like`, `not like` or `=~`: a
 * parameter token right after one of them, as the parser reads it (`parseComparison`).
 */
export function regexPatternRefs(query: string): Set<number> {
  const out = new Set<number>();
  const tokens = tokenize(query);
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1]!;
    const after =
      (prev.kind === "ident" && !prev.quoted && prev.value.toLowerCase() === "like") ||
      (prev.kind === "op" && prev.value === "=~");
    if (t.kind === "param" && after) out.add(t.start);
  }
  return out;
}
