/**
 * `run-md` entry point: picks the command and lazily imports its module. A first argument that is
 * not a command means `run` (`run-md runbooks/audit-iam.md`).
 */
import { version } from "./package-files.ts";

export const USAGE = `Usage: run-md <command> [options]

Commands:
  run <file|dir>...     run runbooks and check their expectations (the default command:
                        "run-md runbooks/x.md" is "run-md run runbooks/x.md")
  check [file|dir]...   report every problem in every runbook, linter style (default: runbooks/)
  list [file|dir]...    id, title, severity, schedule, owner and steps of each runbook
  serve [runbooks...]   the access proxy: the site and an API that runs runbooks for people
                        (sign-in, access rules, live results, audit log; docs/serve.md)
  init [dir]            scaffold runbooks/ (two starters), run-md.config.yaml and a CI workflow
  trigger [EVENT.json]  run the runbooks an EventBridge event starts (their triggers:)
  rules                 the EventBridge rules for the runbooks' triggers, as CloudFormation
  collect               bring CloudTrail logs of a window into the local store (local.store)
  token <create|list|revoke>
                        API tokens for run-md serve (stored as hashes)
  audit <verify|export> check the audit log's hash chain, or export it for a SIEM
  help [command]        this help, or a command's own

Options:
  -h, --help            help
  -v, --version         the version of run-md

Exit codes: 0 ok, 1 an expectation failed, 2 an error in a runbook, parameter, configuration
or engine (or in the command line).
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.ts")).runCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  check: async () => (await import("./commands/check.ts")).checkCommand,
  list: async () => (await import("./commands/list.ts")).listCommand,
  init: async () => (await import("./commands/init.ts")).initCommand,
  trigger: async () => (await import("./commands/trigger.ts")).triggerCommand,
  rules: async () => (await import("./commands/rules.ts")).rulesCommand,
  collect: async () => (await import("./commands/collect.ts")).collectCommand,
  token: async () => (await import("./commands/token.ts")).tokenCommand,
  audit: async () => (await import("./commands/audit.ts")).auditCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    process.stdout.write(USAGE);
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === "help") {
    const topic = rest[0];
    if (topic !== undefined && Object.hasOwn(COMMANDS, topic))
      return (await COMMANDS[topic]!())(["--help"]);
    if (topic !== undefined) {
      process.stderr.write(`error unknown command "${topic}"\n\n${USAGE}`);
      return 2;
    }
    process.stdout.write(USAGE);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (load) return (await load())(rest);
  // Anything else is a path (or an option) for `run`.
  return (await COMMANDS.run!())(argv);
}
