/**
 * Issue 10, through the real CLI on the local engine: the sandbox (a "read-only" step that used
 * to write files and abort the process), a log directory full of traps (links outside it, an
 * unreadable folder and file, a 5,000-deep document, a gzip bomb), windows without events, and a
 * 20M-row result under --timeout and Ctrl-C. Truth is computed here from the raw files.
 *
 * Tests run as root, and root reads any file whatever its mode; the traps' run therefore goes
 * through `setpriv`, which drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH so that a mode-000
 * file or folder really is "permission denied" for the process, as for any other user.
 */
import { createHash } from "node:crypto";
import { existsSync, promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { RunReport } from "@run-md/core";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMd } from "./helpers.ts";
import { runMdHere } from "./in-process.ts";

const FROM = "2024-03-01T00:00:00Z";
const TO = "2024-03-03T00:00:00Z";
const NO_DAC = [
  "setpriv",
  "--inh-caps=-dac_override,-dac_read_search",
  "--bounding-set=-dac_override,-dac_read_search",
];
const HAS_SETPRIV = existsSync("/usr/bin/setpriv");
if (!HAS_SETPRIV) console.log("skipping the unreadable-file case: setpriv is absent");

let root: string;
let logDir: string;
let truth: number;

const event = (name: string, time: string) => ({
  eventVersion: "1.09",
  eventTime: time,
  eventSource: "iam.amazonaws.com",
  eventName: name,
  awsRegion: "us-east-1",
  recipientAccountId: "111122223333",
  userIdentity: { type: "IAMUser", accountId: "111122223333", userName: "trap" },
});

/** Events of the generated layout files in [FROM, TO), counted from the raw gzip files. */
async function countEvents(dir: string): Promise<number> {
  let n = 0;
  for (const rel of await fsp.readdir(path.join(dir, "AWSLogs"), { recursive: true })) {
    if (!String(rel).endsWith(".json.gz")) continue;
    const doc = JSON.parse(
      zlib.gunzipSync(await fsp.readFile(path.join(dir, "AWSLogs", String(rel)))).toString(),
    ) as { Records: { eventTime: string }[] };
    n += doc.Records.filter((r) => r.eventTime >= FROM && r.eventTime < TO).length;
  }
  return n;
}

/** Every entry under a directory with its type, size and content hash. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await fsp.readdir(dir, { recursive: true })).map(String).sort()) {
    const st = await fsp.lstat(path.join(dir, rel));
    out[rel] = st.isFile()
      ? `${st.size} ${createHash("sha256")
          .update(await fsp.readFile(path.join(dir, rel)))
          .digest("hex")}`
      : st.isSymbolicLink()
        ? `-> ${await fsp.readlink(path.join(dir, rel))}`
        : "dir";
  }
  return out;
}

/** The traps: none of them may be read, and none may stop the rest from being read. */
async function plantTraps(): Promise<void> {
  const outside = path.join(root, "outside");
  await fsp.mkdir(outside);
  // Links that lead out: a system file (its first bytes used to be quoted in a warning) and a
  // file of real events (which used to be counted).
  await fsp.symlink("/etc/passwd", path.join(logDir, "AWSLogs", "evil.json"));
  await fsp.writeFile(
    path.join(outside, "events.json"),
    JSON.stringify({ Records: [event("Outside", "2024-03-01T12:00:00Z")] }),
  );
  await fsp.symlink(path.join(outside, "events.json"), path.join(logDir, "outside-events.json"));
  // A folder and a file nobody may read.
  await fsp.mkdir(path.join(logDir, "locked"));
  await fsp.writeFile(
    path.join(logDir, "locked", "events.json"),
    JSON.stringify({ Records: [event("Locked", "2024-03-01T12:00:00Z")] }),
  );
  await fsp.chmod(path.join(logDir, "locked"), 0);
  await fsp.writeFile(
    path.join(logDir, "locked-file.json"),
    JSON.stringify({ Records: [event("LockedFile", "2024-03-01T12:00:00Z")] }),
  );
  await fsp.chmod(path.join(logDir, "locked-file.json"), 0);
  // An event whose requestParameters nest 5,000 levels deep.
  let deep = "1";
  for (let i = 0; i < 5000; i++) deep = `{"a":${deep}}`;
  const deepEvent = JSON.stringify(event("Deep", "2024-03-01T12:00:00Z")).slice(0, -1);
  await fsp.writeFile(
    path.join(logDir, "deep.json"),
    `{"Records":[${deepEvent},"requestParameters":${deep}}]}`,
  );
  // A gzip bomb outside the layout: 70 gzip members of 64 MiB of zeros each, 4.4 GiB in all.
  const member = zlib.gzipSync(Buffer.alloc(64 << 20), { level: 9 });
  await fsp.writeFile(path.join(logDir, "bomb.json.gz"), Buffer.concat(Array(70).fill(member)));
}

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(tmpdir(), "run-md-hardening-"));
  logDir = path.join(root, "logs");
  await generateLogs({
    outDir: logDir,
    start: new Date(FROM),
    end: new Date(TO),
    eventsPerDay: 300,
    seed: "hardening",
  });
  truth = await countEvents(logDir);
  await plantTraps();
}, 120_000);

