/**
 * Masking (spec §8) through the API: one run viewed by callers of different groups. A rule
 * table of 24 cases (columns, strategies, groups, `useridentity.arn` as a column and inside the
 * struct, `requestparameters.bucketName` inside the JSON text, the strongest of two rules) is
 * checked against expectations computed here from the raw values (HMAC with the test's key,
 * IPv4 octets, ARN parts), in the run's report, its live `step-end` rows and its check's
 * offending rows. The stored report keeps the raw values.
 */
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, readEvents, startTestServer, type TestServer, waitForEnd } from "./helpers.ts";

const KEY_ENV = "RUN_MD_TEST_MASK_KEY";
const KEY = "mask-key-for-tests-0123456789abcdef";
const R = "[redacted]";

let t: TestServer;
let runId: string;
// biome-ignore lint/suspicious/noExplicitAny: rows as parsed JSON
let raw: any[][];

beforeAll(async () => {
  process.env[KEY_ENV] = KEY;
  const groups = [
    "ip-redact",
    "ip-partial",
    "ip-hash",
    "arn-redact",
    "arn-partial",
    "arn-hash",
    "bucket-redact",
    "bucket-hash",
    "agent-partial",
    "contractors",
  ];
  t = await startTestServer({
    runbooks: [path.join(import.meta.dirname, "governance-fixtures")],
    server: { maskKey: KEY_ENV },
    access: {
      rules: [
        { groups: ["plain"], allow: ["view", "run"] },
        { groups: ["*"], allow: ["view"] },
      ],
      masking: [
        { groups: ["ip-redact"], columns: ["sourceipaddress"], strategy: "redact" },
        { groups: ["ip-partial"], columns: ["SourceIPAddress"], strategy: "partial" },
        { groups: ["ip-hash"], columns: ["sourceipaddress", "last_octet"], strategy: "hash" },
        { groups: ["arn-redact"], columns: ["useridentity.arn"], strategy: "redact" },
        { groups: ["arn-partial"], columns: ["useridentity.arn"], strategy: "partial" },
        { groups: ["arn-hash"], columns: ["useridentity.arn"], strategy: "hash" },
        {
          groups: ["bucket-redact"],
          columns: ["requestparameters.bucketName"],
          strategy: "redact",
        },
        { groups: ["bucket-hash"], columns: ["requestparameters.bucketName"], strategy: "hash" },
        { groups: ["agent-partial"], columns: ["useragent"], strategy: "partial" },
        {
          groups: ["contractors"],
          columns: ["sourceipaddress", "useridentity.arn"],
          strategy: "partial",
        },
      ],
    },
    tokens: {
      plain: { groups: ["plain"], user: "plain@example.com" },
      ...Object.fromEntries(groups.map((g) => [g, { groups: [g], user: `${g}@example.com` }])),
      // In two groups: the stronger rule (redact) wins over partial.
      both: { groups: ["ip-partial", "ip-redact"], user: "both@example.com" },
    },
  });
  const r = await call(`${t.url}/api/runs`, {
    token: t.tokens.plain!,
    body: { runbook: "mask-probe" },
  });
  expect(r.status).toBe(202);
  runId = r.body.id;
  const run = await waitForEnd(t, runId, t.tokens.plain!);
  raw = run.result.steps[0].rows;
});
afterAll(async () => {
  delete process.env[KEY_ENV];
  await t?.close();
});

const COL = {
  eventid: 0,
  sourceipaddress: 1,
  arn: 2,
  useridentity: 3,
  requestparameters: 4,
  useragent: 5,
};
type Col = keyof typeof COL;
// biome-ignore lint/suspicious/noExplicitAny: a JSON value
type V = any;

const H = (v: V) =>
  `hmac:${createHmac("sha256", KEY)
    .update(typeof v === "string" ? v : JSON.stringify(v))
    .digest("hex")
    .slice(0, 16)}`;
const ipPartial = (v: string) => `${v.split(".").slice(0, 2).join(".")}.x.x`;
/** Partition, service, region, account and resource type kept: `arn:aws:sts::1:assumed-role/***`. */
const arnPartial = (v: string) => v.replace(/^((?:[^:]*:){5}[A-Za-z0-9-]+[/:]).*$/, "$1***");
const lengthClass = (n: number) =>
  n <= 4 ? "1-4" : n <= 8 ? "5-8" : n <= 16 ? "9-16" : n <= 32 ? "17-32" : "33+";
