/**
 * Vitest global setup, once per `vitest run`: builds the CLI bundle (packages/cli/dist), so every
 * test that runs the real `run-md` binary runs the current sources, compiled once (about half a
 * second) rather than through a TypeScript loader in each spawned process.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export default function setup(): void {
  execFileSync(process.execPath, [path.join(REPO, "packages/cli/scripts/build.mjs"), "--quiet"], {
    stdio: "inherit",
  });
}
