/**
 * A rule's field deeper inside the column the rule names (red-team, 2026-12-07): a
 * `useridentity.arn` rule masked `useridentity.arn` in a `useridentity` column but left the
 * `arn` of `useridentity.sessioncontext.sessionissuer` as it was, while the very same struct
 * read under another name (`SELECT useridentity AS who`) has every `arn` at any depth masked.
 * With the session's `principalid` beside it, that role ARN spells the masked assumed-role ARN
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). The truth here is the stored report's
 * raw values, read from its file.
 */
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const KEY_ENV = "RUN_MD_TEST_NESTED_MASK_KEY";
const KEY = "nested-mask-key-for-tests-0123456789";
const H = (v: string) => `hmac:${createHmac("sha256", KEY).update(v).digest("hex").slice(0, 16)}`;

beforeAll(() => {
  process.env[KEY_ENV] = KEY;
});
afterAll(() => {
  delete process.env[KEY_ENV];
});

const t = fixtureServer({
  runbooks: [path.join(import.meta.dirname, "governance-fixtures")],
  server: { maskKey: KEY_ENV },
  access: {
    rules: [
      { groups: ["ops"], allow: ["view", "run"] },
      { groups: ["redact", "hash"], allow: ["view"] },
    ],
    masking: [
      { groups: ["redact"], columns: ["useridentity.arn"], strategy: "redact" },
      { groups: ["hash"], columns: ["useridentity.arn"], strategy: "hash" },
    ],
  },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    redact: { groups: ["redact"], user: "redact@example.com" },
    hash: { groups: ["hash"], user: "hash@example.com" },
  },
});

// biome-ignore lint/suspicious/noExplicitAny: a JSON value
type V = any;

/** Every value of a field named `arn`, at any depth, with the path it was found at. */
function arns(v: V, at = ""): [string, V][] {
  if (v === null || typeof v !== "object") return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => arns(x, `${at}[${i}]`));
  return Object.entries(v).flatMap(([k, x]) => [
    ...(k.toLowerCase() === "arn" ? [[`${at}.${k}`, x] as [string, V]] : []),
    ...arns(x, `${at}.${k}`),
  ]);
}

let runId: string;
let rawIdentities: V[];

beforeAll(async () => {
  const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "mask-probe" } });
  expect(r.status).toBe(202);
  runId = r.body.id;
  const run = await waitForEnd(t, runId, t.ops);
  const stored = JSON.parse(await readFile(path.join(t.dir, "reports", run.report), "utf8"));
  const step = stored.steps[0];
  const col = step.columns.findIndex((c: { name: string }) => c.name === "useridentity");
  rawIdentities = step.rows.map((row: V[]) => row[col]);
});

it("the raw identities hold an arn below useridentity.arn (the test's premise)", () => {
  const nested = rawIdentities.flatMap((u) => arns(u)).filter(([p, v]) => p !== ".arn" && v);
  expect(nested.length).toBeGreaterThan(0);
});

async function identitiesSeenBy(token: string): Promise<{ api: V[]; events: V[] }> {
  const run = (await call(`${t.url}/api/runs/${runId}`, { token })).body;
  const step = run.result.steps[0];
  const col = step.columns.findIndex((c: { name: string }) => c.name === "useridentity");
  const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, { token });
  const end = events.find((e) => e.event === "step-end" && e.data.step === "calls")!;
  return {
    api: step.rows.map((row: V[]) => row[col]),
    events: end.data.rows.map((row: V[]) => row[col]),
  };
}

it.each([
  ["redact", (_v: string) => "[redacted]"],
  ["hash", H],
])("every arn inside the useridentity column is masked for %s, once", async (who, mask) => {
  const seen = await identitiesSeenBy(t.tokens[who]!);
  for (const shown of [seen.api, seen.events]) {
    shown.forEach((u, i) => {
      const raw = arns(rawIdentities[i]);
      const got = arns(u);
      expect(got.map(([p]) => p)).toEqual(raw.map(([p]) => p));
      got.forEach(([p, v], j) => {
        const r = raw[j]![1];
        // Masked as the `arn` column is (a hash once, not a hash of a hash); nulls stay null.
        expect([p, v]).toEqual([p, r === null ? null : mask(r)]);
      });
    });
  }
});
