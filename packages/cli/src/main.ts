/**
 * `run-md` entry point: picks the command and lazily imports its module. A first argument that is
 * not a command means `run` (`run-md runbooks/audit-iam.md`, or a runbook id: `run-md audit-iam`).
 */
import { installCheckCache } from "./check-cache.ts";
import { docRefs, version } from "./package-files.ts";

export const USAGE = `Usage: run-md <command> [options]

Commands:
  run <file|dir|id>...  run runbooks and check their expectations (the default command:
                        "run-md runbooks/x.md" and "run-md x" are "run-md run runbooks/x.md")
  check [file|dir]...   report every problem in every runbook, linter style (default: runbooksDir)
  list [file|dir]...    id, title, severity, schedule, owner and steps of each runbook
  serve [runbooks...]   the access proxy: the site and an API that runs runbooks for people
                        (sign-in, access rules, live results, audit log; docs/serve.md)
  query ["<query>"]     run one SQL (or --insights Logs Insights) query; print or save its rows
  compare <runbook>... --engines <a,b>
                        run runbooks on two engines over one window and say what differs
  init [dir]            scaffold runbooks/ (four starters), run-md.config.yaml and a CI workflow
  trigger [EVENT.json]  run the runbooks an EventBridge event starts (their triggers:)
  rules                 the EventBridge rules for the runbooks' triggers, as CloudFormation
  collect               bring CloudTrail logs of a window into the local store (local.store)
  token <create|list|revoke>
                        API tokens for run-md serve (stored as hashes)
  audit <verify|export> check the audit log's hash chain, or export it for a SIEM
  new <id>              write a runbook skeleton to runbooks/<id>.md
  completion bash|zsh   print a shell completion script (commands, options, runbook ids)
  help [command]        this help, or a command's own

Options:
  -h, --help            help
  -v, --version         the version of run-md

Exit codes: 0 ok, 1 an expectation failed, 2 an error in a runbook, parameter, configuration
or engine (or in the command line), 130 cancelled (Ctrl-C).
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.ts")).runCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  check: async () => (await import("./commands/check.ts")).checkCommand,
  list: async () => (await import("./commands/list.ts")).listCommand,
  query: async () => (await import("./commands/query.ts")).queryCommand,
  compare: async () => (await import("./commands/compare.ts")).compareCommand,
  init: async () => (await import("./commands/init.ts")).initCommand,
  trigger: async () => (await import("./commands/trigger.ts")).triggerCommand,
  rules: async () => (await import("./commands/rules.ts")).rulesCommand,
  collect: async () => (await import("./commands/collect.ts")).collectCommand,
  token: async () => (await import("./commands/token.ts")).tokenCommand,
  audit: async () => (await import("./commands/audit.ts")).auditCommand,
  new: async () => (await import("./commands/new.ts")).newCommand,
  completion: async () => (await import("./commands/completion.ts")).completionCommand,
};

/** The commands that check queries with Trino's grammar (check-cache.ts). */
const SQL_COMMANDS = new Set(["run", "check", "query", "serve", "trigger", "compare"]);

/** The command names, for suggestions and shell completion. */
export const COMMAND_NAMES = [...Object.keys(COMMANDS), "help"];

/** A command's function, for `help` and `completion`. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return Object.hasOwn(COMMANDS, name) ? await COMMANDS[name]!() : undefined;
}

/**
 * A reader of standard output that went away (`run-md x | head -1`) is no failure of the run's:
 * what it no longer reads is dropped, and the run goes on to write its report and exit with its
 * own status. Without a listener Node throws the write's EPIPE, and the run died unreported with
 * the crash's exit 1 ("an expectation failed"). `query`, whose output is the result, listens
 * itself and stops (`output-closed`).
 */
function dropOutputAfterItsReaderLeft(): void {
  // Once per process: the tests call main() many times in one. Standard error too: with
  // `2>&1 | head -1` the message saying the output closed meets the same closed pipe.
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners("error").includes(ignoreClosedReader))
      stream.on("error", ignoreClosedReader);
  }
}

function ignoreClosedReader(e: NodeJS.ErrnoException): void {
  if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
}

export async function main(argv: string[]): Promise<number> {
  dropOutputAfterItsReaderLeft();
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    process.stdout.write(docRefs(USAGE));
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === "help") {
    // `help help`, `help --help`: the usage, as `help` alone prints it.
    const topic = ["help", "-h", "--help"].includes(rest[0] ?? "") ? undefined : rest[0];
    if (topic !== undefined && Object.hasOwn(COMMANDS, topic))
      return (await COMMANDS[topic]!())(["--help"]);
    if (topic !== undefined) {
      const { suggestion } = await import("./args.ts");
      process.stderr.write(
        `error unknown command ${topic}${suggestion(topic, COMMAND_NAMES)}\n\n${docRefs(USAGE)}`,
      );
      return 2;
    }
    process.stdout.write(docRefs(USAGE));
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (load) {
    if (SQL_COMMANDS.has(first)) await installCheckCache();
    return guarded(async () => (await load())(rest));
  }
  if (await isMistypedCommand(first)) return 2;
  // Anything else is a path, a runbook id (or an option) for `run`.
  await installCheckCache();
  return guarded(async () => (await COMMANDS.run!())(argv));
}

/**
 * A command's exit code; an error that escaped it is said and is exit 2, as the commands say
 * their own: never the crash's exit 1, which reads as "an expectation failed". A run-md error
 * (an unreadable runbook, say) with its hint; a system error (a folder that cannot be written)
 * with its message, which names the path; anything else as an internal error with its stack.
 * Core is not imported here (the start-up stays small): the error is known by its name.
 */
async function guarded(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (e) {
    // Escaped as every printer escapes (a path may hold control characters); loaded only here.
    const { printableLines } = await import("@run-md/core");
    process.stderr.write(docRefs(printableLines(escapedMessage(e))));
    return (e as { exitCode?: number } | undefined)?.exitCode ?? 2;
  }
}

function escapedMessage(e: unknown): string {
  if (!(e instanceof Error)) return `internal error ${String(e)}\n`;
  if (e.name === "RunMdError") {
    const { hint } = e as Error & { hint?: string };
    return `error ${e.message}\n${hint ? `hint: ${hint}\n` : ""}`;
  }
  if (typeof (e as NodeJS.ErrnoException).syscall === "string") return `error ${e.message}\n`;
  return `internal error ${e.stack ?? e.message}\n`;
}

/**
 * Whether `word` is a mistyped command (`chekc`, or `version` for `--version`): not a path, not
 * a runbook id, and close to a command. Says so (exit 2) rather than running it as a runbook that does not exist.
 */
async function isMistypedCommand(word: string): Promise<boolean> {
  const { suggestion } = await import("./args.ts");
  // `run-md version`, as other tools spell it: the option.
  const hint = word === "version" ? " (did you mean --version?)" : suggestion(word, COMMAND_NAMES);
  const { looksLikeId, runbookIds } = await import("./runbook-ids.ts");
  if (hint === "" || !looksLikeId(word)) return false;
  try {
    const { loadConfig } = await import("./config.ts");
    if ((await runbookIds(loadConfig(undefined).runbooksDir)).has(word)) return false;
  } catch {
    // A broken configuration is reported by the command that needs it.
  }
  process.stderr.write(`error unknown command ${word}${hint}\n\n${docRefs(USAGE)}`);
  return true;
}
