/**
 * Runs through the API on the real local engine: answers checked against a JavaScript count over
 * the raw records, live events with replay and Last-Event-ID, the queue, cancellation, a client
 * that goes away, and bad requests that queue nothing.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { inWindow, readGenerated } from "../../../test/truth/runbook-answers.ts";
import { clipped } from "../src/http-error.ts";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  server: { concurrency: 1, bodyLimit: 4096 },
  heartbeatMs: 200,
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "run:params", "admin"] }] },
});

/** IAM calls by name over the raw records of the run's window: the truth for iam-low. */
function iamCallsTruth(window: { start: string; end: string }, limit: number) {
  const events = inWindow(
    readGenerated(inject("sampleData").incidents),
    new Date(window.start),
    new Date(window.end),
  );
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.eventSource !== "iam.amazonaws.com") continue;
    counts.set(e.eventName as string, (counts.get(e.eventName as string) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([name, n]) => [name, n]);
}

describe("a run requested through the API", () => {
  // A test that fails before cancelling its slow run would leave it holding the one slot (and a
  // core) for the tests after it: cancel whatever is still going.
  afterEach(async () => {
    const runs = (await call(`${t.url}/api/runs?runbook=slow`, { token: t.ops })).body as {
      id: string;
      status: string;
    }[];
    for (const r of runs.filter((x) => x.status === "running" || x.status === "queued")) {
      await call(`${t.url}/api/runs/${r.id}/cancel`, { token: t.ops, method: "POST" });
    }
  });

  it("runs the runbook with the given parameter, stores the report and answers what the raw records say", async () => {
    const r = await call(`${t.url}/api/runs`, {
      token: t.ops,
      body: { runbook: "iam-low", params: { limit: 3 } },
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: expect.any(String), status: "queued" });
    expect(r.headers.get("location")).toBe(`/api/runs/${r.body.id}`);
    const run = await waitForEnd(t, r.body.id, t.ops);
    expect(run.status).toBe("passed");
    expect(run.requester.user).toBe("ops@example.com");
    const step = run.result.steps[0];
    expect(step.rows).toEqual(iamCallsTruth(run.result.window, 3));
    expect(step.rows.length).toBe(3);
    // The same report core's storeReport wrote, in the reports folder.
    const stored = JSON.parse(await readFile(path.join(t.dir, "reports", run.report), "utf8"));
    expect(stored.runId).toBe(r.body.id);
    expect(stored.params).toEqual({ source: "iam.amazonaws.com", limit: 3 });
  });

  it("streams queued, run-start, step-start, step-end and run-end with ids, and replays them to a late client", async () => {
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    const live = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, { token: t.ops });
    expect(live.contentType).toMatch(/^text\/event-stream/);
    // step-progress events (the engine's state) may come between step-start and step-end.
    const names = live.events.map((e) => e.event).filter((n) => n !== "step-progress");
    expect(names).toEqual(["queued", "run-start", "step-start", "step-end", "run-end"]);
    expect(live.events.map((e) => e.id)).toEqual(live.events.map((_e, i) => i + 1));
    const stepEnd = live.events.find((e) => e.event === "step-end")!.data;
    expect(stepEnd.columns.map((c: { name: string }) => c.name)).toEqual(["eventname", "n"]);
    expect(stepEnd.checks).toEqual([
      expect.objectContaining({ check: "rows > 0", status: "passed" }),
    ]);
    expect(stepEnd.rows).toEqual(iamCallsTruth(live.events[1]!.data.window, 5));
    const end = live.events.at(-1)!.data;
    expect(end.status).toBe("passed");
    expect(end.report).toMatch(/^iam-low\/.+\.json$/);
    // A full run: the live view links its page (an investigation's would be its JSON).
    expect(end.kind).toBe("full");

    const late = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, { token: t.ops });
    expect(late.events).toEqual(live.events);
    const resumed = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, {
      token: t.ops,
      lastEventId: 3,
    });
    expect(resumed.events.map((e) => e.id)).toEqual(live.events.slice(3).map((e) => e.id));
    expect(resumed.events).toEqual(live.events.slice(3));
  });

  it("queues behind the concurrency limit, cancels a running query, and runs the next one", async () => {
    const slow = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "slow" } });
    const next = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    // The slow run is running; the next waits (concurrency 1).
    const waiting = await readEvents(`${t.url}/api/runs/${slow.body.id}/events`, {
      token: t.ops,
      stopAfter: 3,
    });
    // The engine's step-progress may arrive with step-start, in the same read.
    const seen = waiting.events.map((e) => e.event).filter((n) => n !== "step-progress");
    expect(seen).toEqual(["queued", "run-start", "step-start"]);
    expect((await call(`${t.url}/api/runs/${next.body.id}`, { token: t.ops })).body.status).toBe(
      "queued",
    );

    // As a client library that always sends the JSON content type: an empty body is no body.
    const c = await call(`${t.url}/api/runs/${slow.body.id}/cancel`, {
      token: t.ops,
      method: "POST",
      body: "",
    });
    expect(c.status).toBe(202);
    // The run's status as the cancel leaves it: running until its query has stopped.
    expect(c.body).toEqual({ id: slow.body.id, status: "running" });
    const cancelled = await waitForEnd(t, slow.body.id, t.ops, 30_000);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelledBy).toBe("ops@example.com");
    expect(cancelled.result.steps[0].status).toBe("cancelled");
    expect(cancelled.result.steps[0].error.code).toBe("cancelled");
    expect((await waitForEnd(t, next.body.id, t.ops)).status).toBe("passed");
    const again = await call(`${t.url}/api/runs/${slow.body.id}/cancel`, {
      token: t.ops,
      method: "POST",
    });
    expect(again.status).toBe(409);
  });

  it("sends heartbeat comments on a quiet stream", async () => {
    const slow = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "slow" } });
    const controller = new AbortController();
    const res = await fetch(`${t.url}/api/runs/${slow.body.id}/events`, {
      headers: { authorization: `Bearer ${t.ops}`, "last-event-id": "3" },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes(": heartbeat"))
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(": heartbeat\n\n");
    await call(`${t.url}/api/runs/${slow.body.id}/cancel`, { token: t.ops, method: "POST" });
    expect((await waitForEnd(t, slow.body.id, t.ops, 30_000)).status).toBe("cancelled");
  });

  it("goes on when the client that asked disconnects", async () => {
    const slow = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "slow" } });
    const r = await call(`${t.url}/api/runs`, {
      token: t.ops,
      body: { runbook: "iam-low", params: { limit: 2 } },
    });
    // The client follows the waiting run, sees it queued, and goes away before it starts.
    const first = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, {
      token: t.ops,
      stopAfter: 1,
    });
    expect(first.events.map((e) => e.event)).toEqual(["queued"]);
    await call(`${t.url}/api/runs/${slow.body.id}/cancel`, { token: t.ops, method: "POST" });
    const run = await waitForEnd(t, r.body.id, t.ops);
    expect(run.status).toBe("passed");
    expect(run.result.steps[0].rows).toEqual(iamCallsTruth(run.result.window, 2));
  });
});

