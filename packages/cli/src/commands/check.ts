/** `run-md check`: every problem in every runbook, one line each, linter style. */
import {
  type Diagnostic,
  DiagnosticSink,
  duplicateIdErrors,
  formatDiagnostic,
  isRunMdError,
  loadRunbook,
  printableJson,
  RULES,
  type Runbook,
  sortDiagnostics,
  warnUnmappedRequired,
} from "@run-md/core";
import pc from "picocolors";
import { parseCommandArgs, printUserError, runbookFilesOrExit } from "../args.ts";
import { chartDiagnostics } from "../chart-check.ts";
import { type Config, loadConfig, tableConfig } from "../config.ts";
import { configParamProblems, configValueProblems } from "../config-params.ts";
import { expectColumnDiagnostics } from "../expect-column-check.ts";
import { errorJson } from "../output/stop-json.ts";
import { plural } from "../words.ts";

export const CHECK_USAGE = `Usage: run-md check [file|dir]... [options]

Parses each runbook (default: every *.md under runbooksDir of the configuration, runbooks/,
README.md files excepted) and reports every problem in every file in one pass, one line each:

  runbooks/x.md:14:5 error unknown attribute "engien" (did you mean "engine"?) [unknown-attribute]

Exit: 0 when no runbook has an error (warnings are printed but do not fail), 2 otherwise.

Options:
  --config <file>       configuration file (default: RUN_MD_CONFIG, else run-md.config.yaml
                        here or in the nearest folder above): the tables a sql step may read
                        (tables.aliases, tables.extra, athena.table); its server: and access:
                        sections are checked as run-md serve reads them, notify: as the
                        senders read it (a ...Env variable's value is theirs: not required)
  --format <text|json>  output format (default text)
  --json                same as --format json
  -h, --help            this help
`;

export interface CheckedFile {
  path: string;
  ok: boolean;
  diagnostics: Diagnostic[];
}

function paint(line: string, d: Diagnostic): string {
  const word = d.severity === "error" ? pc.red("error") : pc.yellow("warning");
  return line
    .replace(` ${d.severity} `, ` ${word} `)
    .replace(/ \[([a-z-]+)\]$/, ` ${pc.dim("[$1]")}`);
}

function sortInPlace(diagnostics: Diagnostic[]): void {
  const sorted = sortDiagnostics(diagnostics);
  diagnostics.splice(0, diagnostics.length, ...sorted);
}

/**
 * The sections the runbooks' runs do not read, validated as their readers will read them (each
 * mistake a RunMdError naming the file, line and key): `server:` and `access:` as `run-md serve`
 * does, `notify:` as the senders do (the nightly job, the Lambda and container, serve's
 * approvals), with `@run-md/notify`'s own reading. check is the gate CI runs: a typo there
 * (`prot:`, `rulez:`, a Slack URL without https://) must not wait for the server's start or the
 * 3 am alert. server: and access: stop at their first mistake; notify: gives every one its
 * reader would hand on. What a sender reads from its own environment (a target's `...Env`
 * variables) is not there at check time: only the variable's name is checked.
 */
async function configSectionMistakes(config: Config): Promise<Error[]> {
  const mistakes: Error[] = [];
  const first = (read: () => unknown): void => {
    try {
      read();
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      mistakes.push(e);
    }
  };
  if (config.server !== undefined) {
    const { serverConfigOf } = await import("./access-files.ts");
    first(() => serverConfigOf(config));
  }
  if (config.access !== undefined) {
    const { parseAccessConfig } = await import("@run-md/access");
    first(() => parseAccessConfig(config.access, config.located));
  }
  if (config.notify !== undefined) {
    const { notifyConfigMistakes } = await import("@run-md/notify");
    mistakes.push(...notifyConfigMistakes(config.notify, config.located));
  }
  return mistakes;
}

/**
 * The configuration, loaded and its other sections checked; undefined when it has mistakes, each
 * printed (a hint once) and, with `--json`, listed under `config` of the JSON on stdout (a script
 * reading it got nothing).
 */
async function checkedConfig(file: string | undefined, json: boolean): Promise<Config | undefined> {
  let config: Config | undefined;
  let mistakes: Error[];
  try {
    config = loadConfig(file);
    mistakes = await configSectionMistakes(config);
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    mistakes = [e];
  }
  const hintsShown = new Set<string>();
  for (const e of mistakes) {
    if (!isRunMdError(e)) throw e;
    printUserError(e, false, hintsShown);
  }
  if (mistakes.length === 0) return config;
  if (json) {
    const listed = mistakes.map(errorJson);
    const doc = { ok: false, files: [], errors: mistakes.length, warnings: 0, config: listed };
    process.stdout.write(`${printableJson(doc, 2)}\n`);
  }
  return undefined;
}