afterAll(async () => {
  await fsp.chmod(path.join(logDir, "locked"), 0o755).catch(() => {});
  await fsp.rm(root, { recursive: true, force: true });
});

async function writeRunbook(name: string, body: string): Promise<string> {
  const file = path.join(root, `${name}.md`);
  await fsp.writeFile(file, `---\ntitle: ${name}\n---\n\n${body}`);
  return file;
}

const step = (id: string, sql: string, expect?: string) =>
  `## ${id}\n\n\`\`\`sql ${id}\n${sql}\n\`\`\`\n${expect ? `\n\`\`\`expect\n${expect}\n\`\`\`\n` : ""}\n`;

/** The one run report of `--json` (an array of reports, one per runbook). */
function parseReport(stdout: string): RunReport {
  const reports = JSON.parse(stdout) as RunReport[];
  expect(reports).toHaveLength(1);
  return reports[0] as RunReport;
}

describe("the local engine's sandbox and log directory, through the CLI", () => {
  it.skipIf(!HAS_SETPRIV)(
    "refuses file-writing and state-reading table functions, skips every trap by name, and reads the rest",
    async () => {
      const before = await snapshot(logDir);
      const count = `max(n) == ${truth}`;
      const file = await writeRunbook(
        "traps",
        step("count_all", "SELECT count(*) AS n FROM cloudtrail_logs", count) +
          step(
            "write_outside",
            `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${root}/written')`,
          ) +
          step(
            "write_inside",
            `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${logDir}/AWSLogs/written')`,
          ) +
          step("read_file", `SELECT * FROM read_text('${logDir}/AWSLogs/**')`) +
          step("other_queries", "SELECT * FROM duckdb_logs") +
          step("count_again", "SELECT count(*) AS n FROM cloudtrail_logs", count),
      );
      const res = await runMd(
        [file, "--log-dir", logDir, "--from", FROM, "--to", TO, "--json", "--no-report"],
        { wrap: NO_DAC },
      );
      expect(res.code, res.stderr).toBe(2);
      const report = parseReport(res.stdout);
      // The rest is read (the count is the truth of the readable files), and the steps over the
      // window are errors all the same: files of the window were not read (unread-files).
      expect(report.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
        ["count_all", "errored", "unread-files"],
        ["write_outside", "errored", "sql-refused"],
        ["write_inside", "errored", "sql-refused"],
        ["read_file", "errored", "sql-refused"],
        ["other_queries", "errored", "sql-refused"],
        ["count_again", "errored", "unread-files"],
      ]);
      for (const i of [0, 5]) {
        expect(report.steps[i]?.checks.map((c) => c.status)).toEqual(["passed"]);
        const message = report.steps[i]?.error?.message ?? "";
        for (const unread of ["locked/", "locked-file.json", "deep.json", "bomb.json.gz"])
          expect(message).toContain(unread);
        // A link outside the log directory is never followed, by design: not an unread file.
        expect(message).not.toContain("evil.json");
      }
      const warnings = report.steps[0]?.warnings ?? [];
      for (const w of [
        "skipped AWSLogs/evil.json: a symbolic link to a place outside the log directory",
        "skipped outside-events.json: a symbolic link to a place outside the log directory",
        "skipped locked/: cannot read the folder (permission denied)",
        "skipped locked-file.json: cannot read it (permission denied)",
        "skipped deep.json: cannot read it (nested too deeply)",
        "skipped bomb.json.gz: it decompresses to more than 256 MiB, the limit for a file read record by record (outside the delivery layout, or refused by the typed reader)",
      ]) {
        expect(warnings).toContain(w);
      }
      expect(`${res.stdout}${res.stderr}`).not.toContain("root:x:0");
      expect(existsSync(path.join(root, "written"))).toBe(false);
      expect(await snapshot(logDir)).toEqual(before);
    },
    120_000,
  );
});

