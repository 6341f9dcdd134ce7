/**
 * A run's event log written before step-end events kept their query (a server upgraded with its
 * runs on disk), replayed to a masked caller after the runbook was edited: the step's query as
 * served now no longer reads the masked field, but the rows in the log were read by the query as
 * it ran (`useridentity.arn AS actor`). They must not go out as they are (red-team).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, readEvents, startTestServer, type TestServer, waitForEnd } from "./helpers.ts";

const RUNBOOK = (select: string) => `---
title: Masking of an edited step
description: Who called S3, under another name (a test runbook of the server's masking).
owner: test
severity: low
tags: [test]
window: 7d
---

# Masking of an edited step

\`\`\`sql callers
SELECT ${select} AS actor, count(*) AS calls
FROM cloudtrail_logs
WHERE json_extract_scalar(requestparameters, '$.bucketName') IS NOT NULL
GROUP BY 1
ORDER BY calls DESC, actor
LIMIT 10
\`\`\`
`;

const ACCESS = {
  rules: [
    { groups: ["plain"], allow: ["view", "run"] },
    { groups: ["*"], allow: ["view"] },
  ],
  masking: [{ groups: ["arn-redact"], columns: ["useridentity.arn"], strategy: "redact" }],
};

let dir: string;
let runbooks: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-old-log-"));
  runbooks = await mkdtemp(path.join(tmpdir(), "run-md-old-log-runbooks-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(runbooks, { recursive: true, force: true });
});

describe("a step-end event logged without its query", () => {
  it("is masked as the step ran, not as the runbook now reads", async () => {
    await writeFile(path.join(runbooks, "mask-edited.md"), RUNBOOK("useridentity.arn"));
    let t: TestServer = await startTestServer({
      dir,
      runbooks: [runbooks],
      access: ACCESS,
      tokens: {
        plain: { groups: ["plain"], user: "plain@example.com" },
        masked: { groups: ["arn-redact"], user: "masked@example.com" },
      },
    });
    const tokens = t.tokens;
    const r = await call(`${t.url}/api/runs`, {
      token: tokens.plain!,
      body: { runbook: "mask-edited" },
    });
    expect(r.status).toBe(202);
    const step = (await waitForEnd(t, r.body.id, tokens.plain!)).result.steps[0];
    const arns = (step.rows as unknown[][]).map((row) => String(row[0]));
    expect(arns.length).toBeGreaterThan(0);
    expect(arns.every((a) => a.startsWith("arn:aws:"))).toBe(true);
    await t.close();

    // The log as a server before the query was kept wrote it (in the record's own file, as a
    // server before ended runs' logs had their own wrote it); the step rewritten since.
    const runsDir = t.config.runsDir;
    const file = path.join(runsDir, `${r.body.id}.json`);
    const logFile = path.join(runsDir, `${r.body.id}.events.json`);
    const rec = JSON.parse(await readFile(file, "utf8"));
    expect(rec.events).toBeUndefined();
    rec.events = JSON.parse(await readFile(logFile, "utf8"));
    for (const ev of rec.events) if (ev.event === "step-end") delete ev.data.query;
    await writeFile(file, JSON.stringify(rec));
    await rm(logFile);
    await writeFile(path.join(runbooks, "mask-edited.md"), RUNBOOK("eventname"));

    t = await startTestServer({ dir, runbooks: [runbooks], access: ACCESS });
    try {
      const { events } = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, {
        token: tokens.masked!,
      });
      const end = events.find((e) => e.event === "step-end")!;
      expect(end.data.rows.length).toBe(arns.length);
      const text = JSON.stringify(end.data);
      expect(arns.filter((a) => text.includes(a))).toEqual([]);
      // The counts stay.
      expect(end.data.rows.map((row: unknown[]) => row[1])).toEqual(
        (step.rows as unknown[][]).map((row) => row[1]),
      );
      // The plain caller still sees them.
      const plain = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, {
        token: tokens.plain!,
      });
      const plainEnd = plain.events.find((e) => e.event === "step-end")!;
      expect(plainEnd.data.rows.map((row: unknown[]) => row[0])).toEqual(arns);
    } finally {
      await t.close();
    }
  });
});
