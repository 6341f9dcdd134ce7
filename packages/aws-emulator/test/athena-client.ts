/**
 * How the tests reach the emulated Athena: a real SDK client, a query run to its end, and
 * `npm run emulator` as its own process (so a crash shows as an exit, not a dead test worker).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  type QueryExecutionStatus,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** A client of the endpoint; one attempt per call, so the emulator's answers are seen as they are. */
export function athenaClient(endpoint: string): AthenaClient {
  return new AthenaClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** Polls GetQueryExecution until the query ends: the states seen, in order, and the last status. */
export async function pollUntilDone(
  client: AthenaClient,
  id: string,
): Promise<{ states: string[]; status: QueryExecutionStatus }> {
  const states: string[] = [];
  for (;;) {
    const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const status = r.QueryExecution!.Status!;
    states.push(status.State!);
    if (TERMINAL.has(status.State!)) return { states, status };
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** How a query ended; `REFUSED` when StartQueryExecution itself refused it (Athena's check). */
export async function finalState(
  client: AthenaClient,
  sql: string,
): Promise<{ id?: string; state: string; reason?: string }> {
  let id: string;
  try {
    const r = await client.send(new StartQueryExecutionCommand({ QueryString: sql }));
    id = r.QueryExecutionId!;
  } catch (e) {
    if ((e as Error).name !== "InvalidRequestException") throw e;
    return { state: "REFUSED", reason: (e as Error).message };
  }
  const { status } = await pollUntilDone(client, id);
  return {
    id,
    state: status.State!,
    ...(status.StateChangeReason ? { reason: status.StateChangeReason } : {}),
  };
}

export interface CliRun {
  kill(signal: NodeJS.Signals): void;
  /** Whether the process is still running. */
  running(): boolean;
  stdout(): string;
  stderr(): string;
  /** The exit code, once the process ended and its output was read. */
  exit: Promise<number | null>;
}

/** `npm run emulator -- <args>` (the source, through tsx). */
export function spawnCli(args: string[]): CliRun {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const text = { out: "", err: "" };
  child.stdout.setEncoding("utf8").on("data", (c: string) => (text.out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (text.err += c));
  return {
    kill: (signal) => child.kill(signal),
    running: () => child.exitCode === null && child.signalCode === null,
    stdout: () => text.out,
    stderr: () => text.err,
    exit: new Promise((resolve) => child.once("close", resolve)),
  };
}

/** The endpoint a started emulator prints, once it also printed how to stop it (30 s at most). */
export async function endpointOf(run: CliRun): Promise<string> {
  const until = Date.now() + 30_000;
  let ended = false;
  void run.exit.then(() => (ended = true));
  for (;;) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout());
    if (m && run.stdout().includes("Ctrl-C")) return m[1]!;
    if (ended || Date.now() > until) {
      throw new Error(
        `no endpoint printed${ended ? " (exited)" : ""}: ${run.stdout()}${run.stderr()}`,
      );
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}
