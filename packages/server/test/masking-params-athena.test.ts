/**
 * Another person's run parameters on Athena, for a caller whom masking covers (red-team,
 * 2026-12-07): Athena binds a step's parameters as execution parameters, and the step's
 * statistics kept them (`executionParameters`, as JSON) in the report and the live `step-end`
 * event, where the text parameters `params` and the query hide were sent as requested. The
 * server's Athena engine is on the AWS emulator; the truth is the value the test sends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedAthena, emulatedAthena } from "./emulated-athena.ts";
import {
  call,
  FIXTURES,
  OPS_AND_CON,
  opsAndMaskedCon,
  readEvents,
  runAsOps,
  startTestServer,
  type TestServer,
} from "./helpers.ts";

const SECRET = "s3.amazonaws.com";
let aws: EmulatedAthena;
let t: TestServer;
let runId: string;

beforeAll(async () => {
  aws = await emulatedAthena();
  t = await startTestServer({
    runbooks: [FIXTURES],
    logDir: aws.logDir,
    engines: { athena: aws.athena },
    run: { configEngines: { sql: "athena" } },
    access: opsAndMaskedCon([
      { groups: ["con"], columns: ["sourceipaddress"], strategy: "partial" },
    ]),
    tokens: OPS_AND_CON,
  });
  runId = await runAsOps(t, { runbook: "iam-low", params: { source: SECRET, limit: 7 } });
});
afterAll(async () => {
  await t?.close();
  await aws?.close();
});

async function seenBy(token: string) {
  const run = (await call(`${t.url}/api/runs/${runId}`, { token })).body;
  const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, { token });
  return { run, events };
}

describe("another person's Athena run parameters, for a masked caller", () => {
  it("are in the step's statistics for the requester (the run went to Athena)", async () => {
    const ops = await seenBy(t.tokens.ops!);
    expect(ops.run.result.steps[0].engine).toBe("athena");
    expect(ops.run.result.steps[0].stats.executionParameters).toContain(SECRET);
  });

  it("are nowhere in the run, its report or its events", async () => {
    const con = await seenBy(t.tokens.con!);
    expect(con.run.params).toEqual({ source: "[redacted]", limit: 7 });
    expect(JSON.stringify(con.run)).not.toContain(SECRET);
    expect(JSON.stringify(con.events)).not.toContain(SECRET);
    // The one value bound (the WHERE clause's; LIMIT's is written in the query), as a literal.
    for (const stats of [
      con.run.result.steps[0].stats,
      con.events.find((e) => e.event === "step-end")!.data.stats,
    ]) {
      expect(JSON.parse(stats.executionParameters)).toEqual(["'[redacted]'"]);
    }
  });
});