export async function checkCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md check", CHECK_USAGE, {
    format: { type: "string" },
    json: { type: "boolean" },
    config: { type: "string" },
  });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  const format = values.json ? "json" : (values.format ?? "text");
  if (format !== "text" && format !== "json") {
    process.stderr.write(`error unknown format "${format}": expected text or json\n`);
    return 2;
  }

  // First: without paths, the configuration names the folder to check.
  const config = await checkedConfig(values.config, format === "json");
  if (config === undefined) return 2;
  const files = await runbookFilesOrExit(positionals, values.config);
  if (typeof files === "number") return files;
  // A check that checked nothing (a wrong folder, runbooks moved) is no green CI gate: as run.
  if (files.length === 0) {
    if (format === "json")
      process.stdout.write(
        `${printableJson({ ok: false, files: [], errors: 0, warnings: 0 }, 2)}\n`,
      );
    const where = positionals.length > 0 ? positionals.join(", ") : "the runbooks folder";
    process.stderr.write(`error no runbooks (*.md) found in ${where}: nothing was checked\n`);
    return 2;
  }
  const checked: CheckedFile[] = [];
  const loaded = await Promise.all(
    files.map(async (path) => ({ path, ...(await loadRunbook(path)) })),
  );
  const clashes = duplicateIdErrors(
    loaded.flatMap((l) => (l.runbook ? [{ file: l.path, id: l.runbook.meta.id }] : [])),
  );
  for (const file of loaded) {
    const diagnostics = await fileDiagnostics(file, clashes.get(file.path), config);
    checked.push({
      path: file.path,
      ok: !diagnostics.some((d) => d.severity === "error"),
      diagnostics,
    });
  }
  // The configuration's parameters for runbooks that do not exist (a typo in an id), and those
  // the checked runbooks' runs would refuse (a name not declared, a value that does not fit).
  const runbooks = loaded.flatMap((l) => (l.runbook ? [l.runbook] : []));
  const configProblems = [
    ...(await configParamProblems(
      config,
      runbooks.map((rb) => rb.meta.id),
    )),
    ...configValueProblems(config, runbooks),
  ];
  if (configProblems.length > 0) {
    checked.push({ path: configProblems[0]!.file, ok: false, diagnostics: configProblems });
  }
  const all = checked.flatMap((f) => f.diagnostics);
  const errors = all.filter((d) => d.severity === "error").length;
  const warnings = all.length - errors;

  if (format === "json") {
    process.stdout.write(
      `${printableJson({ ok: errors === 0, files: checked, errors, warnings }, 2)}\n`,
    );
    return errors > 0 ? 2 : 0;
  }

  printText(checked, files.length, configProblems.length > 0);
  return errors > 0 ? 2 : 0;
}

/**
 * Every problem of one runbook file, in file order: the parser's, an id another file has too
 * (`clash`), no steps, the triggers' unmapped parameters counted with the configuration's values,
 * the `chart=` columns and the queries' problems.
 */
async function fileDiagnostics(
  file: { path: string } & Awaited<ReturnType<typeof loadRunbook>>,
  clash: Diagnostic | undefined,
  config: Config,
): Promise<Diagnostic[]> {
  const { path, diagnostics, steps, runbook } = file;
  // Loaded here, not at start-up: the SQL parser is large, and usage errors do not need it.
  const { lintQueries, re2ParamDiagnostics } = await import("../lint.ts");
  if (clash) diagnostics.push(clash);
  // A run refuses a runbook without steps (no-steps): check says so first.
  if (runbook && steps.length === 0) diagnostics.push(noSteps(path));
  if (runbook) withConfiguredParams(diagnostics, runbook, config, path);
  diagnostics.push(...(await chartDiagnostics(path, steps)));
  diagnostics.push(...(await expectColumnDiagnostics(path, steps)));
  diagnostics.push(
    ...(await lintQueries(path, steps, {
      tables: tableConfig(config),
      found: diagnostics,
      engines: { config: config.engines },
      ...(runbook ? { params: runbook.meta.params } : {}),
    })),
  );
  // A default or enum entry that is a pattern RE2 refuses: every run that keeps it stops.
  if (runbook)
    diagnostics.push(
      ...(await re2ParamDiagnostics(path, steps, runbook.meta.params, { config: config.engines })),
    );
  sortInPlace(diagnostics);
  return diagnostics;
}

/**
 * The `trigger-unmapped-param` warnings again, with the configuration's `params.<runbook id>`
 * values counted as given: `run` and `trigger` merge them (core `resolveParams`), so a trigger
 * that maps no value to a parameter the configuration sets starts runs that do not error.
 */
function withConfiguredParams(
  diagnostics: Diagnostic[],
  runbook: Runbook,
  config: Config,
  file: string,
): void {
  const id = runbook.meta.id;
  const configured = Object.hasOwn(config.params, id) ? (config.params[id] ?? {}) : {};
  if (Object.keys(configured).length === 0) return;
  const unset = Object.fromEntries(
    Object.entries(runbook.meta.params).filter(([name]) => !Object.hasOwn(configured, name)),
  );
  const sink = new DiagnosticSink(file);
  warnUnmappedRequired(runbook.meta.triggers ?? [], unset, sink);
  const kept = diagnostics.filter((d) => d.rule !== RULES.triggerUnmappedParam);
  diagnostics.splice(0, diagnostics.length, ...kept, ...sink.diagnostics);
}

function noSteps(file: string): Diagnostic {
  return {
    file,
    line: 1,
    column: 1,
    severity: "error",
    rule: "no-steps",
    message:
      "no steps: a runbook needs a sql or logs-insights block, and run refuses one without (nothing would be checked)",
  };
}

/** The text report: a lint-style line a problem, then a summary line. */
function printText(checked: CheckedFile[], runbooks: number, inConfig: boolean): void {
  const all = checked.flatMap((f) => f.diagnostics);
  const errors = all.filter((d) => d.severity === "error").length;
  const warnings = all.length - errors;
  for (const d of all) process.stdout.write(`${paint(formatDiagnostic(d), d)}\n`);
  if (all.length === 0) {
    process.stdout.write(`${pc.green("✓")} ${plural(runbooks, "runbook")} checked, no problems\n`);
  } else {
    // The configuration's entry, when it has one, is the last.
    const withProblems = checked.slice(0, runbooks).filter((f) => f.diagnostics.length > 0).length;
    const summary = `${plural(all.length, "problem")} (${plural(errors, "error")}, ${plural(warnings, "warning")}) in ${withProblems} of ${plural(runbooks, "runbook")}${inConfig ? " and the configuration" : ""}`;
    process.stdout.write(`\n${errors > 0 ? pc.red("✗") : pc.yellow("!")} ${summary}\n`);
  }
}
