/** `run-md list`: the runbooks at a glance, as a table or JSON. */
import {
  duplicateIdErrors,
  loadRunbook,
  printable,
  printableJson,
  type Runbook,
} from "@run-md/core";
import Table from "cli-table3";
import pc from "picocolors";
import { parseCommandArgs, runbookFilesOrExit } from "../args.ts";

export const LIST_USAGE = `Usage: run-md list [file|dir]... [options]

Lists the runbooks (default: every *.md under runbooksDir of the configuration, runbooks/,
README.md files excepted): id, title, severity, schedule, owner and number of steps. A runbook
with errors is left out of the list and named on stderr (run-md check shows why); runbooks that
share an id are listed and named on stderr (run-md run refuses them); the exit code is then 2.

Options:
  --config <file>  configuration file (default: RUN_MD_CONFIG, else run-md.config.yaml
                   here or in the nearest folder above): its runbooksDir
  --json           print a JSON array instead of a table
  -h, --help       this help
`;

export interface ListEntry {
  id: string;
  title: string;
  path: string;
  severity: string;
  schedule: string;
  owner: string | null;
  tags: string[];
  window: string | null;
  steps: number;
  description: string | null;
}

export function listEntry(runbook: Runbook): ListEntry {
  const { meta } = runbook;
  return {
    id: meta.id,
    title: meta.title,
    path: runbook.path,
    severity: meta.severity,
    schedule: meta.schedule,
    owner: meta.owner ?? null,
    tags: meta.tags,
    window: meta.window ?? null,
    steps: runbook.steps.length,
    description: meta.description ?? null,
  };
}

export async function listCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md list", LIST_USAGE, {
    json: { type: "boolean" },
    config: { type: "string" },
  });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  const files = await runbookFilesOrExit(positionals, values.config);
  if (typeof files === "number") return files;

  const entries: ListEntry[] = [];
  const broken: string[] = [];
  for (const path of files) {
    const { runbook, diagnostics } = await loadRunbook(path);
    if (runbook) entries.push(listEntry(runbook));
    else {
      const n = diagnostics.filter((d) => d.severity === "error").length;
      broken.push(`${path} (${n} error${n === 1 ? "" : "s"})`);
    }
  }

  if (values.json) {
    process.stdout.write(`${printableJson(entries, 2)}\n`);
  } else if (entries.length > 0) {
    // Borderless, one line a runbook, like `docker ps`.
    const none = ["top", "top-mid", "top-left", "top-right", "bottom", "bottom-mid"]
      .concat(["bottom-left", "bottom-right", "left", "left-mid", "mid", "mid-mid"])
      .concat(["right", "right-mid", "middle"]);
    const table = new Table({
      head: ["ID", "TITLE", "SEVERITY", "SCHEDULE", "OWNER", "STEPS"],
      chars: Object.fromEntries(none.map((c) => [c, ""])),
      style: {
        head: pc.isColorSupported ? ["bold"] : [],
        border: [],
        "padding-left": 0,
        "padding-right": 3,
      },
    });
    for (const e of entries) {
      const cells = [e.id, e.title, e.severity, e.schedule, e.owner ?? "", String(e.steps)];
      table.push(cells.map((c) => printable(c)));
    }
    const text = table
      .toString()
      .split("\n")
      .map((line) => line.trimEnd())
      .join("\n");
    process.stdout.write(`${text}\n`);
  } else {
    process.stdout.write("no runbooks found\n");
  }
  for (const b of broken) {
    process.stderr.write(
      `error not listed, the runbook has errors: ${printable(b)}; run-md check shows them\n`,
    );
  }
  const clashes = duplicateIdErrors(entries.map((e) => ({ file: e.path, id: e.id })));
  for (const d of clashes.values())
    process.stderr.write(`error ${printable(d.file)}: ${printable(d.message)}\n`);
  return broken.length > 0 || clashes.size > 0 ? 2 : 0;
}
