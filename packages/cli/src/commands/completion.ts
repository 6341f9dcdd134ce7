/**
 * `run-md completion bash|zsh`: a shell completion script for the commands, each command's
 * options and the runbook ids. The ids are asked of `run-md completion ids` when completing, so
 * a new runbook completes without sourcing the script again.
 */
import { parseCommandArgs } from "../args.ts";
import { loadConfig } from "../config.ts";
import { COMMAND_NAMES, loadCommand } from "../main.ts";
import { runbookIds } from "../runbook-ids.ts";

export const COMPLETION_USAGE = `Usage: run-md completion bash|zsh

Prints a completion script for the shell: commands, each command's options, runbook ids (and
file names), for \`run-md\` on the PATH. Install it once with:

  npx run-md completion bash > ~/.run-md-completion.bash
  echo 'source ~/.run-md-completion.bash' >> ~/.bashrc

Options:
  -h, --help    this help
`;

/**
 * A command's options as its --help lists them. Read from the usage text, the one place that
 * lists them for people, so a new option completes without being listed twice.
 */
async function optionsOf(command: string): Promise<string[]> {
  const run = await loadCommand(command);
  if (run === undefined) return [];
  let text = "";
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await run(["--help"]);
  } finally {
    process.stdout.write = write;
  }
  // The options of the lines that list one (`  --name ...`, `  -o, --name ...`), from their
  // first column: not the flags of an example (`aws cloudformation deploy --stack-name ...`).
  const names = text.split("\n").flatMap((line) => {
    if (!/^ {2}(?:-[a-zA-Z], )?--[a-z]/.test(line)) return [];
    const spec = line.trim().split(/\s{2,}/)[0] ?? "";
    return spec.match(/--[a-z][a-z0-9-]*/g) ?? [];
  });
  return [...new Set(names)].sort();
}

/** A shell word list in single quotes. */
function quoted(words: string[]): string {
  return `'${words.join(" ").replace(/'/g, "")}'`;
}

/** The bash script (zsh runs it through bashcompinit). */
export async function bashScript(): Promise<string> {
  const commands = COMMAND_NAMES;
  const cases: string[] = [];
  for (const c of commands.filter((c) => c !== "help")) {
    cases.push(`    ${c}) opts=${quoted(await optionsOf(c))} ;;`);
  }
  return `# run-md completion for bash (run-md completion bash)
_run_md() {
  local cur cmd opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=run
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
${cases.join("\n")}
    *) opts=${quoted(await optionsOf("run"))} ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  local ids
  ids="$(command run-md completion ids 2>/dev/null)"
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W ${quoted(commands)}" $ids" -- "$cur") $(compgen -f -- "$cur"))
  elif [[ "$cmd" == help ]]; then
    COMPREPLY=($(compgen -W ${quoted(commands)} -- "$cur"))
  elif [[ "$cmd" == completion ]]; then
    COMPREPLY=($(compgen -W 'bash zsh' -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$ids" -- "$cur") $(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _run_md run-md
`;
}

export async function completionCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md completion", COMPLETION_USAGE, {});
  if (typeof args === "number") return args;
  const shell = args.positionals[0];
  if (shell === "ids") {
    // Used by the script while completing: the runbook ids, one a line (none on any problem).
    try {
      const ids = await runbookIds(loadConfig(undefined).runbooksDir);
      process.stdout.write(
        [...ids.keys()]
          .sort()
          .map((id) => `${id}\n`)
          .join(""),
      );
    } catch {
      // A broken configuration completes no ids rather than printing errors into the prompt.
    }
    return 0;
  }
  if (shell === "bash") {
    process.stdout.write(await bashScript());
    return 0;
  }
  if (shell === "zsh") {
    process.stdout.write(
      `# run-md completion for zsh (run-md completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${await bashScript()}`,
    );
    return 0;
  }
  process.stderr.write(
    `error ${shell === undefined ? "no shell given" : `unknown shell "${shell}"`}: run-md completion bash or run-md completion zsh\n`,
  );
  return 2;
}
