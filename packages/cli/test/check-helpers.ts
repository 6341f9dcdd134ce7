import path from "node:path";
import { runMdHere } from "../../../test/in-process.ts";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..");
export const fixtures = path.join(repoRoot, "packages", "core", "test", "fixtures");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `run-md <args>` in `cwd` without colours, in this process (test/in-process.ts). */
export async function runMd(args: string[], cwd = repoRoot): Promise<Run> {
  const res = await runMdHere(args, { cwd });
  return { code: res.code ?? 1, stdout: res.stdout, stderr: res.stderr };
}
