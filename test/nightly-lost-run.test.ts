/**
 * A runbook whose runner ends without a report (killed for memory, a crash of the engine): the
 * job stores an errored report for it, so its `latest.json` (the site's status of the runbook)
 * says it errored tonight. Before, `latest.json` kept the last night's pass, and the site showed
 * a pass for a night nothing was read until its stale mark came two days later (red-team). The
 * runner is killed by a preloaded file that sends itself SIGKILL (NODE_OPTIONS --require), so the
 * truth is what the test did, not what the job says. The real nightly job (test/in-process.ts).
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { reportFileStem, timeOfReportName } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-lost-"));
  await quietLogs(path.join(work, "logs"), { hours: 30, events: 300, seed: "nightly-lost-run" });
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "night.md"), countingRunbook());
  await writeFile(path.join(work, "raw.yaml"), "local:\n  logDir: ./logs\n");
  await writeFile(path.join(work, "die.cjs"), 'process.kill(process.pid, "SIGKILL");\n');
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const nightly = (env: Record<string, string>) =>
  nightlyHere(
    [
      ...["--runbooks", path.join(work, "runbooks"), "--reports-dir", path.join(work, "reports")],
      ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
    ],
    { env: { RUN_MD_WEBHOOK_URL: "", ...env } },
  );

const latest = async () =>
  JSON.parse(await readFile(path.join(work, "reports", "night", "latest.json"), "utf8"));

describe("nightly: a runner that ends without a report", () => {
  it("leaves an errored report as the runbook's latest, not the last night's pass", async () => {
    const good = await nightly({});
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect((await latest()).status).toBe("passed");
    const killed = await nightly({ NODE_OPTIONS: `--require ${path.join(work, "die.cjs")}` });
    expect(killed.code, killed.stdout + killed.stderr).toBe(2);
    const after = await latest();
    expect([after.status, after.error?.code]).toEqual(["errored", "internal"]);
    expect(after.error?.message).toMatch(
      /^the runner ended without a report \(killed by a signal\)/,
    );
    expect(after.runbook.id).toBe("night");
  }, 180_000);

  it("a catch-up (--date) or --since run that ends without a report is an investigation: the runbook's latest stays its night's", async () => {
    const good = await nightly({});
    expect(good.code, good.stdout + good.stderr).toBe(0);
    const before = await latest();
    expect(before.status).toBe("passed");
    // A chat that hears the alerts: the truth of what was told, whatever the state says.
    const told: string[] = [];
    const chat = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => {
        text += c;
      });
      req.on("end", () => {
        told.push(JSON.parse(text).text);
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => chat.listen(0, "127.0.0.1", r));
    const chatUrl = `http://127.0.0.1:${(chat.address() as AddressInfo).port}/`;
    const die = {
      NODE_OPTIONS: `--require ${path.join(work, "die.cjs")}`,
      RUN_MD_WEBHOOK_URL: chatUrl,
    };
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    for (const extra of [
      ["--date", yesterday],
      ["--since", "2h"],
    ]) {
      const killed = await nightlyHere(
        [
          ...[
            "--runbooks",
            path.join(work, "runbooks"),
            "--reports-dir",
            path.join(work, "reports"),
          ],
          ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
          ...extra,
        ],
        { env: die },
      );
      expect(killed.code, killed.stdout + killed.stderr).toBe(2);
      // The runbook's status is still the night's pass, not a replay's crash (a replay of last
      // week took the runbook's status, and the site showed it errored tonight).
      expect((await latest()).runId, extra[0]).toBe(before.runId);
    }
    // Both lost runs are stored, as investigations.
    const files = (await readdir(path.join(work, "reports", "night"))).filter(
      (f) => f.endsWith(".json") && f !== "latest.json",
    );
    const reports = await Promise.all(
      files.map(async (f) =>
        JSON.parse(await readFile(path.join(work, "reports", "night", f), "utf8")),
      ),
    );
    const lost = reports.filter((r) =>
      String(r.error?.message).startsWith("the runner ended without a report"),
    );
    expect(lost.filter((r) => r.kind === "investigation")).toHaveLength(2);
    // Each told as its own investigation; the runbook's own next night, a pass as before, is
    // no recovery (under the runbook's key they opened its alert, and that night closed it).
    expect(told.map((t) => /errored/.test(t))).toEqual([true, true]);
    const again = await nightly({ RUN_MD_WEBHOOK_URL: chatUrl });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    chat.close();
    expect(told.filter((t) => /recovered/.test(t))).toEqual([]);
  }, 240_000);

  it("a cron runbook whose first run ended without a report is run again the next night, not taken as run (review)", async () => {
    // A weekly cron time two hours ago: due tonight, as the job's record has never run it.
    const at = new Date(Date.now() - 2 * 3_600_000);
    const weekly = (d: Date) => `${d.getUTCMinutes()} ${d.getUTCHours()} * * ${d.getUTCDay()}`;
    const runbooks = path.join(work, "cron-runbooks");
    const reports = path.join(work, "cron-reports");
    await mkdir(runbooks);
    const schedule = (cron: string) =>
      writeFile(
        path.join(runbooks, "weekly.md"),
        countingRunbook().replace("schedule: nightly", `schedule: "${cron}"`),
      );
    await schedule(weekly(at));
    const job = (env: Record<string, string>) =>
      nightlyHere(
        [
          ...["--runbooks", runbooks, "--reports-dir", reports],
          ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
        ],
        { env: { RUN_MD_WEBHOOK_URL: "", ...env } },
      );
    const killed = await job({ NODE_OPTIONS: `--require ${path.join(work, "die.cjs")}` });
    expect(killed.code, killed.stdout + killed.stderr).toBe(2);
    const folder = path.join(reports, "weekly");
    expect(JSON.parse(await readFile(path.join(folder, "latest.json"), "utf8")).status).toBe(
      "errored",
    );
    // The next night comes a day later: the cron time and the lost run's report a day earlier
    // (its name is its time), so the cron time is out of the 24 hours before the job.
    const [lost] = (await readdir(folder)).filter((f) => Number.isFinite(timeOfReportName(f)));
    const shifted = new Date(timeOfReportName(lost!) - 86_400_000).toISOString();
    await rename(path.join(folder, lost!), path.join(folder, `${reportFileStem(shifted)}.json`));
    await schedule(weekly(new Date(at.getTime() - 86_400_000)));
    // The errored run read nothing: the next night runs it (its lost report is no run).
    const next = await job({});
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout + next.stderr).toMatch(/passed\s+weekly/);
    expect(JSON.parse(await readFile(path.join(folder, "latest.json"), "utf8")).status).toBe(
      "passed",
    );
  }, 240_000);
});
