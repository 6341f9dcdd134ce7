/** `run-md audit verify | export`: the access proxy's audit log (docs/serve.md). */
import { stat } from "node:fs/promises";
import {
  DEFAULT_AUDIT_FILE,
  EXPORT_FORMATS,
  type ExportFormat,
  formatEntries,
  parseWhen,
  readAuditEntries,
  verifyAuditFiles,
} from "@run-md/access";
import { printable, printableLines, RunMdError } from "@run-md/core";
import { writeOutputFile } from "../output/file-check.ts";
import { accessCommand, serverFile } from "./access-files.ts";

export const AUDIT_USAGE = `Usage: run-md audit verify [--anchor HASH] [FILE...]
       run-md audit export [--since 30d] [--until WHEN] --format json|csv
                           [--output FILE] [--file FILE]...

verify checks the hash chain of the audit log (default: server.audit of the configuration, else
${DEFAULT_AUDIT_FILE} next to it): exit 0 when it
holds (printing the last entry's seq and hash: keep it elsewhere, as --anchor for a later verify),
1 naming the file, line and seq of the first entry that breaks it. The pieces of a rotated log,
given oldest first (audit.log.2 audit.log.1 audit.log), are verified as one chain.
export writes the entries with since <= time < until for a SIEM: json is JSON Lines (one entry a
line, as stored), csv has a header and one row per entry (groups joined with ";", details as JSON).

Options:
  --anchor HASH         verify: a hash printed by an earlier verify; 1 unless an entry has it
                        (entries cut off the end, or an older copy, break no chain)
  --since WHEN          a duration before now (30d, the default) or an ISO-8601 date or time
  --until WHEN          the end (exclusive): a duration before now or an ISO-8601 date or time
  --format json|csv     the output format (required unless --output ends .json, .jsonl or .csv)
  --output, -o FILE     write here (atomically) instead of stdout
  --file FILE           the audit log (default: server.audit, else ${DEFAULT_AUDIT_FILE});
                        repeat it for the pieces of a rotated log, oldest first
  -h, --help            this help
`;

const OPTIONS = {
  anchor: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  format: { type: "string" },
  // -o as on query and run.
  output: { type: "string", short: "o" },
  file: { type: "string", multiple: true },
} as const;

export async function auditCommand(argv: string[]): Promise<number> {
  return accessCommand(argv, "run-md audit", AUDIT_USAGE, OPTIONS, async (values, sub, rest) => {
    if (sub === "verify")
      return verify(rest.length > 0 ? rest : logFiles(values.file), values.anchor);
    if (sub === "export" && rest.length === 0) return exportLog(values);
    throw new RunMdError(
      "usage",
      sub === "verify" || sub === "export"
        ? `unexpected arguments for run-md audit ${sub}: ${rest.join(" ")}`
        : `run-md audit needs verify or export${sub === undefined ? "" : `, not "${sub}"`}`,
      { hint: "run-md audit --help" },
    );
  });
}

/** The `--file`s given, else the server's log. */
function logFiles(flag: string[] | undefined): string[] {
  return flag && flag.length > 0 ? flag : [serverFile(undefined, "audit")];
}

async function verify(files: string[], anchor: string | undefined): Promise<number> {
  if (anchor !== undefined && !/^[0-9a-f]{64}$/.test(anchor))
    throw new RunMdError("usage", "--anchor: expected a hash of the log (64 lowercase hex digits)");
  const result = await verified(files, anchor);
  if (result.ok) {
    const n = result.entries;
    process.stdout.write(
      `${files.join(" + ")}: ${n} ${n === 1 ? "entry" : "entries"}, chain intact\nlast: seq ${n} hash ${result.last}\n`,
    );
    return 0;
  }
  const seq = result.seq === undefined ? "" : ` (seq ${result.seq})`;
  process.stderr.write(`error ${result.file}:${result.line}${seq}: ${printable(result.reason)}\n`);
  return 1;
}

async function exportLog(values: {
  since?: string;
  until?: string;
  format?: string;
  output?: string;
  file?: string[];
}): Promise<number> {
  const format = exportFormat(values.format, values.output);
  const now = new Date();
  const since = parseWhen(values.since ?? "30d", "--since", now, -1);
  const until =
    values.until === undefined ? undefined : parseWhen(values.until, "--until", now, -1);
  if (until && until.getTime() <= since.getTime())
    throw new RunMdError("usage", `--since ${values.since} is not before --until ${values.until}`);
  const files = logFiles(values.file);
  const check = await verified(files);
  if (!check.ok)
    process.stderr.write(
      `warning ${check.file}:${check.line}: ${printable(check.reason)}: the chain is broken (run-md audit verify)\n`,
    );
  const entries = [];
  for (const file of files)
    entries.push(...(await readAuditEntries(file, until ? { since, until } : { since })));
  const text = formatEntries(entries, format);
  // On a terminal, what the entries hold (names from the identity provider, targets) cannot
  // drive it; into a pipe or a file the export is the entries as stored.
  if (values.output === undefined)
    process.stdout.write(process.stdout.isTTY ? printableLines(text) : text);
  else await writeOutputFile(values.output, "--output", text);
  return 0;
}

/** The formats output files' extensions name (the JSON export is one entry per line). */
const EXTENSIONS: Readonly<Record<string, ExportFormat>> = {
  json: "json",
  jsonl: "json",
  ndjson: "json",
  csv: "csv",
};

/**
 * `--format`, or the one `--output`'s extension names (`audit.csv`); a format the extension
 * contradicts (`--format csv -o audit.json`) is refused rather than write CSV a reader takes
 * for JSON.
 */
function exportFormat(given: string | undefined, output: string | undefined): ExportFormat {
  const ext = output?.match(/\.([a-z]+)$/i)?.[1]?.toLowerCase() ?? "";
  // By own key: `.constructor` names no format (the table's prototype has one of that name).
  const named = Object.hasOwn(EXTENSIONS, ext) ? EXTENSIONS[ext] : undefined;
  if (given === undefined) {
    if (named !== undefined) return named;
    throw new RunMdError(
      "usage",
      output === undefined
        ? "--format is required: json or csv"
        : `--format is required: json or csv (--output ${output} does not end .json, .jsonl or .csv)`,
    );
  }
  const format = EXPORT_FORMATS.find((f) => f === given);
  if (format === undefined)
    throw new RunMdError("usage", `--format "${given}": expected json or csv`);
  if (named !== undefined && named !== format)
    throw new RunMdError("usage", `--format ${format} but --output ${output} ends .${ext}`);
  return format;
}

/** `verifyAuditFiles`, with a missing file as a user error. */
async function verified(files: string[], anchor?: string) {
  for (const file of files)
    await stat(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") throw new RunMdError("audit-missing", `${file} does not exist`);
      throw e;
    });
  return verifyAuditFiles(files, anchor);
}
