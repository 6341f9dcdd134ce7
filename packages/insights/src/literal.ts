/**
 * How a runbook parameter becomes Logs Insights text, for engines that send the query as text
 * (the `logs` engine). Strings are double-quoted with `\` and `"` escaped; numbers are written
 * plainly; booleans become 1 and 0, which is how Logs Insights shows JSON booleans.
 */
export function renderInsightsLiteral(value: string | number | boolean, type: string): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (type === "integer" || type === "number" || typeof value === "number") {
    const n = Number(value);
    if (!Number.isFinite(n))
      throw new Error(`parameter value ${String(value)} is not a finite number`);
    return String(n);
  }
  return `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

/**
 * Replace every `{{name}}` of a query with its rendered literal. Unknown names are left for the
 * caller to report (`missing`).
 */
export function renderInsightsQuery(
  query: string,
  params: Record<string, { type: string; value: string | number | boolean }>,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = query.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => {
    const p = params[name];
    if (!p) {
      missing.push(name);
      return whole;
    }
    return renderInsightsLiteral(p.value, p.type);
  });
  return { text, missing };
}