describe("a bad run request", () => {
  const cases: Array<[string, string | object, number, RegExp, string?]> = [
    ["malformed JSON", '{"runbook": "iam-low",', 400, /^the body is not valid JSON: /],
    [
      "a __proto__ key",
      '{"runbook": "iam-low", "params": {"__proto__": {"limit": 7}}}',
      400,
      /^the body holds a "__proto__" or "constructor.prototype" key, which is not allowed$/,
    ],
    ["not an object", "[1, 2]", 400, /must be a JSON object/],
    [
      "parameters nested 1,500 deep (red-team: 5,000 gave a 500)",
      `{"runbook": "iam-low", "params": {"limit": ${"[".repeat(1500)}${"]".repeat(1500)}}}`,
      400,
      /^the body nests deeper than 32 levels$/,
    ],
    ["no runbook", { params: {} }, 400, /"runbook" is required/, "runbook"],
    ["an unknown field", { runbook: "iam-low", sql: "DROP" }, 400, /unknown field "sql"/, "sql"],
    ["an unknown runbook", { runbook: "nope" }, 404, /no runbook "nope"/],
    [
      "a parameter of the wrong type",
      { runbook: "iam-low", params: { limit: "many" } },
      400,
      /parameter "limit".*expected an integer/,
      "params.limit",
    ],
    [
      "a parameter out of range",
      { runbook: "iam-low", params: { limit: 500 } },
      400,
      /parameter "limit"/,
      "params.limit",
    ],
    [
      "an unknown parameter",
      { runbook: "iam-low", params: { colour: "red" } },
      400,
      /unknown parameter "colour"/,
      "params.colour",
    ],
    [
      "a window in the future",
      { runbook: "iam-low", from: "2020-01-01T00:00:00Z", to: "2999-01-01T00:00:00Z" },
      400,
      /future/,
      "to",
    ],
    [
      "a window ending in the future, written with an hour offset",
      { runbook: "iam-low", from: "2020-01-01T00:00+05", to: "2999-01-01T00:00+05" },
      400,
      /future/,
      "to",
    ],
    [
      "a window starting in the future",
      { runbook: "iam-low", from: "2999-01-01" },
      400,
      /future/,
      "from",
    ],
    [
      "a since that is no duration",
      { runbook: "iam-low", since: "a week" },
      400,
      /^since "a week" is not a duration/,
      "since",
    ],
    [
      "since with from",
      { runbook: "iam-low", since: "1d", from: "2026-01-01" },
      400,
      /cannot be combined/,
      "since",
    ],
    [
      "a to that is no instant",
      { runbook: "iam-low", since: "1d", to: "yesterday" },
      400,
      /^to "yesterday" is not an ISO-8601 instant/,
      "to",
    ],
    [
      "an unknown engine",
      { runbook: "iam-low", engine: "oracle" },
      400,
      /"engine" must be one of/,
      "engine",
    ],
    [
      "an oversized body",
      { runbook: "iam-low", params: { source: "x".repeat(5000) } },
      413,
      /larger than server.bodyLimit/,
    ],
  ];
  it.each(cases)(
    "%s: a 4xx naming the problem, nothing queued, the refusal audited",
    async (_name, body, status, message, field) => {
      const before = (await call(`${t.url}/api/runs?limit=500`, { token: t.ops })).body.length;
      const auditBefore = (await t.audit()).filter((e) => e.action === "run.request").length;
      const r = await call(`${t.url}/api/runs`, { token: t.ops, body });
      expect(r.status).toBe(status);
      expect(r.body.error).toMatch(message);
      if (field !== undefined) expect(r.body.field).toBe(field);
      expect((await call(`${t.url}/api/runs?limit=500`, { token: t.ops })).body.length).toBe(
        before,
      );
      // A request for a runbook the caller may run, refused for its parameters, window or engine
      // (a window in the future too), is audited with why (spec §9). One refused before the
      // runbook it names is known (a malformed body, an unknown field, no runbook) is not.
      const audited = (await t.audit())
        .filter((e) => e.action === "run.request")
        .slice(auditBefore);
      const checked = status === 400 && /^(params\.|to$|from$|since$|engine$)/.test(field ?? "");
      expect(audited.map((e) => [e.target, e.details?.refused])).toEqual(
        checked
          ? [["iam-low", { status, code: expect.any(String), error: clipped(r.body.error) }]]
          : [],
      );
    },
  );

  it("keeps the audit entry of a refused request small, however long the bad value (review)", async () => {
    const body = { runbook: "iam-low", params: { limit: "9".repeat(3000) } };
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body });
    expect(r.status).toBe(400);
    expect(r.body.error.length).toBeGreaterThan(3000);
    const entry = (await t.audit()).filter((e) => e.action === "run.request").at(-1)!;
    const refused = entry.details?.refused as { error: string };
    expect(refused.error.length).toBeLessThan(400);
    expect(refused.error).toMatch(/^parameter "limit".*characters\)$/);
    // The value itself is kept clipped too (review: it went in as sent).
    expect(JSON.stringify(entry.details?.params).length).toBeLessThan(400);
    expect((entry.details?.params as { limit?: string } | undefined)?.limit).toMatch(
      /^9{256}… \(3000 characters\)$/,
    );
    // Parameters that are no object are named by their kind.
    await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low", params: ["x"] } });
    const other = (await t.audit()).filter((e) => e.action === "run.request").at(-1)!;
    expect(other.details?.params).toBe("(not an object: an array)");
  });

  it("a status filter that is no status is a 400 naming them, not an empty list", async () => {
    const r = await call(`${t.url}/api/runs?status=bogus`, { token: t.ops });
    expect([r.status, r.body.field]).toEqual([400, "status"]);
    expect(r.body.error).toMatch(
      /^status must be one of queued, pending-approval, running, passed/,
    );
    const ok = await call(`${t.url}/api/runs?status=passed`, { token: t.ops });
    expect(ok.status).toBe(200);
    expect((ok.body as { status: string }[]).every((x) => x.status === "passed")).toBe(true);
    // limit: 1 to 500, else a 400 naming it; the newest first, without the result or events.
    for (const limit of ["0", "501", "x"]) {
      const bad = await call(`${t.url}/api/runs?limit=${limit}`, { token: t.ops });
      expect([bad.status, bad.body.field]).toEqual([400, "limit"]);
    }
    const all = (await call(`${t.url}/api/runs`, { token: t.ops })).body;
    const two = (await call(`${t.url}/api/runs?limit=2`, { token: t.ops })).body;
    expect(two).toEqual(all.slice(0, 2));
    for (let i = 1; i < all.length; i++)
      expect(all[i - 1].requestedAt >= all[i].requestedAt).toBe(true);
    for (const r of all) {
      expect(r).not.toHaveProperty("events");
      expect(r).not.toHaveProperty("result");
    }
  });

  it("a parameter out of range says what it takes, in the hint too", async () => {
    const body = { runbook: "iam-low", params: { limit: 500 } };
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body });
    expect(r.body.error).toMatch(/expected a value <= \d+, got 500/);
    expect(r.body.hint).toMatch(/^give "limit" a value <= \d+$/);
  });

  it("says how to send a number where a string belongs in JSON, not in YAML", async () => {
    const body = { runbook: "iam-low", params: { source: 5 } };
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body });
    expect([r.status, r.body.field, r.body.hint]).toEqual([
      400,
      "params.source",
      'send it as a JSON string ("5")',
    ]);
  });
});

