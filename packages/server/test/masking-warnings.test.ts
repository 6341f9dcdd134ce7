/**
 * A step's warnings, for a caller whom masking covers (red-team, 2026-12-07): the run's rows were
 * masked, while its steps' warnings went out as the engine wrote them, naming the accounts and
 * regions whose logs have gaps and the files it skipped (an address and a person in their names).
 * A masked caller still learns which days were not read (the point of the warning), without the
 * names. The truth is the log folder the test writes: the accounts, regions and file names in it.
 */
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hourlyDeliveries } from "../../engine-local/test/helpers.ts";
import {
  call,
  OPS_AND_CON,
  opsAndMaskedCon,
  readEvents,
  runAsOps,
  startTestServer,
  type TestServer,
} from "./helpers.ts";

const ACCOUNT = "111122223333";
const MEMBER = "222233334444";
const QUIET_REGION = "us-west-2";
const ARCHIVE = "exports/203.0.113.7-alice@corp.example.zip";
/** What the warnings name that masking hides from the masked caller. */
const NAMES = [ACCOUNT, MEMBER, QUIET_REGION, "203.0.113.7", "alice@corp.example"];

let root: string;
let t: TestServer;
let runId: string;

const RUNBOOK = `---
title: Quiet region
owner: test
severity: low
tags: [test]
window: 7d
---

# Quiet region

\`\`\`sql calls
SELECT eventid, awsregion FROM cloudtrail_logs WHERE awsregion = '${QUIET_REGION}' ORDER BY eventid LIMIT 5
\`\`\`

\`\`\`expect
warn: rows > 100
\`\`\`

\`\`\`sql who
SELECT useridentity.arn AS who FROM cloudtrail_logs LIMIT 1
\`\`\`
`;

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(tmpdir(), "run-md-mask-warnings-"));
  const logs = path.join(root, "logs");
  const deliver = (prefix: string, region: string, days: string[], account: string) =>
    hourlyDeliveries(
      (day) => path.join(logs, prefix, "CloudTrail", region, "2024/03", day),
      region,
      days,
      account,
    );
  await deliver(`AWSLogs/${ACCOUNT}`, "us-east-1", ["01", "02", "03", "04"], ACCOUNT);
  // us-west-2 delivered on the 1st and the 4th, nothing on the 2nd and the 3rd.
  await deliver(`AWSLogs/${ACCOUNT}`, QUIET_REGION, ["01", "04"], ACCOUNT);
  await deliver(`AWSLogs/o-abc123/${MEMBER}`, "us-east-1", ["01", "02"], MEMBER);
  await fsp.mkdir(path.join(logs, "exports"), { recursive: true });
  await fsp.writeFile(path.join(logs, ARCHIVE), "not a log");
  const runbooks = path.join(root, "runbooks");
  await fsp.mkdir(runbooks);
  await fsp.writeFile(path.join(runbooks, "quiet-region.md"), RUNBOOK);
  t = await startTestServer({
    runbooks: [runbooks],
    logDir: logs,
    access: opsAndMaskedCon([
      { groups: ["con"], columns: ["useridentity.arn"], strategy: "partial" },
    ]),
    tokens: OPS_AND_CON,
  });
  runId = await runAsOps(t, {
    runbook: "quiet-region",
    from: "2024-03-01T00:00:00Z",
    to: "2024-03-05T00:00:00Z",
  });
});

afterAll(async () => {
  await t?.close();
  if (root !== undefined) await fsp.rm(root, { recursive: true, force: true });
});

async function seenBy(token: string) {
  const run = (await call(`${t.url}/api/runs/${runId}`, { token })).body;
  const list = (await call(`${t.url}/api/runs`, { token })).body.find(
    (r: { id: string }) => r.id === runId,
  );
  const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, { token });
  const end = events.find((e) => e.event === "step-end")!;
  return {
    list,
    report: run.result.steps[0].warnings as string[],
    live: end.data.warnings as string[],
    // biome-ignore lint/suspicious/noExplicitAny: steps as parsed JSON
    steps: run.result.steps as any[],
    // biome-ignore lint/suspicious/noExplicitAny: events as parsed JSON
    ends: events.filter((e) => e.event === "step-end").map((e) => e.data as any),
  };
}

describe("a step's warnings, for a masked caller", () => {
  it("name the accounts, regions and files for callers without masking", async () => {
    const ops = await seenBy(t.tokens.ops!);
    const text = ops.report.join("\n");
    for (const name of NAMES) expect(text).toContain(name);
    expect(ops.live).toEqual(ops.report);
  });

  it("keep the days not read and lose the names, in the report and the live event", async () => {
    const ops = await seenBy(t.tokens.ops!);
    const con = await seenBy(t.tokens.con!);
    for (const warnings of [con.report, con.live]) {
      // As many warnings as the run gave, each still saying what was not read.
      expect(warnings).toHaveLength(ops.report.length);
      const text = warnings.join("\n");
      for (const name of NAMES) expect(text).not.toContain(name);
      expect(text).toContain("the window's days 2024-03-02..2024-03-03 (UTC) have no log file of");
      expect(text).toContain("the window's days 2024-03-03..2024-03-04 (UTC) have no log file of");
      expect(text).toContain("a compressed or archived file");
    }
  });

  it("are as many on the run's page as the runs list counts, the masking note apart", async () => {
    const ops = await seenBy(t.tokens.ops!);
    const con = await seenBy(t.tokens.con!);
    const count = (steps: { warnings: string[] }[]) =>
      steps.reduce((n, s) => n + s.warnings.length, 0);
    expect(count(ops.steps)).toBeGreaterThan(0);
    for (const seen of [ops, con]) {
      expect(seen.list.warnings).toBe(count(ops.steps));
      expect(count(seen.steps)).toBe(seen.list.warnings);
      expect(count(seen.ends)).toBe(seen.list.warnings);
    }
    // The masked caller learns why its text values are hidden, beside the warnings.
    for (const step of [con.steps[1], con.ends[1]]) {
      expect(step.masked).toContain("useridentity.arn under another column name");
    }
    expect(ops.steps[1].masked).toBeUndefined();
  });
});
