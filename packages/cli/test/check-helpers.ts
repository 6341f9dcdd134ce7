import { execFile } from "node:child_process";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..");
export const bin = path.join(repoRoot, "packages", "cli", "bin", "run-md.cjs");
export const fixtures = path.join(repoRoot, "packages", "core", "test", "fixtures");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `run-md` binary with Node, without colours. */
export function runMd(args: string[], cwd = repoRoot): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
