/** `docs/errors.md`, rendered from the error catalogue (`npm run docs:errors` writes it). */
import { ERROR_CODES, type ErrorArea } from "./error-codes.ts";

const cell = (text: string): string => text.replaceAll("|", "\\|");

export function renderErrorDocs(): string {
  const byArea = new Map<ErrorArea, string[]>();
  for (const [code, entry] of Object.entries(ERROR_CODES)) {
    const rows = byArea.get(entry.area) ?? [];
    const retired = entry.replaces ? ` (replaces ${entry.replaces.join("; ")})` : "";
    rows.push(`| \`${code}\` | ${cell(entry.title)}${cell(retired)} | ${cell(entry.hint)} |`);
    byArea.set(entry.area, rows);
  }
  const sections = [...byArea].map(
    ([area, rows]) =>
      `## ${area[0]!.toUpperCase()}${area.slice(1)}\n\n| code | what went wrong | what to do |\n|---|---|---|\n${rows.join("\n")}\n`,
  );
  return `<!-- Generated from packages/core/src/error-codes.ts by npm run docs:errors: do not edit. -->
# Error codes

Every error run-md reports carries one of these codes: in the terminal and in run reports
(\`error.code\`, so in \`--json\` output too). An error found before anything runs (a usage error,
a bad \`--param\`, a runbook that does not parse) writes no report: \`--json\` then prints one
object on standard output, \`{ "status": "errored", "error": { code, message, hint? }, "problems": [...] }\`
([cli.md](cli.md#mistakes)), the error goes to standard error and the exit code is 2. A parameter the runbook
requires and nothing gives, or a configured value that does not fit, is the runbook's or the
configuration's: the run reports it (an errored report, exit 2), and the other runbooks of the
run still run. Codes are permanent, so scripts and alerts can match them; when
two codes meant the same mistake, the survivor lists the retired one. The hint here is the general
advice; an error usually carries a more precise one.

${sections.join("\n")}`;
}