describe("a runbooks folder that cannot be read", () => {
  it.skipIf(!HAS_SETPRIV)(
    "check, run and trigger exit 2 naming it, never a pass on the runbooks they could read",
    async () => {
      const dir = path.join(root, "runbooks");
      await fsp.mkdir(path.join(dir, "team-b"), { recursive: true });
      const body = step("one", "SELECT 1 AS n", "max(n) == 1");
      await fsp.writeFile(path.join(dir, "a.md"), `---\ntitle: A\n---\n\n${body}`);
      await fsp.writeFile(path.join(dir, "team-b", "b.md"), `---\ntitle: B\n---\n\n${body}`);
      const eventFile = path.join(root, "event.json");
      await fsp.writeFile(
        eventFile,
        JSON.stringify({
          source: "aws.iam",
          "detail-type": "AWS API Call via CloudTrail",
          time: FROM,
          detail: event("CreateUser", FROM),
        }),
      );
      await fsp.chmod(path.join(dir, "team-b"), 0);
      try {
        const said = `cannot read the folder ${dir}/team-b/ (permission denied)`;
        for (const args of [
          ["check", dir],
          ["run", dir, "--log-dir", logDir, "--from", FROM, "--to", TO, "--no-report"],
          ["trigger", eventFile, "--runbooks", dir, "--dry-run"],
        ]) {
          const res = await runMd(args, { wrap: NO_DAC });
          expect([args[0], res.code], res.stderr).toEqual([args[0], 2]);
          expect(res.stderr).toContain(said);
        }
      } finally {
        await fsp.chmod(path.join(dir, "team-b"), 0o755);
      }
      // A runbook file that cannot be read: exit 2 naming it, not a crash (exit 1 reads as a
      // failed expectation).
      await fsp.chmod(path.join(dir, "a.md"), 0);
      try {
        for (const args of [
          ["check", dir],
          ["run", dir, "--log-dir", logDir, "--from", FROM, "--to", TO, "--no-report"],
        ]) {
          const res = await runMd(args, { wrap: NO_DAC });
          expect([args[0], res.code], res.stderr).toEqual([args[0], 2]);
          expect(res.stderr).toContain(`cannot read ${dir}/a.md (permission denied)`);
        }
      } finally {
        await fsp.chmod(path.join(dir, "a.md"), 0o644);
      }
    },
    60_000,
  );
});

describe("never a pass on no data", () => {
  it("errors a step whose window holds no events, says what was there, and lets allow_empty through", async () => {
    const dir = path.join(root, "october");
    for (const d of ["01", "02", "03", "04", "05"]) {
      const day = path.join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/10", d);
      await fsp.mkdir(day, { recursive: true });
      const doc = { Records: [event("October", `2026-10-${d}T12:00:00Z`)] };
      await fsp.writeFile(path.join(day, `oct-${d}.json.gz`), zlib.gzipSync(JSON.stringify(doc)));
    }
    await fsp.writeFile(path.join(dir, "notes.json"), JSON.stringify({ hello: "not CloudTrail" }));
    const file = await writeRunbook(
      "empty",
      step("quiet", "SELECT count(*) AS n FROM cloudtrail_logs", "max(n) == 0") +
        "```logs-insights quiet_insights\nstats count(*) as n\n```\n\n```expect\nrows <= 1\n```\n\n" +
        "```sql quiet_ok allow_empty\nSELECT eventname FROM cloudtrail_logs\n```\n\n```expect\nrows == 0\n```\n",
    );
    const res = await runMdHere([
      file,
      "--log-dir",
      dir,
      "--from",
      "2026-11-01T00:00:00Z",
      "--to",
      "2026-11-02T00:00:00Z",
      "--json",
      "--no-report",
    ]);
    expect(res.code, res.stderr).toBe(2);
    const report = parseReport(res.stdout);
    const what =
      "5 files skipped: outside the window, covering 2026-10-01 to 2026-10-05; 1 file skipped: unreadable or without CloudTrail events (named in the warnings)";
    const [quiet, insights, ok] = report.steps;
    expect([quiet?.status, quiet?.error?.code, quiet?.checks]).toEqual(["errored", "no-data", []]);
    expect(quiet?.error?.message).toBe(
      `no CloudTrail events in the step's window 2026-11-01T00:00:00Z → 2026-11-02T00:00:00Z: ${what}`,
    );
    expect([insights?.status, insights?.error?.code]).toEqual(["errored", "no-data"]);
    expect(ok?.status).toBe("passed");
    expect(ok?.warnings.some((w) => w.includes(what) && w.endsWith("(allow_empty)"))).toBe(true);
  }, 60_000);

  it("errors a step whose window's last whole day has no events while earlier days do: a trail that stopped (red-team: a 7-day runbook passed)", async () => {
    const dir = path.join(root, "october");
    const file = await writeRunbook(
      "stopped",
      step("week", "SELECT count(*) AS n FROM cloudtrail_logs", "max(n) > 0") +
        "```sql week_ok allow_empty\nSELECT count(*) AS n FROM cloudtrail_logs\n```\n\n```expect\nmax(n) == 5\n```\n",
    );
    // The files above hold one event a day from the 1st to the 5th; the window runs to the 7th.
    const res = await runMdHere([
      file,
      "--log-dir",
      dir,
      "--from",
      "2026-10-01T00:00:00Z",
      "--to",
      "2026-10-07T00:00:00Z",
      "--json",
      "--no-report",
    ]);
    expect(res.code, res.stderr).toBe(2);
    const [week, ok] = parseReport(res.stdout).steps;
    expect([week?.status, week?.error?.code]).toEqual(["errored", "no-data"]);
    expect(week?.error?.message).toBe(
      "no CloudTrail events at the end of the step's window 2026-10-01T00:00:00Z → 2026-10-07T00:00:00Z: no event lies in the window's end, 2026-10-06T00:00:00Z → 2026-10-07T00:00:00Z, while its earlier days hold events: a trail that stopped delivering, or logs not synced, collected or delivered since",
    );
    // allow_empty: the answer over the days with events, and the end said as a warning.
    expect(ok?.status).toBe("passed");
    expect(
      ok?.warnings.some(
        (w) => w.includes("no event lies in the window's end") && w.endsWith("(allow_empty)"),
      ),
    ).toBe(true);
  }, 60_000);
});