const strPartial = (v: string) => `${v.slice(0, 2)}***(${lengthClass(v.length)})`;
/** A struct with every `arn` field in it, at any depth, changed (nulls stay null). */
const everyArn = (f: (v: V) => V, u: V): V =>
  Array.isArray(u)
    ? u.map((x) => everyArn(f, x))
    : u === null || typeof u !== "object"
      ? u
      : Object.fromEntries(
          Object.entries(u).map(([k, x]) => [
            k,
            k === "arn" ? (x === null ? null : f(x)) : everyArn(f, x),
          ]),
        );
/**
 * `useridentity` with every `arn` field in it changed (a struct, or its JSON text): its own and
 * its session issuer's, as in the same struct under another name (red-team, 2026-12-07).
 */
const inIdentity = (f: (v: V) => V) => (u: V) =>
  typeof u === "string" ? JSON.stringify(everyArn(f, JSON.parse(u))) : everyArn(f, u);
const inParams = (f: (v: V) => V) => (p: string) => {
  const o = JSON.parse(p);
  return JSON.stringify({ ...o, bucketName: f(o.bucketName) });
};
const same = (v: V) => v;
const redact = () => R;

const CASES: Array<[token: string, column: Col, expected: (raw: V) => V]> = [
  ["plain", "sourceipaddress", same],
  ["plain", "arn", same],
  ["plain", "requestparameters", same],
  ["ip-redact", "sourceipaddress", redact],
  ["ip-redact", "arn", same],
  ["ip-redact", "useragent", same],
  ["ip-partial", "sourceipaddress", ipPartial],
  ["ip-hash", "sourceipaddress", H],
  ["ip-hash", "eventid", same],
  ["arn-redact", "arn", redact],
  ["arn-redact", "useridentity", inIdentity(redact)],
  ["arn-redact", "sourceipaddress", same],
  ["arn-partial", "arn", arnPartial],
  ["arn-partial", "useridentity", inIdentity(arnPartial)],
  ["arn-hash", "arn", H],
  ["arn-hash", "useridentity", inIdentity(H)],
  ["bucket-redact", "requestparameters", inParams(redact)],
  ["bucket-redact", "arn", same],
  ["bucket-hash", "requestparameters", inParams(H)],
  ["agent-partial", "useragent", strPartial],
  ["both", "sourceipaddress", redact],
  ["contractors", "sourceipaddress", ipPartial],
  ["contractors", "arn", arnPartial],
  ["contractors", "requestparameters", same],
];

