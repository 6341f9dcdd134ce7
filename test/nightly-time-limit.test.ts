/**
 * The nightly job's own time limit (`--time-limit`): a runbook that hangs (a query that never
 * ends, an engine that does not answer) must not take the night with it. Before, the job ran
 * until the CI runner's limit killed it (GitHub stops a step with SIGINT to its shell, which the
 * job never sees, then kills the tree): the runs that had finished were told to nobody, and the
 * one that hung was never reported at all, night after night (red-team). Past its limit, the job
 * stops the runs still going, counts them and the runbooks it did not get to as errored, tells
 * them, and ends as usual (exit 2). The real job (its runs are `run-md` processes) and a loopback
 * webhook.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runNightly } from "../scripts/nightly/job.ts";
import { parseNightlyArgs } from "../scripts/nightly/options.ts";

let work: string;
let server: Server;
let url: string;
const texts: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-time-limit-"));
  await writeFile(
    path.join(work, "run-md.config.yaml"),
    `local:\n  logDir: ${inject("sampleData").incidents}\n`,
  );
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      texts.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const runbook = (title: string, body: string) =>
  `---\ntitle: ${title}\nschedule: nightly\nseverity: high\n---\n\n${body}\n`;

describe("red-team: a nightly job past its time limit", () => {
  it("stops the run that hangs and the ones not started as errored, tells them, and exits 2", async () => {
    const dir = await mkdtemp(path.join(work, "runbooks-"));
    await writeFile(
      path.join(dir, "a-finds.md"),
      runbook("Finds", "```sql one\nSELECT 1 AS one\n```\n\n```expect\nrows == 0\n```"),
    );
    await writeFile(
      path.join(dir, "b-hangs.md"),
      runbook(
        "Hangs",
        "```sql forever timeout=10m dialect=duckdb\nSELECT count(*) AS n FROM range(1000000000000) WHERE range % 7 = 3\n```",
      ),
    );
    await writeFile(
      path.join(dir, "c-after.md"),
      runbook("After", "```sql one\nSELECT 1 AS one\n```"),
    );
    const reportsDir = path.join(dir, "reports");
    const lines: string[] = [];
    const result = await runNightly({
      runbooksDir: dir,
      reportsDir,
      config: path.join(work, "run-md.config.yaml"),
      concurrency: 1,
      build: false,
      outDir: path.join(dir, "site"),
      notify: ["failed", "errored", "recovered", "reminder"],
      webhookUrl: url,
      // Past the first run's few seconds, well before the query that never ends.
      timeLimitMs: 15_000,
      log: (line) => lines.push(line),
    });
    const said = lines.join("\n");
    expect(
      result.outcomes.map((o) => [o.runbookId, o.status]),
      said,
    ).toEqual([
      ["a-finds", "failed"],
      ["b-hangs", "errored"],
      ["c-after", "errored"],
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.interrupted).toBe(false);
    const hung = result.outcomes[1]!;
    expect(hung.stderr).toMatch(/the job's time limit \(15s\) was reached: the run was stopped/);
    expect(result.outcomes[2]!.stderr).toMatch(
      /the job's time limit \(15s\) was reached before it started/,
    );
    // Each one's folder says it errored tonight (the site, latest.json).
    for (const id of ["b-hangs", "c-after"]) {
      const latest = JSON.parse(await readFile(path.join(reportsDir, id, "latest.json"), "utf8"));
      expect(latest.status, id).toBe("errored");
    }
    const message = texts.join("\n");
    expect(message).toContain("Finds failed");
    expect(message).toContain("Hangs errored");
    expect(message).toContain("After errored");
    expect(said).toMatch(/time limit 15s reached: 1 run stopped, 1 not started/);
  }, 120_000);

  it("a limit longer than a timer holds (30d) stops nothing before it (review, 2026-12-07)", async () => {
    // Node fires a timer of more than 2^31-1 ms (24.8 days) at once: every run was stopped, told
    // and reported errored at the start of the night.
    const dir = await mkdtemp(path.join(work, "runbooks-long-"));
    await writeFile(
      path.join(dir, "quick.md"),
      runbook("Quick", "```sql one\nSELECT 1 AS one\n```\n\n```expect\nrows == 1\n```"),
    );
    const lines: string[] = [];
    const result = await runNightly({
      runbooksDir: dir,
      reportsDir: path.join(dir, "reports"),
      config: path.join(work, "run-md.config.yaml"),
      concurrency: 1,
      build: false,
      outDir: path.join(dir, "site"),
      notify: [],
      timeLimitMs: 30 * 24 * 3_600_000,
      log: (line) => lines.push(line),
    });
    const said = lines.join("\n");
    expect(
      result.outcomes.map((o) => [o.runbookId, o.status]),
      said,
    ).toEqual([["quick", "passed"]]);
    expect(said).not.toMatch(/time limit/);
  }, 120_000);

  it("is taken from --time-limit or RUN_MD_NIGHTLY_TIME_LIMIT, and refuses what is no duration", () => {
    const at = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const o = parseNightlyArgs([...argv, "--no-build"], env);
      return o === "help" ? undefined : o.timeLimitMs;
    };
    expect(at(["--time-limit", "40m"])).toBe(40 * 60_000);
    expect(at([], { RUN_MD_NIGHTLY_TIME_LIMIT: "2h" })).toBe(2 * 3_600_000);
    expect(at([])).toBeUndefined();
    expect(() => at(["--time-limit", "soon"])).toThrow(/--time-limit must be a duration/);
    // From the environment (the workflow sets it so), the message names the variable: no
    // --time-limit is written anywhere (second review, 2026-12-07).
    expect(() => at([], { RUN_MD_NIGHTLY_TIME_LIMIT: "35 m" })).toThrow(
      'RUN_MD_NIGHTLY_TIME_LIMIT must be a duration such as 40m or 2h, got "35 m"',
    );
    expect(() => at([], { RUN_MD_NIGHTLY_CONCURRENCY: "four" })).toThrow(
      'RUN_MD_NIGHTLY_CONCURRENCY must be a whole number of at least 1, got "four"',
    );
    expect(() => at([], { RUN_MD_RETENTION: "90 days" })).toThrow(
      'RUN_MD_RETENTION must be a duration such as 90d or 12w, or "forever", got "90 days"',
    );
  });
});