describe("large results", () => {
  const big = (timeout?: string) =>
    step(
      "big",
      "SELECT range AS n, repeat('x', 200) AS pad FROM range(20000000)",
      // A rows-only check: the stream an interrupted query leaves behind must not count as the
      // whole result (it used to pass with the rows read before the timeout).
      "rows > 0",
    ).replace("```sql big", `\`\`\`sql big dialect=duckdb${timeout ? ` timeout=${timeout}` : ""}`);

  it("a 20M-row result honours timeout= with a report: errored, exit 2", async () => {
    const file = await writeRunbook("big-timeout", big("2s"));
    const res = await runMdHere([
      file,
      ...["--log-dir", logDir, "--from", FROM, "--to", TO, "--json", "--no-report"],
    ]);
    expect(res.code, res.stderr).toBe(2);
    const report = parseReport(res.stdout);
    expect([report.steps[0]?.status, report.steps[0]?.error?.code]).toEqual(["errored", "timeout"]);
  }, 60_000);

  it("Ctrl-C during a 20M-row result cancels it with a report: exit 130", async () => {
    const file = await writeRunbook("big-cancel", big());
    const reports = path.join(root, "reports");
    const p = runMd([
      file,
      "--log-dir",
      logDir,
      "--from",
      FROM,
      "--to",
      TO,
      "--reports-dir",
      reports,
    ]);
    let out = "";
    p.child!.stdout!.on("data", (d) => {
      out += d;
    });
    // Plain output says "… big [big · local]" when the step starts; the rows flow 1 s later.
    // Waited for however long the CLI takes to start (the test's timeout bounds it), not a fixed
    // 30 s that a CLI starting on a loaded machine may run out.
    while (!out.includes("[big · local]")) {
      if (p.child!.exitCode !== null || p.child!.signalCode !== null)
        throw new Error(`the run ended before its step started: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    p.child!.kill("SIGINT");
    const res = await p;
    expect(res.code, res.stderr).toBe(130);
    // A run with --from/--to is an investigation: its report is written, not as latest.json.
    const written = (await fsp.readdir(path.join(reports, "big-cancel"))).filter((f) =>
      f.endsWith(".json"),
    );
    expect(written).toHaveLength(1);
    const latest = JSON.parse(
      await fsp.readFile(path.join(reports, "big-cancel", written[0]!), "utf8"),
    ) as RunReport;
    expect([latest.status, latest.steps[0]?.status]).toEqual(["cancelled", "cancelled"]);
  }, 60_000);
});
