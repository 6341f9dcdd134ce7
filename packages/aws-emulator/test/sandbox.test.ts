/**
 * The emulator's Athena endpoint goes through the local engine's sandbox. Regression: two
 * StartQueryExecution requests with `enable_logging(storage='file', storage_path=<outside>)` used to
 * make DuckDB throw a PermissionException that aborted the emulator process (exit 134). The server
 * runs as its own process here, so a crash shows as an exit, not as a dead test worker.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetQueryResultsCommand } from "@aws-sdk/client-athena";
import { generateLogs } from "@run-md/generator";
import { expect, it } from "vitest";
import { athenaClient, endpointOf, finalState, spawnCli } from "./athena-client.ts";

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => `${f} ${statSync(path.join(dir, f)).size}`);
}

it("refuses enable_logging and other unlisted table functions and keeps serving", async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-sandbox-"));
  const logDir = path.join(root, "logs");
  await generateLogs({
    outDir: logDir,
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-02T00:00:00Z"),
    eventsPerDay: 100,
    seed: "emulator-sandbox",
  });
  const before = listing(logDir);
  const run = spawnCli(["--log-dir", logDir, "--port", "0"]);
  try {
    const client = athenaClient(await endpointOf(run));
    const outside = path.join(root, "outside-logs");
    const inside = path.join(logDir, "AWSLogs", "written");
    for (const sql of [
      `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${outside}')`,
      `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${inside}')`,
      "SELECT * FROM duckdb_logs",
      `SELECT * FROM read_text('${logDir}/AWSLogs/**')`,
    ]) {
      const r = await finalState(client, sql);
      // Refused by the Athena check at the door (a table function is not Athena SQL), or else by
      // the local engine's sandbox behind it: either way nothing ran and the server lives.
      expect([r.state, r.reason], sql).toEqual(
        r.state === "REFUSED"
          ? ["REFUSED", expect.stringMatching(/is a table function|syntax error/)]
          : [
              "FAILED",
              expect.stringMatching(
                /^(NOT_SUPPORTED: Refused|TABLE_NOT_FOUND: .* is not readable)/,
              ),
            ],
      );
    }
    const ok = await finalState(client, "SELECT count(*) AS n FROM cloudtrail_logs");
    expect(ok.state).toBe("SUCCEEDED");
    const rows = await client.send(new GetQueryResultsCommand({ QueryExecutionId: ok.id }));
    expect(rows.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue).toBe("100");
    client.destroy();
    expect(run.running()).toBe(true);
    expect(listing(logDir)).toEqual(before);
  } finally {
    if (run.running()) run.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  }
});