describe("a run whose stored report cannot be read", () => {
  it("is still answered, 200 with resultUnavailable, when the report is missing or corrupt", async () => {
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    const run = await waitForEnd(t, r.body.id, t.ops);
    expect(run.status).toBe("passed");
    expect(run.result.steps.length).toBeGreaterThan(0);
    const file = path.join(t.dir, "reports", run.report);

    await rm(file);
    const missing = await call(`${t.url}/api/runs/${run.id}`, { token: t.ops });
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ id: run.id, status: "passed", report: run.report });
    expect(missing.body.result).toBeUndefined();
    expect(missing.body.resultUnavailable).toEqual({
      code: "report-missing",
      message: expect.stringContaining(run.report),
    });

    await writeFile(file, "{not json");
    const corrupt = await call(`${t.url}/api/runs/${run.id}`, { token: t.ops });
    expect(corrupt.status).toBe(200);
    expect(corrupt.body.result).toBeUndefined();
    expect(corrupt.body.resultUnavailable).toMatchObject({ code: "report-unreadable" });
    // The server's own path is not in the answer.
    expect(JSON.stringify(corrupt.body)).not.toContain(t.dir);

    await writeFile(file, JSON.stringify({ reportVersion: 1, steps: "no" }));
    const invalid = await call(`${t.url}/api/runs/${run.id}`, { token: t.ops });
    expect([invalid.status, invalid.body.resultUnavailable?.code]).toEqual([
      200,
      "report-unreadable",
    ]);
  });
});

describe("the list of runs", () => {
  it("counts the warnings of a run that passed over days without logs, and none of a run that read every day", async () => {
    const wide = await call(`${t.url}/api/runs`, {
      token: t.ops,
      body: { runbook: "iam-low", since: "120d" },
    });
    const whole = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    const wideRun = await waitForEnd(t, wide.body.id, t.ops);
    const wholeRun = await waitForEnd(t, whole.body.id, t.ops);
    const warningsOf = (run: { result: { steps: { warnings?: string[] }[] } }) =>
      run.result.steps.flatMap((s) => s.warnings ?? []);
    // The truth: the sample data holds a few weeks, so 120 days hold days without logs.
    expect(wideRun.status).toBe("passed");
    expect(warningsOf(wideRun).join("\n")).toMatch(/without|no log|no event/i);
    expect(warningsOf(wholeRun)).toEqual([]);
    const list = (await call(`${t.url}/api/runs?runbook=iam-low&limit=500`, { token: t.ops }))
      .body as { id: string; warnings?: number }[];
    expect(list.find((r) => r.id === wide.body.id)?.warnings).toBe(warningsOf(wideRun).length);
    expect(list.find((r) => r.id === whole.body.id)).not.toHaveProperty("warnings");
  });
});
