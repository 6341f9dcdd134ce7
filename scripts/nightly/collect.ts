/**
 * `npm run nightly -- --collect <source>`: one `run-md collect` into the configured store before
 * the runs, over a window ending at a fixed instant; the runs then end their windows at that
 * same instant (`RUN_MD_WINDOW_END`), so none asks the store for a second it was not given, and
 * each is still a full run of its runbook.
 */
import { spawn } from "node:child_process";
import { isoSeconds } from "@run-md/core";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { repoRoot } from "./build-site.ts";
import type { NightlyOptions } from "./job.ts";

/** How long the job's collect waits for another collect writing the store. */
export const COLLECT_WAIT = "30m";

export interface Collected {
  /** The collect's exit code (0: every object of the window read). */
  code: number;
  /** The end of the collected window: the end of every run's window. */
  to: string;
}

/**
 * `--collect` needs a store the runs read (`local.store` or `RUN_MD_STORE`): without one the
 * collect fails and the runs would answer from the configured log directory, or the bundled
 * sample data, as if nothing were wrong. Checked before anything runs.
 */
export function checkCollectStore(config: string | undefined): void {
  if (loadConfig(config).local.store !== undefined) return;
  throw new Error(
    "--collect needs a store for the runs to read: set local.store in the configuration (or RUN_MD_STORE), e.g. local: { store: .run-md/store }",
  );
}

/** `end`: where the night's windows end (default now). */
export async function collectFirst(
  options: NightlyOptions,
  collect: NonNullable<NightlyOptions["collect"]>,
  cliBin: string,
  end: Date = new Date(),
): Promise<Collected> {
  const to = isoSeconds(end);
  const { source, since, prune } = collect;
  options.log(`collecting ${source} (--since ${since} --to ${to}) into local.store`);
  // A collect already writing the store (an hourly one, a backfill) is waited for: refused, it
  // failed the night's collect and every runbook errored with the cause out of sight (red-team).
  const args = [cliBin, "collect", "--source", source, "--since", since, "--to", to];
  args.push("--wait", COLLECT_WAIT);
  if (prune !== undefined) args.push("--prune", prune);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...(options.config ? { RUN_MD_CONFIG: options.config } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
      killSignal: "SIGINT",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const forward = (b: Buffer) => {
      for (const line of b.toString("utf8").split("\n")) if (line.trim()) options.log(`  ${line}`);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", () => resolve(2));
    child.on("close", (c, signal) => resolve(c ?? (signal === "SIGINT" ? 130 : 2)));
  });
  if (code !== 0) options.log(`error run-md collect exited ${code}`);
  return { code, to };
}
