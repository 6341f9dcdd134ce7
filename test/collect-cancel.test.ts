/**
 * Ctrl-C on `run-md collect` (the CLI's own process): it says what the store keeps and exits
 * 130, and the next collect finishes the window from the manifest.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BIN } from "./helpers.ts";
import { runMdHere } from "./in-process.ts";

let root: string;
let logs: string;
const from = "2024-03-01T00:00:00Z";
const to = "2024-03-09T00:00:00Z";

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "run-md-collect-cancel-"));
  logs = path.join(root, "logs");
  await generateLogs({
    outDir: logs,
    start: new Date(from),
    end: new Date(to),
    eventsPerDay: 4000,
    seed: 9,
    regions: ["us-east-1"],
  });
}, 120_000);
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

it("Ctrl-C says what the store keeps, exits 130, and the next collect finishes", async () => {
  const store = path.join(root, "store");
  const child = spawn(
    process.execPath,
    [BIN, "collect", "--source", logs, "--store", store, "--from", from, "--to", to],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  // Interrupted once the collect has started on the days (its progress says so).
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (/collect: .*objects/.test(stderr) || child.exitCode !== null) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code, stderr).toBe(130);
  expect(stderr).toContain("collect: cancelled");
  expect(stderr).toContain("collect again to finish");
  const again = await runMdHere([
    "collect",
    "--source",
    logs,
    "--store",
    store,
    "--from",
    from,
    "--to",
    to,
  ]);
  expect(again.code, again.stderr).toBe(0);
  expect(existsSync(path.join(store, "manifest.json"))).toBe(true);
}, 120_000);
