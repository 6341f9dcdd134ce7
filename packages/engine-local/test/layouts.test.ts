/**
 * One reader, one answer: the same real CloudTrail events give the same results whether they are
 * a plain `.json` export (parsed by the lenient reader) or `{"Records":[...]}` files in the S3
 * delivery layout (read by DuckDB directly), for SQL and for Logs Insights steps. The readOnly
 * answer is also checked against a count over the raw records.
 */
import { promises as fsp, readFileSync } from "node:fs";
import path from "node:path";
import type { Dialect } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { datasetsDir, hasShared, tempDir } from "./helpers.ts";

type Event = Record<string, unknown>;
const DATASET = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
const WINDOW = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

let events: Event[] = [];
const dirs: string[] = [];
const engines: Record<"plain" | "layout", LocalEngine> = {} as never;

/** The events as CloudTrail delivers them: one Records file per account, region and day. */
async function writeLayout(dir: string): Promise<void> {
  const groups = new Map<string, Event[]>();
  for (const e of events) {
    const day = String(e.eventTime).slice(0, 10).replaceAll("-", "/");
    const key = `AWSLogs/${e.recipientAccountId}/CloudTrail/${e.awsRegion}/${day}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const [key, records] of groups) {
    await fsp.mkdir(path.join(dir, key), { recursive: true });
    await fsp.writeFile(path.join(dir, key, "part.json"), JSON.stringify({ Records: records }));
  }
}

beforeAll(async () => {
  if (!hasShared) return;
  events = readFileSync(DATASET, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Event);
  const plain = await tempDir("run-md-plain-");
  const layout = await tempDir("run-md-layout-");
  dirs.push(plain, layout);
  await fsp.writeFile(path.join(plain, "export.json"), JSON.stringify(events));
  await writeLayout(layout);
  engines.plain = await createLocalEngine({ logDir: plain, threads: 1 });
  engines.layout = await createLocalEngine({ logDir: layout, threads: 1 });
});

afterAll(async () => {
  await engines.plain?.close();
  await engines.layout?.close();
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const request = (dialect: Dialect, query: string) => queryRequest(dialect, query, WINDOW);

async function both(dialect: Dialect, query: string) {
  const [plain, layout] = await Promise.all([
    engines.plain.query(request(dialect, query)),
    engines.layout.query(request(dialect, query)),
  ]);
  return { plain: plain.rows, layout: layout.rows };
}

describe.skipIf(!hasShared)("a plain export and the S3 layout of the same events", () => {
  it("give Logs Insights readOnly as 1/0 on both, with the counts of the raw records", async () => {
    const truth = (flag: boolean) => events.filter((e) => e.readOnly === flag).length;
    const { plain, layout } = await both(
      "logs-insights",
      "stats count(*) as n by readOnly | sort readOnly",
    );
    expect(plain).toEqual([
      ["0", truth(false)],
      ["1", truth(true)],
    ]);
    expect(layout).toEqual(plain);
    const writes = await both("logs-insights", "filter readOnly = 0 | stats count(*) as n");
    expect(writes.plain).toEqual([[truth(false)]]);
    expect(writes.layout).toEqual(writes.plain);
  });

  it("read a NULL map's key as NULL, not as a missing key's error (events without web identity)", async () => {
    const { plain, layout } = await both(
      "sql",
      "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.sessioncontext.webidfederationdata.attributes['aud'] IS NULL",
    );
    expect(plain).toEqual([[events.length]]);
    expect(layout).toEqual(plain);
  });

  it("give SQL readonly as Athena's 'true'/'false' text on both", async () => {
    const { plain, layout } = await both(
      "sql",
      "SELECT readonly, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY 1",
    );
    expect(plain).toEqual([
      ["false", events.filter((e) => e.readOnly === false).length],
      ["true", events.filter((e) => e.readOnly === true).length],
    ]);
    expect(layout).toEqual(plain);
  });

  it.each([
    "stats count(*) as n by eventSource, eventName | sort n desc, eventSource, eventName | limit 20",
    "filter ispresent(errorCode) | stats count(*) as n by errorCode, userIdentity.type | sort errorCode, userIdentity.type",
    "fields eventID, sourceIPAddress, userIdentity.arn, tlsDetails.tlsVersion | sort eventID | limit 50",
  ])("give the same Insights rows: %s", async (query) => {
    const { plain, layout } = await both("logs-insights", query);
    expect(plain.length).toBeGreaterThan(0);
    expect(layout).toEqual(plain);
  });
});

describe("JSON booleans and numbers deeper in the record", () => {
  const event = {
    eventVersion: "1.09",
    eventTime: "2026-11-20T10:00:00Z",
    eventName: "AssumeRoleWithWebIdentity",
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    readOnly: true,
    userIdentity: {
      type: "WebIdentityUser",
      sessionContext: {
        webIdFederationData: {
          federatedProvider: "accounts.google.com",
          attributes: { email_verified: true, iat: 1732096800 },
        },
      },
    },
  };
  const plainDir = { dir: "" };
  const layoutDir = { dir: "" };
  let plain: LocalEngine;
  let layout: LocalEngine;
  beforeAll(async () => {
    plainDir.dir = await tempDir("run-md-plain-map-");
    layoutDir.dir = await tempDir("run-md-layout-map-");
    await fsp.writeFile(path.join(plainDir.dir, "one.json"), JSON.stringify([event]));
    const day = path.join(layoutDir.dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20");
    await fsp.mkdir(day, { recursive: true });
    await fsp.writeFile(path.join(day, "one.json"), JSON.stringify({ Records: [event] }));
    plain = await createLocalEngine({ logDir: plainDir.dir, threads: 1 });
    layout = await createLocalEngine({ logDir: layoutDir.dir, threads: 1 });
  });
  afterAll(async () => {
    await plain?.close();
    await layout?.close();
    for (const d of [plainDir.dir, layoutDir.dir])
      if (d) await fsp.rm(d, { recursive: true, force: true });
  });

  it("are the same values on both layouts, for SQL and for Logs Insights", async () => {
    const insights = request(
      "logs-insights",
      "fields userIdentity.sessionContext.webIdFederationData.attributes.email_verified as v, userIdentity.sessionContext.webIdFederationData.attributes.iat as iat",
    );
    const sql = request(
      "sql",
      "SELECT useridentity.sessioncontext.webidfederationdata.attributes['email_verified'] AS v, useridentity.sessioncontext.webidfederationdata.attributes['iat'] AS iat FROM cloudtrail_logs",
    );
    for (const q of [insights, sql]) {
      expect((await plain.query(q)).rows).toEqual((await layout.query(q)).rows);
    }
    expect((await layout.query(insights)).rows).toEqual([["1", "1732096800"]]);
    expect((await layout.query(sql)).rows).toEqual([["true", "1732096800"]]);
  });

  // Trino's map subscript: "throws an error if the key is not contained in the map" (docs, map
  // functions); element_at answers NULL. DuckDB's [] answered NULL for both.
  it("fail on a key the map lacks, as Athena's [] does; element_at answers NULL", async () => {
    const attributes = "useridentity.sessioncontext.webidfederationdata.attributes";
    const sql = (select: string) => request("sql", `SELECT ${select} FROM cloudtrail_logs`);
    for (const engine of [plain, layout]) {
      await expect(engine.query(sql(`${attributes}['aud']`))).rejects.toThrow(
        /INVALID_FUNCTION_ARGUMENT: Key not present in map: aud/,
      );
      const lenient = await engine.query(
        sql(`element_at(${attributes}, 'aud') AS a, ${attributes}['iat'] AS iat`),
      );
      expect(lenient.rows).toEqual([[null, "1732096800"]]);
      // A NULL key: NULL, not an error.
      expect((await engine.query(sql(`${attributes}[NULL] AS k`))).rows).toEqual([[null]]);
    }
  });
});

describe("a layout file that changes between two engines of one process", () => {
  it("is read as it is now, whatever the first engine learned of it", async () => {
    const dir = await tempDir("run-md-layout-change-");
    dirs.push(dir);
    const folder = path.join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01");
    await fsp.mkdir(folder, { recursive: true });
    const file = path.join(folder, "111122223333_CloudTrail_us-east-1_20240101T0000Z_x.json");
    const event = (i: number) => ({
      eventVersion: "1.08",
      eventTime: `2024-01-01T00:0${i}:00Z`,
      eventSource: "iam.amazonaws.com",
      eventName: `Call${i}`,
      awsRegion: "us-east-1",
      eventID: `00000000-0000-4000-8000-00000000000${i}`,
      recipientAccountId: "111122223333",
    });
    const count = async () => {
      const engine = await createLocalEngine({ logDir: dir, threads: 1 });
      try {
        const r = await engine.query(
          request("sql", "SELECT count(*) AS n, max(eventname) AS last FROM cloudtrail_logs"),
        );
        return r.rows[0];
      } finally {
        await engine.close();
      }
    };
    await fsp.writeFile(file, JSON.stringify({ Records: [event(1), event(2)] }));
    expect(await count()).toEqual([2, "Call2"]);
    // The same path, now JSON lines of three events (no longer a Records document).
    await fsp.writeFile(
      file,
      [event(3), event(4), event(5)].map((e) => JSON.stringify(e)).join("\n"),
    );
    expect(await count()).toEqual([3, "Call5"]);
    // And a Records document again, of one event.
    await fsp.writeFile(file, JSON.stringify({ Records: [event(6)] }));
    expect(await count()).toEqual([1, "Call6"]);
    // JSON lines of the same size, its modification time set back (as cp -p or tar would).
    const at = new Date("2024-01-02T00:00:00Z");
    await fsp.writeFile(file, JSON.stringify({ Records: [event(7)] }));
    await fsp.utimes(file, at, at);
    const before = await fsp.stat(file);
    expect(await count()).toEqual([1, "Call7"]);
    await fsp.writeFile(file, JSON.stringify(event(8)).padEnd(before.size, " "));
    await fsp.utimes(file, at, at);
    const after = await fsp.stat(file);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(await count()).toEqual([1, "Call8"]);
  });
});

describe("other export shapes", () => {
  const event = (id: string, name: string) => ({
    eventVersion: "1.08",
    eventID: id,
    eventTime: "2026-11-20T10:00:00Z",
    eventSource: "cloudtrail.amazonaws.com",
    eventName: name,
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
  });

  it("reads `aws cloudtrail lookup-events` output, each event from its CloudTrailEvent text", async () => {
    const dir = await tempDir("run-md-lookup-");
    dirs.push(dir);
    // The shape of the CLI's output: the event's own JSON is a string in CloudTrailEvent.
    const entry = (id: string, name: string) => ({
      EventId: id,
      EventName: name,
      ReadOnly: "false",
      CloudTrailEvent: JSON.stringify(event(id, name)),
    });
    await fsp.writeFile(
      path.join(dir, "lookup.json"),
      JSON.stringify({ Events: [entry("a", "StopLogging"), entry("b", "DeleteTrail")] }),
    );
    const engine = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      const r = await engine.query(
        request("sql", "SELECT eventid, eventname FROM cloudtrail_logs ORDER BY eventid"),
      );
      expect(r.rows).toEqual([
        ["a", "StopLogging"],
        ["b", "DeleteTrail"],
      ]);
      expect(r.unread).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it("reads lookup-events entries from their CloudTrailEvent wherever they are: a bare array, one a line", async () => {
    const dir = await tempDir("run-md-lookup-bare-");
    dirs.push(dir);
    const entry = (id: string) => ({
      EventId: id,
      EventName: "ConsoleLogin",
      CloudTrailEvent: JSON.stringify({
        ...event(id, "ConsoleLogin"),
        sourceIPAddress: "203.0.113.9",
        userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111122223333:user/${id}` },
      }),
    });
    // `aws cloudtrail lookup-events --query Events`, and entries one a line.
    await fsp.writeFile(path.join(dir, "bare.json"), JSON.stringify([entry("e"), entry("f")]));
    await fsp.writeFile(path.join(dir, "lines.jsonl"), `${JSON.stringify(entry("g"))}\n`);
    // A metadata document with a lower-case "records" count is no event file, and no loss.
    await fsp.writeFile(path.join(dir, "meta.json"), JSON.stringify({ records: 310 }));
    const engine = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      const r = await engine.query(
        request(
          "sql",
          "SELECT eventid, useridentity.arn, sourceipaddress FROM cloudtrail_logs ORDER BY 1",
        ),
      );
      expect(r.rows).toEqual(
        ["e", "f", "g"].map((id) => [id, `arn:aws:iam::111122223333:user/${id}`, "203.0.113.9"]),
      );
      expect(r.unread).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it("names as unread a file whose Records is no list, or whose CloudTrailEvent does not parse", async () => {
    const dir = await tempDir("run-md-shapes-");
    dirs.push(dir);
    await fsp.writeFile(path.join(dir, "one.json"), JSON.stringify({ Records: event("c", "X") }));
    await fsp.writeFile(
      path.join(dir, "cut.json"),
      JSON.stringify({ Events: [{ EventId: "d", CloudTrailEvent: '{"eventID": "d", ' }] }),
    );
    const engine = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      const r = await engine.query(request("sql", "SELECT count(*) FROM cloudtrail_logs"));
      expect(r.unread).toEqual(["cut.json", "one.json"]);
      expect(r.warnings).toEqual(
        expect.arrayContaining([
          'skipped one.json: its "Records" is not a list of events',
          "skipped cut.json: malformed JSON in the CloudTrailEvent of event 1",
        ]),
      );
    } finally {
      await engine.close();
    }
  });
});
