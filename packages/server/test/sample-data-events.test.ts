/**
 * A served run over the bundled sample data (the CLI's pool marks its report: RunReport.sampleData)
 * says so in its `run-end` event too: the live view follows the run from its events, and showed a
 * run of planted incidents end as the account's findings (review). Truth: the stored report.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const marked = fixtureServer({
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "run:params", "admin"] }] },
  run: { finishReport: (report) => ({ ...report, sampleData: true }) },
});

describe("the run-end event of a served run over the bundled sample data", () => {
  it("says so, as its stored report does", async () => {
    const r = await call(`${marked.url}/api/runs`, {
      token: marked.ops,
      body: { runbook: "iam-low" },
    });
    const run = await waitForEnd(marked, r.body.id, marked.ops);
    const stored = JSON.parse(await readFile(path.join(marked.dir, "reports", run.report), "utf8"));
    expect(stored.sampleData).toBe(true);
    const { events } = await readEvents(`${marked.url}/api/runs/${r.body.id}/events`, {
      token: marked.ops,
    });
    const end = events.find((e) => e.event === "run-end")!;
    expect(end.data).toMatchObject({ status: run.status, sampleData: true });
  });
});
