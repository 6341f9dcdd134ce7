import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CheckOutcome, type RunReport, reportSchemaProblem } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes, formatDuration, indexRank, statLines } from "../src/lib/format.ts";
import { lastRunDay } from "../src/lib/heat.ts";
import {
  diffReports,
  orphanReports,
  readReport,
  readReportIndex,
  reportSlug,
} from "../src/lib/reports.ts";

const fixtureReports = path.join(import.meta.dirname, "fixtures/reports");

describe("readReportIndex", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "run-md-reports-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads each runbook's reports newest first, without latest.json", async () => {
    const index = await readReportIndex(fixtureReports, { limit: 30 });
    expect([...index.histories.keys()].sort()).toEqual([
      "audit-iam",
      "kms-key-deletion",
      "s3-public-access",
      "unauthorized-access",
    ]);
    const ua = index.histories.get("unauthorized-access")!;
    expect(ua.total).toBe(3);
    expect(ua.entries.map((e) => [e.name, e.status, e.failedChecks])).toEqual([
      ["2026-11-23T02-00-03.000Z", "failed", 3],
      ["2026-11-22T02-00-04.000Z", "failed", 1],
      ["2026-11-21T02-00-05.000Z", "passed", 0],
    ]);
    expect(index.problems).toEqual([]);
    // The engines the steps ran on, not the run's --engine choice ("default"; review).
    for (const [id, history] of index.histories) {
      for (const e of history.entries) {
        const report = JSON.parse(await readFile(e.file, "utf8")) as RunReport;
        expect(report.engine).toBe("default");
        const used = [...new Set(report.steps.map((st) => st.engine))];
        expect([id, e.engine]).toEqual([id, used.join(" + ")]);
      }
    }
    expect(index.histories.get("kms-key-deletion")!.entries[0]!.engine).toBe("athena");
    // A passed run's step warnings (here a day without logs), for the index beside its green.
    for (const history of index.histories.values()) {
      for (const e of history.entries) {
        const report = JSON.parse(await readFile(e.file, "utf8")) as RunReport;
        const warned = report.steps.filter((st) => st.warnings.length > 0);
        const want = warned[0] && `warning in ${warned[0].id}: ${warned[0].warnings[0]}`;
        expect(e.warning).toBe(want);
      }
    }
    const [iamPassed, iamFailed] = index.histories.get("audit-iam")!.entries;
    expect(iamPassed!.warning).toMatch(
      /^warning in new_access_keys: .*day 2026-11-21 \(UTC\) has no log file/,
    );
    expect(iamFailed!.warning).toBeUndefined();
  });

  it("keeps only the newest reports up to the limit, and counts the rest", async () => {
    const index = await readReportIndex(fixtureReports, { limit: 2 });
    const ua = index.histories.get("unauthorized-access")!;
    expect(ua.entries.map((e) => e.name)).toEqual([
      "2026-11-23T02-00-03.000Z",
      "2026-11-22T02-00-04.000Z",
    ]);
    expect(ua.total).toBe(3);
  });

  it("skips and lists files that are not reports, and ignores hidden folders and a missing directory", async () => {
    const good = await readReport(path.join(fixtureReports, "audit-iam/latest.json"));
    await mkdir(path.join(dir, "audit-iam/.tmp"), { recursive: true });
    await writeFile(
      path.join(dir, "audit-iam/2026-11-23T02-00-01.000Z.json"),
      JSON.stringify(good),
    );
    await writeFile(path.join(dir, "audit-iam/2026-11-24T02-00-01.000Z.json"), "{ half a report");
    await writeFile(path.join(dir, "audit-iam/.tmp/latest.json.1.abcd"), "{");
    await mkdir(path.join(dir, ".tmp"), { recursive: true });
    // A note and a copy beside the reports (review: the note made the runbook "unreadable", the
    // copy a second run): named, never taken as runs.
    await writeFile(path.join(dir, "audit-iam/notes.json"), '{"note": "from a ticket"}');
    await writeFile(path.join(dir, "audit-iam/copy.json"), JSON.stringify(good));
    const index = await readReportIndex(dir, { limit: 30 });
    expect(index.histories.get("audit-iam")?.entries.map((e) => e.runId)).toEqual([good.runId]);
    expect(index.histories.get("audit-iam")?.unreadable?.file).toMatch(/2026-11-24T02-00-01/);
    expect(index.problems.map((p) => [path.basename(p.file), p.message])).toEqual([
      [
        "2026-11-24T02-00-01.000Z.json",
        expect.stringMatching(/^audit-iam\/2026-11-24T02-00-01.000Z.json: not a run-md report/),
      ],
      ["copy.json", expect.stringMatching(/^not a report's name/)],
      ["notes.json", expect.stringMatching(/^not a report's name/)],
    ]);
    expect((await readReportIndex(path.join(dir, "nowhere"), { limit: 30 })).histories.size).toBe(
      0,
    );
  });

  it("reads only fixture reports that validate against run-report.schema.json", async () => {
    const files = (await readdir(fixtureReports, { recursive: true }))
      .filter((f) => f.endsWith(".json"))
      .sort();
    expect(files).toHaveLength(12);
    const problems = await Promise.all(
      files.map(async (f) => {
        const value: unknown = JSON.parse(await readFile(path.join(fixtureReports, f), "utf8"));
        return [f, await reportSchemaProblem(value)];
      }),
    );
    expect(problems.filter(([, problem]) => problem !== undefined)).toEqual([]);
  });

  it("skips a report that breaks the schema, naming its file and the first failing path", async () => {
    const broken = path.join(dir, "kms-key-deletion");
    await mkdir(broken, { recursive: true });
    const good = await readReport(path.join(fixtureReports, "kms-key-deletion/latest.json"));
    await writeFile(path.join(broken, "2026-11-23T02-00-02.000Z.json"), JSON.stringify(good));
    const bad = path.join(broken, "2026-11-24T02-00-02.000Z.json");
    const step = { ...good.steps[0]!, status: "exploded" };
    await writeFile(bad, JSON.stringify({ ...good, runId: "r2", steps: [step] }));
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["kms-key-deletion"] });
    expect(index.histories.get("kms-key-deletion")?.entries.map((e) => e.runId)).toEqual([
      good.runId,
    ]);
    expect(index.problems).toEqual([
      {
        file: bad,
        // Named within the reports directory: the build machine's paths are not published.
        message: `kms-key-deletion/2026-11-24T02-00-02.000Z.json: not a run-md report: /steps/0/status must be equal to one of the allowed values ("passed", "warned", "failed", "errored", "skipped", "cancelled")`,
      },
    ]);
    await expect(readReport(bad)).rejects.toThrow(`${bad}: not a run-md report: /steps/0/status`);
  });

  it("never takes a report whose time is not the one its file is named after (a forged startedAt)", async () => {
    // The runner names a report by its startedAt (core reportFileStem). A file named for the
    // 21st that says it started in 2099 was the newest run (entries are ordered by startedAt),
    // ahead of the failed run of the 23rd, and never grew stale.
    const dirOf = path.join(dir, "unauthorized-access");
    await mkdir(dirOf, { recursive: true });
    const failed = await readReport(path.join(fixtureReports, "unauthorized-access/latest.json"));
    const passed = await readReport(
      path.join(fixtureReports, "unauthorized-access/2026-11-21T02-00-05.000Z.json"),
    );
    expect([failed.status, passed.status]).toEqual(["failed", "passed"]);
    const failedName = `${failed.startedAt.replaceAll(":", "-")}.json`;
    await writeFile(path.join(dirOf, failedName), JSON.stringify(failed));
    const forged = path.join(dirOf, "2026-11-21T02-00-05.000Z.json");
    await writeFile(
      forged,
      JSON.stringify({ ...passed, runId: "forged", startedAt: "2099-01-01T00:00:00.000Z" }),
    );
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["unauthorized-access"] });
    const h = index.histories.get("unauthorized-access");
    expect(h?.entries.map((e) => [e.runId, e.status])).toEqual([[failed.runId, "failed"]]);
    expect(index.problems).toEqual([
      {
        file: forged,
        message: expect.stringMatching(/2099-01-01T00:00:00\.000Z.*2026-11-21T02:00:05\.000Z/),
      },
    ]);
    // Named for the newest time, it is the newest file: the runbook's status is unreadable.
    await rm(forged);
    const newest = path.join(dirOf, "2026-11-24T00-00-00.000Z.json");
    await writeFile(
      newest,
      JSON.stringify({ ...passed, runId: "forged", startedAt: "2026-11-20T00:00:00.000Z" }),
    );
    const again = await readReportIndex(dir, { limit: 30, runbookIds: ["unauthorized-access"] });
    expect(again.histories.get("unauthorized-access")?.unreadable?.file).toBe(newest);
    expect(again.histories.get("unauthorized-access")?.entries.map((e) => e.runId)).toEqual([
      failed.runId,
    ]);
  });

  it("never takes a report from after the build as a run (a wrong clock): it would end every heat strip there and never grow stale", async () => {
    const dirOf = path.join(dir, "future");
    await mkdir(dirOf, { recursive: true });
    const failed = await readReport(path.join(fixtureReports, "unauthorized-access/latest.json"));
    const passed = await readReport(
      path.join(fixtureReports, "unauthorized-access/2026-11-21T02-00-05.000Z.json"),
    );
    const runbook = { ...failed.runbook, id: "future" };
    await writeFile(
      path.join(dirOf, `${failed.startedAt.replaceAll(":", "-")}.json`),
      JSON.stringify({ ...failed, runbook }),
    );
    const at = "2099-01-01T00:00:00.000Z";
    const future = path.join(dirOf, "2099-01-01T00-00-00.000Z.json");
    await writeFile(future, JSON.stringify({ ...passed, runbook, runId: "f", startedAt: at }));
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["future"] });
    const h = index.histories.get("future");
    expect(h?.entries.map((e) => [e.runId, e.status])).toEqual([[failed.runId, "failed"]]);
    expect(h?.unreadable?.file).toBe(future);
    expect(h?.unreadable?.message).toMatch(/2099-01-01T00:00:00\.000Z, after the site was built/);
    expect(lastRunDay([...index.histories.values()])).toBe(failed.startedAt.slice(0, 10));
  });

  it("counts no failed check for a run that only warned: an optional step's failure does not fail it (spec §2)", async () => {
    const report = JSON.parse(
      await readFile(
        path.join(fixtureReports, "unauthorized-access", "2026-11-22T02-00-04.000Z.json"),
        "utf8",
      ),
    ) as RunReport;
    // The same run, with the step whose check failed marked optional: the runner warns the run.
    report.steps[0]!.optional = true;
    report.status = "warned";
    const reports = path.join(dir, "optional-failure");
    await mkdir(path.join(reports, "unauthorized-access"), { recursive: true });
    await writeFile(
      path.join(reports, "unauthorized-access", "2026-11-22T02-00-04.000Z.json"),
      JSON.stringify(report),
    );
    const entry = (await readReportIndex(reports, { limit: 30 })).histories.get(
      "unauthorized-access",
    )!.entries[0]!;
    expect([entry.status, entry.failedChecks]).toEqual(["warned", 0]);
    // So the index ranks it with the warned runs, below an errored one, not with the failed.
    expect(indexRank(entry.status, entry.failedChecks)).toBe(indexRank("warned", 0));
    expect(indexRank(entry.status, entry.failedChecks)).toBeGreaterThan(indexRank("errored", 0));
  });

  it("makes file names safe as URL segments", () => {
    expect(reportSlug("2026-11-24T01-23-45.123Z")).toBe("2026-11-24T01-23-45.123Z");
    expect(reportSlug("2026-11-24T01:23:45Z run#2")).toBe("2026-11-24T01-23-45Z-run-2");
  });
});

