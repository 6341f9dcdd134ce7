/**
 * The container image's entry point: the event comes as a file argument, the `RUN_MD_EVENT`
 * variable (EventBridge → ECS/Fargate or Step Functions passes it as a container override), or
 * standard input. Prints the result as JSON; exit 0 when nothing failed, 1 when a runbook
 * failed, 2 on a bad event or configuration (a mistake in `notify:` too, after telling the other
 * targets), an errored run, a report not written or not published, or a runbook that does not
 * load (as `run-md trigger`).
 */
import { readFile } from "node:fs/promises";
import { printableJson, printableLines } from "@run-md/core";
import { handleEvent } from "./automation/handler.ts";

async function eventText(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  if (argv[0] !== undefined && argv[0] !== "-") return readFile(argv[0], "utf8");
  if (env.RUN_MD_EVENT) return env.RUN_MD_EVENT;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function containerMain(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const result = await handleEvent(await eventText(argv, env), {
      env,
      log: (line) => process.stderr.write(`${printableLines(line)}\n`),
      // A task names its attempt (Step Functions: the execution and the state, which its retry
      // of a failed task keeps): the retry tells what its dead attempt claimed (review: without
      // it the claim was left to run out, and then to another event, which may never come).
      ...(env.RUN_MD_CLAIMANT ? { claimant: `container:${env.RUN_MD_CLAIMANT}` } : {}),
    });
    process.stdout.write(`${printableJson(result, 2)}\n`);
    const failed = result.matched.some((m) => m.status === "failed");
    const errored =
      result.matched.some(
        (m) =>
          m.status === "errored" || m.reportError !== undefined || m.publishError !== undefined,
      ) ||
      result.skipped.some((m) => "unresolved" in m || m.problems !== undefined) ||
      result.notifyMistakes !== undefined;
    return errored ? 2 : failed ? 1 : 0;
  } catch (e) {
    process.stderr.write(`error ${printableLines((e as Error).message)}\n`);
    return 2;
  }
}
