/**
 * Runs the CLI's `main()` inside the test worker instead of spawning `bin/run-md.cjs`: the same
 * code, arguments, environment, working directory and exit code, with standard output and error
 * captured. A spawned run pays about 2 s of CPU before its first step (loading the bundle, DuckDB,
 * warming the SQL grammar's parser), which most CLI tests spent dozens of times over; here the
 * worker pays it once.
 *
 * What this cannot show stays with `runMd` (helpers.ts), the real binary: signals and Ctrl-C,
 * standard input, a process wrapper (setpriv, time), a hang, a crash, the bundle itself. Each of
 * those has its own spawning tests (query-cli, cli-friendly, pack, the pty tests).
 *
 * Calls are serialized (one at a time per worker): process.env, the working directory and the
 * standard streams are global, and each call restores them.
 */
import path from "node:path";
import type { CliResult } from "./helpers.ts";
import { REPO } from "./helpers.ts";

type Write = typeof process.stdout.write;

let queue: Promise<unknown> = Promise.resolve();

type Main = (argv: string[]) => Promise<number>;
type Options = { env?: Record<string, string>; cwd?: string };

/** `run-md <args>` in this process, one call at a time. */
export function runMdHere(args: string[], opts: Options = {}): Promise<CliResult> {
  return inTurn(async () => (await import("../packages/cli/src/main.ts")).main, args, opts);
}

/**
 * `npm run nightly -- <args>` in this process (scripts/nightly/main.ts; the `run-md` runs are
 * still processes of their own), one call at a time with runMdHere's. What needs the job's own
 * process (its signals) stays with the tests that spawn scripts/nightly.ts.
 */
export function nightlyHere(args: string[], opts: Options = {}): Promise<CliResult> {
  return inTurn(async () => (await import("../scripts/nightly/main.ts")).nightlyMain, args, opts);
}

/** Any command line's `main(argv)` (its exit code as the result) in this process, in turn. */
export function inTurn(
  load: () => Promise<Main>,
  args: string[],
  opts: Options = {},
): Promise<CliResult> {
  const next = queue.then(() => runOnce(load, args, opts));
  queue = next.catch(() => undefined);
  return next;
}

async function runOnce(
  load: () => Promise<Main>,
  args: string[],
  opts: Options,
): Promise<CliResult> {
  const main = await load();
  const restoreEnv = applyEnv({ CI: "1", NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env });
  const cwd = process.cwd();
  process.chdir(path.resolve(REPO, opts.cwd ?? "."));
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  let code: number;
  try {
    code = await main(args);
  } catch (e) {
    // What the binary does with an unhandled rejection: the stack on stderr, exit code 1.
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    code = 1;
  } finally {
    err.restore();
    out.restore();
    process.chdir(cwd);
    restoreEnv();
  }
  // A command may set process.exitCode; left set, it would become the worker's own exit code.
  process.exitCode = undefined;
  return { code, signal: null, stdout: out.text(), stderr: err.text() };
}

/** Sets `vars` in process.env; returns what puts every changed variable back. */
function applyEnv(vars: Record<string, string>): () => void {
  const before = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    before.set(k, process.env[k]);
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Collects what is written to `stream` (as a pipe would: no terminal) until `restore()`. */
function capture(stream: NodeJS.WriteStream): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const write = stream.write;
  const isTTY = Object.getOwnPropertyDescriptor(stream, "isTTY");
  Object.defineProperty(stream, "isTTY", { value: false, configurable: true, writable: true });
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
    const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return true;
  }) as Write;
  return {
    text: () => chunks.join(""),
    restore: () => {
      stream.write = write;
      if (isTTY) Object.defineProperty(stream, "isTTY", isTTY);
      else delete (stream as { isTTY?: boolean }).isTTY;
    },
  };
}
