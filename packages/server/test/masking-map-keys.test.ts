/**
 * A map whose keys are a masked column's values, under that column's name
 * (`histogram(sourceipaddress) AS sourceipaddress`), for a `partial` rule (red-team,
 * 2026-12-07): partial masked a map's values (the counts, `[redacted]`) and kept its keys, the
 * addresses themselves. The truth is the stored report's raw map, read from its file.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  runbooks: [path.join(import.meta.dirname, "mask-map-fixtures")],
  access: {
    rules: [{ groups: ["ops", "con"], allow: ["view", "run"] }],
    masking: [{ groups: ["con"], columns: ["sourceipaddress"], strategy: "partial" }],
  },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    con: { groups: ["con"], user: "con@example.com" },
  },
});

let runId: string;
let raw: Record<string, number>;

beforeAll(async () => {
  const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "mask-map" } });
  expect(r.status).toBe(202);
  runId = r.body.id;
  const run = await waitForEnd(t, runId, t.ops);
  const stored = JSON.parse(await readFile(path.join(t.dir, "reports", run.report), "utf8"));
  raw = stored.steps[0].rows[0][0];
});

/** `203.0.113.42` → `203.0.x.x`, as the partial strategy writes an IPv4 address. */
const ipPartial = (v: string) => `${v.split(".").slice(0, 2).join(".")}.x.x`;

it("the stored map is keyed by addresses, several per /16 (the test's premise)", () => {
  const keys = Object.keys(raw);
  expect(keys.length).toBeGreaterThan(1);
  expect(keys.every((k) => /^\d+\.\d+\.\d+\.\d+$/.test(k))).toBe(true);
});

it("a partial rule masks a map's keys too, and keeps every entry", async () => {
  const run = (await call(`${t.url}/api/runs/${runId}`, { token: t.tokens.con! })).body;
  const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, {
    token: t.tokens.con!,
  });
  const live = events.find((e) => e.event === "step-end")!.data.rows[0][0];
  for (const shown of [run.result.steps[0].rows[0][0], live]) {
    const text = JSON.stringify(shown);
    for (const address of Object.keys(raw)) expect(text).not.toContain(`"${address}"`);
    // As many entries as addresses, each key the address's partial form (the second and later
    // of one /16 told apart by a number), each count masked as a number under partial is.
    expect(Object.keys(shown)).toHaveLength(Object.keys(raw).length);
    for (const k of Object.keys(shown)) {
      const base = k.replace(/ \(\d+\)$/, "");
      expect(Object.keys(raw).map(ipPartial)).toContain(base);
    }
    expect(new Set(Object.values(shown))).toEqual(new Set(["[redacted]"]));
  }
});