describe("masking per caller", () => {
  it("the probe has rows with every value the rules mask", () => {
    expect(raw.length).toBe(10);
    for (const row of raw) {
      expect(row[COL.sourceipaddress]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(row[COL.arn]).toMatch(/^arn:aws:/);
      expect(JSON.parse(row[COL.requestparameters]).bucketName).toEqual(expect.any(String));
    }
  });

  it.each(CASES)(
    "%s sees %s as the rule says (report and live events)",
    async (token, column, f) => {
      const want = raw.map((row) => f(row[COL[column]]));
      const run = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens[token]! });
      expect(run.status).toBe(200);
      expect(run.body.result.steps[0].rows.map((r: V[]) => r[COL[column]])).toEqual(want);
      const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, {
        token: t.tokens[token]!,
      });
      const end = events.find((e) => e.event === "step-end")!;
      expect(end.data.rows.map((r: V[]) => r[COL[column]])).toEqual(want);
    },
  );

  it("masks the check's offending rows too", async () => {
    const plain = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens.plain! });
    const masked = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens["ip-redact"]! });
    const rows = (b: V) => b.result.steps[0].checks[0].offendingRows as Array<Record<string, V>>;
    expect(rows(plain.body).length).toBeGreaterThan(0);
    expect(rows(plain.body)[0]!.sourceipaddress).toMatch(/^\d+\./);
    expect(rows(masked.body).map((r) => r.sourceipaddress)).toEqual(rows(plain.body).map(() => R));
  });

  it("masks a check's value and the values its message quotes when it reads a masked column (report and events)", async () => {
    const plain = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens.plain! });
    const checks = (b: V, step = 0) => b.result.steps[step].checks as Array<Record<string, V>>;
    const [, maxIp, minArn, distinctIp, everyIp] = checks(plain.body);
    // The unmasked caller sees the values: the highest address, the lowest ARN (text: errors of
    // the check that quote them), an address that is not a number, the highest last octet.
    const quoted = (c: V) => JSON.parse(/ (?:is|holds) ("(?:[^"\\]|\\.)*")/.exec(c.message)![1]!);
    expect(quoted(maxIp)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(quoted(minArn)).toMatch(/^arn:aws:/);
    expect(quoted(everyIp)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const [maxOctet] = checks(plain.body, 1);
    expect(maxOctet!.actual).toEqual(expect.any(Number));
    expect(maxOctet!.message).toBe(`max(last_octet) = ${maxOctet!.actual}, expected < 0`);
    const cases: Array<[token: string, ip: (v: V) => V, arn: (v: V) => V, octet: (v: V) => V]> = [
      ["ip-redact", redact, same, same],
      ["ip-partial", ipPartial, same, same],
      ["ip-hash", H, same, H],
      ["arn-redact", same, redact, same],
      ["contractors", ipPartial, arnPartial, same],
    ];
    for (const [token, ip, arn, octet] of cases) {
      const run = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens[token]! });
      const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, {
        token: t.tokens[token]!,
      });
      const live = events.filter((e) => e.event === "step-end").map((e) => e.data.checks);
      for (const [got, got1] of [
        [checks(run.body), checks(run.body, 1)],
        [live[0], live[1]],
      ] as Array<Array<Array<Record<string, V>>>>) {
        const sub = (c: V, f: (v: V) => V) =>
          c.message.replace(/"(?:[^"\\]|\\.)*"/, JSON.stringify(f(quoted(c))));
        expect([token, got![1]!.message]).toEqual([token, sub(maxIp, ip)]);
        expect([token, got![2]!.message]).toEqual([token, sub(minArn, arn)]);
        expect([token, got![4]!.message]).toEqual([token, sub(everyIp, ip)]);
        // A count is not a value of the column: kept.
        expect(got![3]).toEqual(distinctIp);
        const want = octet(maxOctet!.actual);
        expect([token, got1![0]!.actual]).toEqual([token, want]);
        expect(got1![0]!.message).toBe(`max(last_octet) = ${want}, expected < 0`);
      }
    }
  });

  it("redacts the values a step's error quotes for a masked caller", async () => {
    const plain = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens.plain! });
    const rawError = plain.body.result.steps[2].error.message as string;
    expect(rawError).toMatch(/'\d+\.\d+\.\d+\.\d+'/);
    const masked = await call(`${t.url}/api/runs/${runId}`, { token: t.tokens["ip-redact"]! });
    const error = masked.body.result.steps[2].error.message as string;
    expect(error).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    // The kind of error it is, its sentence hidden (it may quote a value anywhere).
    expect(error).toBe(`${/^[A-Z_]+: /.exec(rawError)![0]}${R}`);
  });

  it("never masks the stored report", async () => {
    const rec = t.server.runs.store.get(runId)!;
    const stored = JSON.parse(await readFile(path.join(t.dir, "reports", rec.report!), "utf8"));
    expect(stored.steps[0].rows).toEqual(raw);
    expect(JSON.stringify(stored)).not.toContain(R);
    expect(JSON.stringify(stored)).not.toContain("hmac:");
  });

  it("refuses the built pages that hold stored results to a masked caller", async () => {
    for (const page of [
      "/runbooks/mask-probe/",
      `/runbooks/mask-probe/runs/x/`,
      "/reports/mask-probe/x.json",
      "/pagefind/pagefind.js",
      // The same pages under another spelling of their path.
      "/%72eports/mask-probe/x.json",
      "/%70agefind/pagefind.js",
    ]) {
      const masked = await call(`${t.url}${page}`, { token: t.tokens["ip-hash"]! });
      expect([page, masked.status]).toEqual([page, 403]);
      expect(masked.body).toMatch(/masked for you/);
      // Unmasked callers get the page (here: no site is built, so 404).
      const plain = await call(`${t.url}${page}`, { token: t.tokens.plain! });
      expect([page, plain.status]).toEqual([page, 404]);
    }
    const refused = (await t.audit()).filter(
      (e) =>
        e.action === "access.refused" && (e.details as { reason?: string }).reason === "masked",
    );
    expect(refused.length).toBe(6);
  });
});

