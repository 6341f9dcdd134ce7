import { type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { StepReport } from "../packages/core/src/index.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = path.join(REPO, "packages/cli/bin/run-md.cjs");
export const SHARED = path.resolve(REPO, "../shared");
export const HAS_SHARED = existsSync(SHARED);

/** The records of shared data sets' events.jsonl files (one JSON object a line); none without ../shared. */
export function datasetRecords<T = Record<string, unknown>>(names: string[]): T[] {
  if (!HAS_SHARED) return [];
  return names.flatMap((name) =>
    readFileSync(path.join(SHARED, "datasets", name, "events.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as T),
  );
}

/**
 * The environment that points the CLI's athena and logs engines at an emulator on `endpoint`:
 * the emulator's CloudTrail table (projection-partitioned) and log group, placeholder credentials.
 */
export function emulatorEnv(endpoint: string): Record<string, string> {
  return {
    RUN_MD_ATHENA_ENDPOINT: endpoint,
    RUN_MD_ATHENA_TABLE: "security.cloudtrail_logs_pp",
    RUN_MD_ATHENA_PARTITIONING: "projection",
    RUN_MD_LOGS_ENDPOINT: endpoint,
    RUN_MD_LOG_GROUPS: "aws-cloudtrail-logs",
    AWS_ACCESS_KEY_ID: "AKIDLOCALEMULATOR",
    AWS_SECRET_ACCESS_KEY: "local-emulator-secret",
    AWS_REGION: "us-east-1",
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `run-md` binary, as a user would, with plain (non-TTY) output. */
export function runMd(
  args: string[],
  opts: {
    env?: Record<string, string>;
    cwd?: string;
    onSpawn?: (pid: number) => void;
    /** A command the binary runs under, such as `setpriv ...` or `/usr/bin/time -f ...`. */
    wrap?: string[];
    /** Standard input (a pipe that ends after it); by default there is none. */
    input?: string;
  } = {},
): Promise<CliResult> & { child?: ReturnType<typeof spawn> } {
  const [command, ...prefix] = [...(opts.wrap ?? []), process.execPath];
  const child = spawn(command as string, [...prefix, BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, CI: "1", NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env },
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const p = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  }) as Promise<CliResult> & { child?: ReturnType<typeof spawn> };
  p.child = child;
  return p;
}

/**
 * A step that ran and found no rows. An errored, skipped or cancelled step has a row count of 0
 * too, so `rowCount` alone would pass a step that never read anything.
 */
export function expectNoRows(step: StepReport): void {
  const why = `${step.id}: ${step.status}${step.error ? ` (${step.error.message})` : ""}`;
  expect(["passed", "warned", "failed"], why).toContain(step.status);
  expect(step.rowCount, step.id).toBe(0);
}