describe("diffReports", () => {
  const check = (over: Partial<CheckOutcome>): CheckOutcome => ({
    check: "no principal like '%:root'",
    line: 10,
    warn: false,
    status: "passed",
    actual: 0,
    message: "",
    ...over,
  });
  const report = (status: RunReport["status"], checks: CheckOutcome[]): RunReport =>
    ({
      status,
      steps: [{ id: "denied", checks }],
    }) as unknown as RunReport;
  const a = { principal: "arn:root-a", calls: 1 };
  const b = { principal: "arn:root-b", calls: 2 };
  const c = { calls: 3, principal: "arn:root-c" };

  it("lists offending rows that appeared and rows that went away, whatever the key order", () => {
    const before = report("failed", [
      check({ status: "failed", actual: 2, offendingRows: [a, b] }),
    ]);
    const after = report("failed", [
      check({
        status: "failed",
        actual: 2,
        offendingRows: [{ calls: 2, principal: "arn:root-b" }, c],
      }),
    ]);
    const diff = diffReports(after, before);
    expect(diff.statusChanged).toBe(false);
    expect(diff.changes).toHaveLength(1);
    expect(diff.changes[0]?.newRows).toEqual([c]);
    expect(diff.changes[0]?.resolvedRows).toEqual([a]);
  });

  it("reports a check that now passes with all its rows resolved", () => {
    const diff = diffReports(
      report("passed", [check({})]),
      report("failed", [check({ status: "failed", actual: 1, offendingRows: [a] })]),
    );
    expect(diff.statusChanged).toBe(true);
    expect(diff.previousStatus).toBe("failed");
    expect(diff.changes[0]).toMatchObject({
      previousStatus: "failed",
      status: "passed",
      resolvedRows: [a],
      newRows: [],
    });
  });

  it("does not call rows resolved when the step errored", () => {
    const diff = diffReports(
      report("errored", [check({ status: "errored", actual: undefined })]),
      report("failed", [check({ status: "failed", actual: 1, offendingRows: [a] })]),
    );
    expect(diff.changes[0]).toMatchObject({ status: "errored", resolvedRows: [], newRows: [] });
  });

  it("never calls a pass of a step that errored a pass, nor its rows resolved (a log file not read)", () => {
    // The runner's shape: the step kept its error (files not read) and its check evaluated to
    // passed over the part of the data it read (core isUnjudged). The diff said "✗ failed →
    // ✓ passed" with the offending row under "Resolved offending rows".
    const unread = {
      status: "errored",
      steps: [
        {
          id: "denied",
          error: { code: "unread-files", message: "1 log file was not read" },
          checks: [check({ status: "passed", actual: 0 })],
        },
      ],
    } as unknown as RunReport;
    const before = report("failed", [check({ status: "failed", actual: 1, offendingRows: [a] })]);
    const [change] = diffReports(unread, before).changes;
    expect(change).toMatchObject({ shown: "unjudged", previousShown: "failed" });
    expect(change?.resolvedRows).toEqual([]);
    expect(change?.newRows).toEqual([]);
    // And the other way: a failure after an unjudged pass is compared with no judgment.
    const [back] = diffReports(before, unread).changes;
    expect(back).toMatchObject({ shown: "failed", previousShown: "unjudged", newRows: [] });
    // A pass that is no longer judged is a change too.
    const judged = report("passed", [check({ status: "passed", actual: 0 })]);
    expect(diffReports(unread, judged).changes).toMatchObject([
      { shown: "unjudged", previousShown: "passed" },
    ]);
  });

  it("leaves out checks that did not change, and has nothing to say without a previous run", () => {
    const same = report("failed", [check({ status: "failed", actual: 1, offendingRows: [a] })]);
    expect(diffReports(same, same).changes).toEqual([]);
    expect(diffReports(same, undefined)).toEqual({ changes: [], statusChanged: false });
  });

  it("flags a comparison made on truncated offending rows", () => {
    const diff = diffReports(
      report("failed", [
        check({ status: "failed", actual: 500, offendingRows: [a], offendingCount: 500 }),
      ]),
      report("failed", [
        check({ status: "failed", actual: 1, offendingRows: [b], offendingCount: 1 }),
      ]),
    );
    expect(diff.changes[0]?.partial).toBe(true);
  });
});