describe("fields read under another name (useridentity.arn AS actor)", () => {
  it("hide every text value of the step from a masked caller, keep the counts, and say why", async () => {
    const r = await call(`${t.url}/api/runs`, {
      token: t.tokens.plain!,
      body: { runbook: "mask-renamed" },
    });
    expect(r.status).toBe(202);
    const plain = (await waitForEnd(t, r.body.id, t.tokens.plain!)).result.steps[0];
    expect(plain.rows.length).toBeGreaterThan(0);
    // The plain caller sees the values: an ARN and an address in every row.
    expect(plain.rows.every((row: V[]) => String(row[0]).startsWith("arn:"))).toBe(true);
    for (const group of ["arn-redact", "ip-hash", "contractors"]) {
      const seen = (await call(`${t.url}/api/runs/${r.body.id}`, { token: t.tokens[group]! })).body
        .result.steps[0];
      expect(seen.rows, group).toEqual(plain.rows.map((row: V[]) => [R, R, row[2]]));
      expect(seen.masked, group).toContain("under another column name");
      expect(JSON.stringify(seen), group).not.toMatch(/arn:aws/);
    }
    // The same in the live events (red-team: a step-end event carries no query text, so the
    // renamed fields went out as they were).
    for (const group of ["arn-redact", "ip-hash", "contractors"]) {
      const { events } = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, {
        token: t.tokens[group]!,
      });
      const end = events.find((e) => e.event === "step-end")!;
      expect(end.data.rows, group).toEqual(plain.rows.map((row: V[]) => [R, R, row[2]]));
      expect(end.data.masked, group).toContain("under another column name");
      expect(JSON.stringify(end.data), group).not.toMatch(/arn:aws/);
      // The query the event log keeps for masking is not sent.
      expect(Object.keys(end.data), group).not.toContain("query");
    }
    // A group without a rule on either field sees them.
    const agent = (
      await call(`${t.url}/api/runs/${r.body.id}`, { token: t.tokens["agent-partial"]! })
    ).body.result.steps[0];
    expect(agent.rows).toEqual(plain.rows);
  });
});

describe("fields inside a struct or a whole row read under another name (useridentity AS who)", () => {
  it("masks them for a masked caller, though the query names neither the field nor its column", async () => {
    // Red-team: `useridentity AS who` holds useridentity.arn, `requestparameters AS params` the
    // bucketName and a whole row `e` (DuckDB SQL) every field; the queries' words name none of
    // the masked fields, so neither the column names nor the renamed-field rule hid them.
    const r = await call(`${t.url}/api/runs`, {
      token: t.tokens.plain!,
      body: { runbook: "mask-whole" },
    });
    expect(r.status).toBe(202);
    const [parts, row] = (await waitForEnd(t, r.body.id, t.tokens.plain!)).result.steps;
    expect(parts.rows.length).toBeGreaterThan(0);
    expect(row.rows.length).toBeGreaterThan(0);
    // The raw values, from the plain caller's rows: each must be absent from a masked view.
    const arns = new Set<string>();
    const buckets = new Set<string>();
    const ips = new Set<string>();
    for (const [who, params] of parts.rows as V[][]) {
      arns.add(who.arn);
      // An S3 call without parameters (null) has no bucket to look for.
      buckets.add(JSON.parse(params ?? "{}")?.bucketName);
    }
    for (const [event] of row.rows as V[][]) {
      arns.add(event.useridentity.arn);
      buckets.add(JSON.parse(event.requestparameters ?? "{}")?.bucketName);
      ips.add(event.sourceipaddress);
    }
    for (const set of [arns, buckets, ips]) {
      set.delete(undefined as unknown as string);
      expect(set.size).toBeGreaterThan(0);
    }
    // A rule masks a field, not its value wherever it is: the bucket's name is also in the whole
    // row's `resources[].arn` (`arn:aws:s3:::app-artifacts`), which `requestparameters.bucketName`
    // does not name (docs/serve.md). So the bucket is looked for as the field's text in the JSON
    // text (`"bucketName":"app-artifacts"`): the test asked for the name nowhere, and failed
    // since it was written (red-team).
    const bucketFields = new Set([...buckets].map((b) => `"bucketName":${JSON.stringify(b)}`));
    const cases: [string, Set<string>][] = [
      ["arn-redact", arns],
      ["arn-hash", arns],
      ["bucket-redact", bucketFields],
      ["ip-redact", ips],
      ["contractors", new Set([...arns, ...ips])],
    ];
    const leaked = (text: string, secrets: Set<string>) =>
      [...secrets].filter((s) => text.includes(JSON.stringify(s).slice(1, -1)));
    // Each secret is found as it is looked for in the plain caller's view: the check can fail.
    const plainView = JSON.stringify([parts, row]);
    for (const [group, secrets] of cases)
      expect(leaked(plainView, secrets), group).toEqual([...secrets]);
    for (const [group, secrets] of cases) {
      const seen = (await call(`${t.url}/api/runs/${r.body.id}`, { token: t.tokens[group]! })).body
        .result.steps;
      expect(leaked(JSON.stringify(seen), secrets), group).toEqual([]);
      const { events } = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, {
        token: t.tokens[group]!,
      });
      const live = events.filter((e) => e.event === "step-end");
      expect(live.length).toBe(2);
      expect(leaked(JSON.stringify(live), secrets), group).toEqual([]);
      // The counts stay.
      expect(
        seen[0].rows.map((x: V[]) => x[2]),
        group,
      ).toEqual(parts.rows.map((x: V[]) => x[2]));
      expect(
        seen[1].rows.map((x: V[]) => x[1]),
        group,
      ).toEqual(row.rows.map((x: V[]) => x[1]));
    }
  });
});
