/**
 * `npm run nightly` end to end: the real `run-md` command on the bundled sample data, a local
 * HTTP receiver standing in for the Slack webhook (RUN_MD_WEBHOOK_URL, one summary a night),
 * report retention and the site build.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunReport } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "..");
const DAY = 86_400_000;

interface Received {
  body: { text: string; blocks: { type: string; [k: string]: unknown }[] };
  answered: number;
}

/** Collects the posts; answers 500 to the first `refuse` posts so the job has to retry. */
async function startReceiver(refuse: number) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Received["body"];
      const answered = received.length < refuse ? 500 : 200;
      received.push({ body, answered });
      res.writeHead(answered, { "content-type": "text/plain" }).end(answered === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/nightly`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function runNpm(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", args, { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The bundled sample data the job read (`local.logDir: sample`, beside run-md.config.yaml). */
const SAMPLE = path.join(repoRoot, ".run-md", "sample-data");

/** The first day of the week the sample data covers, from its manifest. */
async function sampleWeekStart(): Promise<string> {
  const manifest = await readFile(path.join(SAMPLE, ".run-md-sample.json"), "utf8");
  return (JSON.parse(manifest) as { start: string }).start.slice(0, 10);
}

/**
 * The UTC days a window spans for an hour or more with no delivery folder in the sample data, in
 * any region: the days the local engine calls without logs (docs/nightly.md).
 */
async function daysWithoutSampleLogs(window: { start: string; end: string }): Promise<string[]> {
  const trail = path.join(SAMPLE, "AWSLogs", "111122223333", "CloudTrail");
  const days = new Set<string>();
  for (const region of await readdir(trail))
    for (const y of await readdir(path.join(trail, region)))
      for (const m of await readdir(path.join(trail, region, y)))
        for (const d of await readdir(path.join(trail, region, y, m))) days.add(`${y}-${m}-${d}`);
  const [start, end] = [Date.parse(window.start), Date.parse(window.end)];
  const missing: string[] = [];
  for (let day = Math.floor(start / DAY) * DAY; day < end; day += DAY) {
    const spanned = Math.min(end, day + DAY) - Math.max(start, day);
    const name = new Date(day).toISOString().slice(0, 10);
    if (spanned >= 3_600_000 && !days.has(name)) missing.push(name);
  }
  return missing;
}

const runbook = (front: string, body: string) => `---\n${front.trim()}\n---\n\n${body.trim()}\n`;

/** A report file as the runner names it, `days` days ago. */
async function oldReport(reportsDir: string, id: string, days: number, template: RunReport) {
  const startedAt = new Date(Date.now() - days * DAY).toISOString();
  const dir = path.join(reportsDir, id);
  await mkdir(dir, { recursive: true });
  const name = `${startedAt.replaceAll(":", "-")}.json`;
  const report = {
    ...template,
    runId: `old-${id}-${days}`,
    runbook: { ...template.runbook, id },
    startedAt,
  };
  await writeFile(path.join(dir, name), JSON.stringify(report));
  return name;
}

describe("npm run nightly", () => {
  let work: string;
  let runbooksDir: string;
  let reportsDir: string;
  let outDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let result: Awaited<ReturnType<typeof runNpm>>;
  const seeded: Record<string, string> = {};

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-"));
    runbooksDir = path.join(work, "runbooks");
    reportsDir = path.join(work, "reports");
    outDir = path.join(work, "site");
    await mkdir(runbooksDir);
    // Two bundled runbooks that find what the sample data plants (they fail) ...
    for (const f of ["kms-key-deletion.md", "audit-iam.md"]) {
      await copyFile(path.join(repoRoot, "runbooks", f), path.join(runbooksDir, f));
    }
    // ... one that passes, one whose query the engine rejects, and a manual one.
    await writeFile(
      path.join(runbooksDir, "quiet-night.md"),
      runbook(
        "title: Nothing unusual\nseverity: low\nschedule: nightly",
        "```sql no_such_event\nSELECT eventname FROM cloudtrail_logs WHERE eventname = 'NoSuchEventEver'\n```\n\n```expect\nrows == 0\n```",
      ),
    );
    await writeFile(
      path.join(runbooksDir, "broken-column.md"),
      runbook(
        "title: A query with a typo\nseverity: high\nschedule: nightly\nescalation: Fix the query.",
        "```sql typo\nSELECT no_such_column FROM cloudtrail_logs\n```\n\n```expect\nrows == 0\n```",
      ),
    );
    await writeFile(
      path.join(runbooksDir, "manual-only.md"),
      runbook(
        "title: Run by hand\nschedule: manual",
        "```sql everything\nSELECT eventname FROM cloudtrail_logs\n```",
      ),
    );
    // History: reports older and younger than the 90-day retention.
    const template = JSON.parse(
      await readFile(
        path.join(repoRoot, "site/test/fixtures/reports/kms-key-deletion/latest.json"),
        "utf8",
      ),
    ) as RunReport;
    seeded.kmsOld = await oldReport(reportsDir, "kms-key-deletion", 200, template);
    seeded.kmsRecent = await oldReport(reportsDir, "kms-key-deletion", 10, template);
    seeded.retiredOldest = await oldReport(reportsDir, "retired-runbook", 200, template);
    seeded.retiredNewest = await oldReport(reportsDir, "retired-runbook", 150, template);
    await writeFile(
      path.join(reportsDir, "retired-runbook", "latest.json"),
      JSON.stringify(template),
    );

    receiver = await startReceiver(1);
    const started = performance.now();
    result = await runNpm(
      [
        "run",
        "--silent",
        "nightly",
        "--",
        "--runbooks",
        runbooksDir,
        "--reports-dir",
        reportsDir,
        "--out-dir",
        outDir,
        "--retention",
        "90d",
        "--concurrency",
        "2",
      ],
      { RUN_MD_WEBHOOK_URL: receiver.url, RUN_MD_SITE_URL: "https://security.example.test/run-md" },
    );
    console.log(
      `npm run nightly: ${Math.round(performance.now() - started)} ms, exit ${result.code}`,
    );
    if (result.code !== 2) console.log(result.stdout, result.stderr);
  }, 240_000);

  afterAll(async () => {
    await receiver?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("runs every nightly runbook, even after one errors, and exits with the worst status", async () => {
    expect(result.code).toBe(2);
    // Hidden entries are the alert state (.notify-state.json) and the atomic writes' .tmp folder.
    const ran = (await readdir(reportsDir)).filter((e) => !e.startsWith(".")).sort();
    expect(ran).toEqual([
      "audit-iam",
      "broken-column",
      "kms-key-deletion",
      "quiet-night",
      "retired-runbook",
    ]);
    const latest = async (id: string) =>
      JSON.parse(await readFile(path.join(reportsDir, id, "latest.json"), "utf8")) as RunReport;
    expect((await latest("quiet-night")).status).toBe("passed");
    expect((await latest("broken-column")).status).toBe("errored");
    expect((await latest("kms-key-deletion")).status).toBe("failed");
    expect((await latest("audit-iam")).status).toBe("failed");
    expect(existsSync(path.join(reportsDir, "manual-only"))).toBe(false);
    // The job's record of the runbooks it ran and that read their logs (schedules count from
    // it): the errored one is tried again the next night.
    const record = JSON.parse(await readFile(path.join(reportsDir, ".nightly-runs.json"), "utf8"));
    expect(Object.keys(record.ranAt).sort()).toEqual([
      "audit-iam",
      "kms-key-deletion",
      "quiet-night",
    ]);
  });

  it("prints a summary with each runbook's status, duration and failed checks", async () => {
    const lines = result.stdout.slice(result.stdout.indexOf("run-md nightly summary")).split("\n");
    const row = (id: string) =>
      lines.find((l) => new RegExp(`^\\s+\\w+\\s+${id}\\s`).test(l)) ?? "";
    expect(row("quiet-night")).toMatch(/^\s+passed\s+quiet-night\s+\d+\.\d s\s*$/);
    expect(row("broken-column")).toMatch(
      /errored\s+broken-column\s+\d+\.\d s\s+typo: .*no_such_column/,
    );
    expect(row("kms-key-deletion")).toMatch(/failed\s+kms-key-deletion\s+\d+\.\d s\s+.* = \d+/);
    // audit-iam's 7 days end an hour before the job (its delivery lag) and so start an hour
    // before the sample data's week when both are of one hour. A job that takes its time at
    // 23:59 and has its runs generate the data at 00:00 reads a window whose first day the data
    // starts after: an hour or more without logs, and the job holds the runbook back (under
    // faketime at 23:59:20 the line below was printed where the test wanted none).
    const audit = JSON.parse(
      await readFile(path.join(reportsDir, "audit-iam", "latest.json"), "utf8"),
    ) as RunReport;
    const missing = await daysWithoutSampleLogs(audit.window);
    // Only the window's first day can be before the data's week.
    expect(missing.filter((d) => d !== audit.window.start.slice(0, 10))).toEqual([]);
    const first = await sampleWeekStart();
    expect(missing.every((d) => d < first)).toBe(true);
    const notRead =
      missing.length === 0
        ? ""
        : " · 1 runbook not read to the end \\(days without logs: read again the next night, 7 days back at most\\)";
    // Every runbook whose report says it read the bundled sample data is counted (the errored
    // one stopped before it read anything).
    const sample = (await readdir(reportsDir, { withFileTypes: true })).filter((d) =>
      d.isDirectory(),
    );
    let read = 0;
    for (const d of sample) {
      const latest = path.join(reportsDir, d.name, "latest.json");
      const report = JSON.parse(await readFile(latest, "utf8").catch(() => "{}")) as RunReport;
      if (report.sampleData) read++;
    }
    expect(read).toBeGreaterThan(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `4 runbooks: 2 failed, 1 errored, 1 passed · ${read} of them read the bundled sample data \\(local.logDir: sample\\), not your CloudTrail logs · 1 notification target told${notRead} · 2 old reports pruned · site built in [\\d.]+ s · exit 2`,
      ),
    );
    const held = `held back audit-iam: its window is not known to be read from ${audit.window.start} (days without logs)`;
    if (missing.length === 0) expect(result.stdout).not.toContain("held back");
    else expect(result.stdout).toContain(held);
  });

  it("posts one Slack message for the night: each failed or errored runbook's finding and run link, nothing about a passing one", () => {
    const delivered = receiver.received.filter((r) => r.answered === 200);
    expect(delivered).toHaveLength(1);
    const { text, blocks } = delivered[0]!.body;
    expect(text).toBe("run-md: 2 runbooks failed, 1 runbook errored");
    const all = JSON.stringify(blocks);
    expect(all).not.toContain("quiet-night");
    expect(all).not.toContain("Nothing unusual");
    const block = (id: string) => {
      const found = blocks.filter((b) => JSON.stringify(b).includes(`/runbooks/${id}/`));
      expect(found, id).toHaveLength(1);
      return (found[0] as unknown as { text: { text: string } }).text.text;
    };
    const site = "https://security.example.test/run-md/runbooks";
    // The link opens the run's own page, named after its stored report file.
    for (const id of ["kms-key-deletion", "audit-iam", "broken-column"]) {
      const link = new RegExp(
        `<${site}/${id}/runs/(\\d{4}-\\d\\d-\\d\\dT[\\d.-]+Z)/\\|Open this run>`,
      );
      const stem = link.exec(block(id))?.[1];
      expect(stem, id).toBeDefined();
      expect(existsSync(path.join(reportsDir, id, `${stem}.json`))).toBe(true);
    }
    const kms = block("kms-key-deletion");
    expect(kms).toContain("(severity critical)");
    expect(kms).toMatch(/Failed check: no eventname == 'ScheduleKeyDeletion' in step \w+/);
    expect(kms).toContain("Cancel the deletion at once");
    const audit = block("audit-iam");
    expect(audit).toMatch(
      /Failed check: rows == 0 in step changes_outside_automation \(.+\): rows = \d+, expected == 0/,
    );
    expect(audit).toContain("First offender: actor = arn:aws:iam::");
    const broken = block("broken-column");
    expect(broken).toContain("A query with a typo errored (severity high)");
    expect(broken).toContain("no_such_column");
    expect(broken).toContain("Fix the query.");
  });

  it("retries the webhook when it fails and keeps the reports", async () => {
    expect(receiver.received.map((t) => t.answered)).toEqual([500, 200]);
    expect(receiver.received[0]!.body).toEqual(receiver.received[1]!.body);
    expect(result.stdout).toContain("notified 1 of 1 target about 3 changes");
    const files = await readdir(path.join(reportsDir, "audit-iam"));
    expect(files.filter((f) => f !== "latest.json" && f.endsWith(".json"))).toHaveLength(1);
  });

  it("prunes reports older than the retention but never latest.json or a runbook's newest report", async () => {
    const kms = await readdir(path.join(reportsDir, "kms-key-deletion"));
    expect(kms).not.toContain(seeded.kmsOld);
    expect(kms).toContain(seeded.kmsRecent);
    expect(kms).toContain("latest.json");
    expect(kms.filter((f) => f.endsWith(".json"))).toHaveLength(3);
    const retired = (await readdir(path.join(reportsDir, "retired-runbook"))).sort();
    expect(retired).toEqual([seeded.retiredNewest, "latest.json"].sort());
  });

  it("builds the site from the runbooks and the reports it just wrote", async () => {
    const page = await readFile(path.join(outDir, "runbooks/kms-key-deletion/index.html"), "utf8");
    expect(page).toContain('data-check-status="failed"');
    expect(page).toContain("no eventname == &#39;ScheduleKeyDeletion&#39;");
    const index = await readFile(path.join(outDir, "index.html"), "utf8");
    expect(index).toMatch(/data-runbook="quiet-night" data-status="passed"/);
    expect(index).toMatch(/data-runbook="manual-only" data-status="none"/);
    // RUN_MD_SITE_URL's path is the site's base, as on GitHub Pages.
    expect(index).toContain('href="/run-md/runbooks/kms-key-deletion/"');
  });
});