describe("formatting", () => {
  it("puts data and records scanned first, readable", () => {
    expect(
      statLines({
        DataScannedInBytes: 734_003_200,
        EngineExecutionTimeInMillis: 2310,
        queryExecutionId: "q-1",
      }),
    ).toEqual({
      headline: [{ label: "data scanned", value: "734.0 MB" }],
      other: [
        { label: "EngineExecutionTimeInMillis", value: "2.31 s" },
        { label: "queryExecutionId", value: "q-1" },
      ],
    });
    expect(statLines({ recordsScanned: 48211, bytesScanned: 1200 }).headline).toEqual([
      { label: "records scanned", value: "48,211" },
      { label: "data scanned", value: "1.20 KB" },
    ]);
  });

  it("writes durations and sizes the way people read them", () => {
    expect([
      formatDuration(180),
      formatDuration(2310),
      formatDuration(42_000),
      formatDuration(125_000),
    ]).toEqual(["180 ms", "2.31 s", "42.0 s", "2 min 5 s"]);
    expect([formatBytes(999), formatBytes(18_342_112), formatBytes(3e12)]).toEqual([
      "999 B",
      "18.3 MB",
      "3.00 TB",
    ]);
  });
});

describe("reports of a runbook the site no longer has", () => {
  it("are named for the build's warnings, with how many report files each folder holds", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-orphans-"));
    try {
      const names = ["2026-11-22T02-00-01.000Z.json", "2026-11-23T02-00-01.000Z.json"];
      for (const id of ["kept", "renamed-away"]) {
        await mkdir(path.join(dir, id), { recursive: true });
        for (const n of names) await writeFile(path.join(dir, id, n), "{}");
        await writeFile(path.join(dir, id, "latest.json"), "{}");
      }
      // A folder without a report file (a note, the runner's temporary folder) is nobody's.
      await mkdir(path.join(dir, "notes"), { recursive: true });
      await writeFile(path.join(dir, "notes", "readme.txt"), "x");
      await mkdir(path.join(dir, ".tmp"), { recursive: true });
      await writeFile(path.join(dir, ".tmp", names[0]!), "{}");
      expect(await orphanReports(dir, ["kept"])).toEqual([{ runbookId: "renamed-away", files: 2 }]);
      expect(await orphanReports(path.join(dir, "missing"), ["kept"])).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
