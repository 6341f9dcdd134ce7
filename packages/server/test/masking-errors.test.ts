/**
 * A step's error, for a caller whom masking covers (red-team, 2026-12-07): an engine's message
 * can quote the value it failed on, and only single-quoted text was hidden. DuckDB quotes with
 * double quotes (`Could not parse string "52.94.133.12" according to format specifier "%Y"`),
 * and a cast the local engine answers as Athena does names the value bare (`Value cannot be cast
 * to timestamp: 52.94.133.12`). The truth is the one event the test writes: its address and ARN.
 */
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  OPS_AND_CON,
  opsAndMaskedCon,
  readEvents,
  runAsOps,
  startTestServer,
  type TestServer,
} from "./helpers.ts";

const IP = "52.94.133.12";
const ARN = "arn:aws:iam::123456789012:user/alice";
/** A value no shape gives away (no address, ARN, path or name with a dot). */
const AGENT = "secretagent";

/** Each query fails on a value of the event, its message quoting it one way or another. */
const FAILING: Record<string, string> = {
  parse: "date_parse(sourceipaddress, '%Y')",
  iso: "from_iso8601_timestamp(sourceipaddress)",
  stamp: "CAST(sourceipaddress AS timestamp)",
  day: "CAST(useridentity.arn AS date)",
  base64: "from_base64(sourceipaddress)",
  decimal: "CAST(sourceipaddress AS decimal(10,2))",
  int: "CAST(sourceipaddress AS integer)",
  // `Cannot cast value to IPADDRESS: secretagent`, bare.
  ip: "CAST(useragent AS ipaddress)",
  // `Duplicate keys (secretagent) are not allowed`, in brackets (review, 2026-12-07).
  dup: "split_to_map(useragent || '=a,' || useragent || '=b', ',', '=')",
  // `Key not present in map: secretagent`, `duration is not a valid data duration string:
  // secretagent`, `Not a valid base-16 number: secretagent`: bare, as Athena (Trino) words them
  // (review, 2026-12-07).
  key: "map(ARRAY['k'], ARRAY[1])[useragent]",
  duration: "parse_duration(useragent)",
  // `Unknown time unit: secretagent` (a duration's unit, from the value).
  unit: "parse_duration('5' || useragent)",
  radix: "from_base(useragent, 16)",
  // `Invalid Input Error: missing ): secretagent(`: bare, after a phrase no list of them knew
  // (a masked caller now sees the kind of an engine's error only).
  regex: "regexp_like('a', useragent || '(')",
};

const RUNBOOK = `---
title: Failing casts
owner: test
severity: low
tags: [test]
window: 7d
---

# Failing casts

${Object.entries(FAILING)
  .map(([id, expr]) => `\`\`\`sql ${id}\nSELECT ${expr} AS v FROM cloudtrail_logs\n\`\`\`\n`)
  .join("\n")}`;

let root: string;
let t: TestServer;
let runId: string;

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(tmpdir(), "run-md-mask-errors-"));
  const logs = path.join(root, "logs");
  await fsp.mkdir(logs);
  const record = {
    eventVersion: "1.08",
    eventID: "e1",
    eventTime: "2024-03-01T10:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    sourceIPAddress: IP,
    userIdentity: { type: "IAMUser", arn: ARN },
    userAgent: AGENT,
  };
  await fsp.writeFile(path.join(logs, "e.json"), JSON.stringify({ Records: [record] }));
  const runbooks = path.join(root, "runbooks");
  await fsp.mkdir(runbooks);
  await fsp.writeFile(path.join(runbooks, "failing-casts.md"), RUNBOOK);
  t = await startTestServer({
    runbooks: [runbooks],
    logDir: logs,
    access: opsAndMaskedCon([
      { groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" },
    ]),
    tokens: OPS_AND_CON,
  });
  runId = await runAsOps(t, {
    runbook: "failing-casts",
    from: "2024-03-01T00:00:00Z",
    to: "2024-03-02T00:00:00Z",
  });
});

afterAll(async () => {
  await t?.close();
  if (root !== undefined) await fsp.rm(root, { recursive: true, force: true });
});

async function errorsSeenBy(token: string): Promise<{ report: string[]; live: string[] }> {
  const run = (await call(`${t.url}/api/runs/${runId}`, { token })).body;
  const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, { token });
  return {
    report: run.result.steps.map((s: { error?: { message: string } }) => s.error?.message ?? ""),
    live: events
      .filter((e) => e.event === "step-end")
      .map((e) => (e.data.error?.message as string | undefined) ?? ""),
  };
}

describe("a step's error, for a masked caller", () => {
  it("quotes the value for a caller without masking, in every step", async () => {
    const ops = await errorsSeenBy(t.tokens.ops!);
    expect(ops.report).toHaveLength(Object.keys(FAILING).length);
    for (const m of ops.report)
      expect(
        [IP, ARN, AGENT].some((v) => m.includes(v)),
        m,
      ).toBe(true);
    expect(ops.live).toEqual(ops.report);
  });

  it("never quotes it for a masked caller, whatever the quoting", async () => {
    const con = await errorsSeenBy(t.tokens.con!);
    for (const m of [...con.report, ...con.live]) {
      expect(m, m).not.toContain(IP);
      expect(m, m).not.toContain("52.94");
      expect(m, m).not.toContain("123456789012");
      expect(m, m).not.toContain(AGENT);
      expect(m, m).toContain("[redacted]");
    }
  });
});
