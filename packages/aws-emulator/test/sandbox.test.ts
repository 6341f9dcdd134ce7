/**
 * The emulator's Athena endpoint goes through the local engine's sandbox. Regression: two
 * StartQueryExecution requests with `enable_logging(storage='file', storage_path=<outside>)` used to
 * make DuckDB throw a PermissionException that aborted the emulator process (exit 134). The server
 * runs as its own process here, so a crash shows as an exit, not as a dead test worker.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { generateLogs } from "@run-md/generator";
import { expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

/** How a query ended; `REFUSED` when StartQueryExecution itself refused it (Athena's check). */
async function finished(client: AthenaClient, sql: string) {
  let QueryExecutionId: string | undefined;
  try {
    ({ QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({ QueryString: sql }),
    ));
  } catch (e) {
    const err = e as Error;
    if (err.name !== "InvalidRequestException") throw e;
    return { id: undefined, state: "REFUSED", reason: err.message };
  }
  for (;;) {
    const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const status = r.QueryExecution?.Status;
    if (status?.State !== "QUEUED" && status?.State !== "RUNNING") {
      return { id: QueryExecutionId, state: status?.State, reason: status?.StateChangeReason };
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}

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
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLI, "--log-dir", logDir, "--port", "0"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    let out = "";
    child.stdout.setEncoding("utf8");
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const client = new AthenaClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" },
    });
    const outside = path.join(root, "outside-logs");
    const inside = path.join(logDir, "AWSLogs", "written");
    for (const sql of [
      `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${outside}')`,
      `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${inside}')`,
      "SELECT * FROM duckdb_logs",
      `SELECT * FROM read_text('${logDir}/AWSLogs/**')`,
    ]) {
      const r = await finished(client, sql);
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
    const ok = await finished(client, "SELECT count(*) AS n FROM cloudtrail_logs");
    expect(ok.state).toBe("SUCCEEDED");
    const rows = await client.send(new GetQueryResultsCommand({ QueryExecutionId: ok.id }));
    expect(rows.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue).toBe("100");
    client.destroy();
    expect(child.exitCode).toBeNull();
    expect(listing(logDir)).toEqual(before);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  }
});
