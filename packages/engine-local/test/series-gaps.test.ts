/**
 * One account's region of the delivery layout without files on days when the others have them:
 * a region whose deliveries stopped, or whose folder was not synced, read as a quiet region (a
 * step over it passed `rows == 0` without a word: the window's days each had some file). The
 * truth is which hourly files the test writes, and which it leaves out.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { seriesGaps } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { hourlyDeliveries, idOf, tempDir, window } from "./helpers.ts";

let root: string;
const engines: LocalEngine[] = [];

/** Hourly delivery files of a series (`prefix`: its account's folder) for the days. */
function deliver(prefix: string, region: string, days: string[]): Promise<void> {
  return hourlyDeliveries(
    (day) => path.join(root, prefix, "CloudTrail", region, "2024/03", day),
    region,
    days,
  );
}

beforeAll(async () => {
  root = await tempDir("run-md-series-gaps-");
  await deliver("AWSLogs/111122223333", "us-east-1", ["01", "02", "03", "04"]);
  // us-west-2 delivered on the 1st and the 4th, nothing on the 2nd and the 3rd.
  await deliver("AWSLogs/111122223333", "us-west-2", ["01", "04"]);
  // An organization trail's member account that stopped after the 2nd.
  await deliver("AWSLogs/o-abc123/222233334444", "us-east-1", ["01", "02"]);
  // A region used once: one file on the 1st, nothing after (no gap: it delivers now and then).
  const once = path.join(root, "AWSLogs/111122223333/CloudTrail/ap-south-1/2024/03/01");
  await fsp.mkdir(once, { recursive: true });
  await fsp.writeFile(
    path.join(once, "x_CloudTrail_ap-south-1_20240301T1050Z_0.json.gz"),
    zlib.gzipSync(
      JSON.stringify({
        Records: [{ eventID: "once", eventTime: "2024-03-01T10:40:00Z", awsRegion: "ap-south-1" }],
      }),
    ),
  );
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function result(from: string, to: string, sql: string) {
  const e = await createLocalEngine({ logDir: root, threads: 1 });
  engines.push(e);
  return e.query(queryRequest("sql", sql, window(from, to)));
}

describe("an account's region without files on days others have them", () => {
  it("is named in the step's warnings, with from when the window is not read", async () => {
    const r = await result(
      "2024-03-01T00:00:00Z",
      "2024-03-05T00:00:00Z",
      "SELECT count(*) FROM cloudtrail_logs WHERE awsregion = 'us-west-2' AND day(from_iso8601_timestamp(eventtime)) IN (2, 3)",
    );
    // Nothing of us-west-2 was read on the 2nd and the 3rd: the answer 0 is no finding.
    expect(r.rows).toEqual([[0]]);
    expect(r.warnings).toEqual([
      "the window's days 2024-03-02..2024-03-03 (UTC) have no log file of us-west-2 of account 111122223333, which delivered about 24 files a day on its other days, while other regions, accounts or trails have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer",
      "the window's days 2024-03-03..2024-03-04 (UTC) have no log file of us-east-1 of account 222233334444, which delivered about 24 files a day on its other days, while other regions, accounts or trails have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer",
    ]);
    // From the gap that lasts to the window's end (account 222233334444's, from the 3rd; its
    // folder would hold the 2nd's last hour's events): us-west-2 delivered again on the 4th, and
    // reading its gap again on a later night would find nothing new.
    expect(r.notReadFrom).toBe("2024-03-02T23:00:00.000Z");
  });

  it("is not named where every series has its files (the region used once among them)", async () => {
    const r = await result(
      "2024-03-01T00:00:00Z",
      "2024-03-02T00:00:00Z",
      "SELECT count(*) FROM cloudtrail_logs",
    );
    // 24 files of three series on the 1st, and the one of ap-south-1.
    expect([r.rows, r.warnings, r.notReadFrom]).toEqual([[[73]], [], undefined]);
  });

  it("needs the series' own rate to make a day without a file unlikely", () => {
    const w = window("2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z");
    const file = (region: string, day: string, n: number) =>
      `AWSLogs/1/CloudTrail/${region}/2024/03/${day}/f${n}.json.gz`;
    const busy = Array.from({ length: 24 }, (_, i) => [file("a", "01", i), file("a", "02", i)]);
    // Five files on the 1st: five a day, so a day without one is not unlikely enough.
    const few = Array.from({ length: 5 }, (_, i) => file("b", "01", i));
    expect(seriesGaps(w, [...busy.flat(), ...few], Date.now())).toEqual({
      warnings: [],
      from: undefined,
    });
    // Six on the 1st: the 2nd without one is named.
    const six = [...few, file("b", "01", 5)];
    expect(seriesGaps(w, [...busy.flat(), ...six], Date.now()).warnings).toEqual([
      expect.stringMatching(
        /^the window's day 2024-03-02 \(UTC\) has no log file of b of account 1,/,
      ),
    ]);
    // A day no series has a file on is gapWarning's, not repeated per series.
    const alone = Array.from({ length: 24 }, (_, i) => file("a", "01", i));
    expect(seriesGaps(w, alone, Date.now()).warnings).toEqual([]);
  });

  it("judges a day with one or two files as one without, never the series' first day (a mutation audit)", () => {
    const w = window("2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z");
    const file = (region: string, day: string, n: number) =>
      `AWSLogs/1/CloudTrail/${region}/2024/03/${day}/f${n}.json.gz`;
    const files = (region: string, day: string, n: number) =>
      Array.from({ length: n }, (_, i) => file(region, day, i));
    const busy = ["01", "02", "03"].flatMap((d) => files("a", d, 24));
    // b: 24, 2, 24 files: 50 in three days, about 17 a day; two where 17 are expected is a gap.
    const two = [...files("b", "01", 24), ...files("b", "02", 2), ...files("b", "03", 24)];
    expect(seriesGaps(w, [...busy, ...two], Date.now())).toEqual({
      warnings: [
        expect.stringMatching(
          /^the window's day 2024-03-02 \(UTC\) has no log file \(or one or two\) of b of account 1, which delivered about 17 files a day /,
        ),
      ],
      from: undefined, // b delivered again on the 3rd
    });
    // Three files are no stray file.
    const three = [...files("b", "01", 24), ...files("b", "02", 3), ...files("b", "03", 24)];
    expect(seriesGaps(w, [...busy, ...three], Date.now()).warnings).toEqual([]);
    // Two files on b's first day: a region first used late that day had no file to miss.
    const late = [...files("b", "01", 2), ...files("b", "02", 24), ...files("b", "03", 24)];
    expect(seriesGaps(w, [...busy, ...late], Date.now()).warnings).toEqual([]);
  });

  it("names five series and counts the others", () => {
    const w = window("2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z");
    const files = (region: string, day: string) =>
      Array.from(
        { length: 24 },
        (_, i) => `AWSLogs/1/CloudTrail/${region}/2024/03/${day}/f${i}.json.gz`,
      );
    const busy = ["01", "02", "03"].flatMap((d) => files("a", d));
    // Seven regions without a file on the 2nd.
    const quiet = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"].flatMap((r) => [
      ...files(r, "01"),
      ...files(r, "03"),
    ]);
    const { warnings } = seriesGaps(w, [...busy, ...quiet], Date.now());
    expect(warnings).toHaveLength(6);
    expect(
      warnings
        .slice(0, 5)
        .every((x) => x.startsWith("the window's day 2024-03-02 (UTC) has no log file of r")),
    ).toBe(true);
    expect(warnings[5]).toBe(
      "2 more regions or accounts have days of the window without a log file while others have files",
    );
  });

  it("judges the day still being delivered by the series' files of its first hours on other days", () => {
    // A nightly window: 24 hours ending an hour before a job at 03:00 UTC. The 7th's folder
    // holds what was delivered by 03:00; its first two hours are in the window.
    const w = window("2026-12-06T02:00:00Z", "2026-12-07T02:00:00Z");
    const now = Date.parse("2026-12-07T03:00:00Z");
    const file = (region: string, day: string, h: number, m: number) => {
      const t = `202612${day}T${String(h).padStart(2, "0")}${String(m).padStart(2, "0")}Z`;
      return `AWSLogs/1/CloudTrail/${region}/2026/12/${day}/1_CloudTrail_${region}_${t}_a${h}x${m}.json.gz`;
    };
    const fiveMinutes = (region: string, day: string, from: number, to: number) =>
      Array.from({ length: (to - from) * 12 }, (_, i) =>
        file(region, day, from + Math.floor(i / 12), (i % 12) * 5),
      );
    const busy = [...fiveMinutes("a", "06", 0, 24), ...fiveMinutes("a", "07", 0, 3)];
    // A region used from 08:00 to 18:00 (120 files on the 6th): none in the 7th's first hours
    // is its night, not a gap.
    const office = fiveMinutes("b", "06", 8, 18);
    expect(seriesGaps(w, [...busy, ...office], now)).toEqual({ warnings: [], from: undefined });
    // A region delivering every five minutes of the 6th and none of the 7th is named.
    const stopped = fiveMinutes("c", "06", 0, 24);
    const r = seriesGaps(w, [...busy, ...office, ...stopped], now);
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^the window's day 2026-12-07 \(UTC\) has no log file of c of account 1,/,
      ),
    ]);
    expect(r.from).toBe("2026-12-06T23:00:00.000Z");
    // Files whose names give no time: the day still being delivered is not judged.
    const untimed = Array.from(
      { length: 288 },
      (_, i) => `AWSLogs/1/CloudTrail/d/2026/12/06/f${i}.json.gz`,
    );
    expect(seriesGaps(w, [...busy, ...untimed], now).warnings).toEqual([]);
  });

  it("is not named before its first file in the window (an account made, a region first used)", async () => {
    // An organization's account made on the 3rd: files on the 3rd and the 4th only.
    await deliver("AWSLogs/o-abc123/333344445555", "eu-west-1", ["03", "04"]);
    const r = await result(
      "2024-03-01T00:00:00Z",
      "2024-03-05T00:00:00Z",
      "SELECT count(*) FROM cloudtrail_logs",
    );
    // Every file written is read: 24 events a day of 10 series' days, and the one of ap-south-1.
    expect(r.rows).toEqual([[241]]);
    expect(r.warnings.filter((w) => w.includes("333344445555"))).toEqual([]);
    expect(r.notReadFrom).toBe("2024-03-02T23:00:00.000Z");
  });

  it("judges a day with one or two files as one without, by the chance of so few", () => {
    const w = window("2026-11-01T00:00:00Z", "2026-11-07T00:00:00Z");
    const file = (region: string, day: string, k: number) => {
      const t = `${String(Math.floor(k / 12)).padStart(2, "0")}${String((k % 12) * 5).padStart(2, "0")}`;
      return `AWSLogs/1/CloudTrail/${region}/2026/11/${day}/1_CloudTrail_${region}_202611${day}T${t}Z_a${k}.json.gz`;
    };
    const everyFive = (region: string, days: string[]) =>
      days.flatMap((d) => Array.from({ length: 288 }, (_, k) => file(region, d, k)));
    const days = ["01", "02", "03", "04", "05", "06"];
    const busy = everyFive("a", days);
    // b: every five minutes to the 5th, then one stray file on the 6th at 08:20.
    const b = [...everyFive("b", days.slice(0, 5)), file("b", "06", 100)];
    // c: stopped at 23:57 on the 5th, its last file delivered at 00:00 on the 6th.
    const c = [...everyFive("c", days.slice(0, 5)), file("c", "06", 0)];
    // d: three files on the 6th: more than a stray file, the day is not named.
    const d = [...everyFive("d", days.slice(0, 5)), ...[0, 1, 2].map((k) => file("d", "06", k))];
    const r = seriesGaps(w, [...busy, ...b, ...c, ...d], Date.parse("2026-12-07T00:00:00Z"));
    expect(r.warnings.map((x) => x.slice(0, x.indexOf(", which")))).toEqual([
      "the window's day 2026-11-06 (UTC) has no log file (or one or two) of b of account 1",
      "the window's day 2026-11-06 (UTC) has no log file (or one or two) of c of account 1",
    ]);
    expect(r.from).toBe("2026-11-05T23:00:00.000Z");
    // Five files a day: one on a day is not unlikely enough.
    const few = [1, 2, 3, 4, 5].flatMap((i) =>
      days.slice(0, 5).map((day) => file("e", day, i * 40)),
    );
    expect(
      seriesGaps(w, [...busy, ...few, file("e", "06", 3)], Date.parse("2026-12-07T00:00:00Z"))
        .warnings,
    ).toEqual([]);
  });

  it("holds no nightly window back for a region used on weekdays' office hours", () => {
    const pad = (n: number) => String(n).padStart(2, "0");
    // us-east-1 every five minutes; eu-west-1 from 08:00 to 18:00 UTC, Monday to Friday.
    const files = (upTo: number) => {
      const out: string[] = [];
      for (let t = Date.parse("2026-11-01T00:00:00Z"); t < upTo; t += 300_000) {
        const d = new Date(t);
        const day = `2026/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
        const at = `${day.replaceAll("/", "")}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
        const name = (r: string) =>
          `AWSLogs/1/CloudTrail/${r}/${day}/1_CloudTrail_${r}_${at}_a.json.gz`;
        out.push(name("us-east-1"));
        const weekday = d.getUTCDay() % 6 !== 0;
        if (weekday && d.getUTCHours() >= 8 && d.getUTCHours() < 18) out.push(name("eu-west-1"));
      }
      return out;
    };
    // Two weeks of a nightly job at 03:00 UTC: a 24-hour window ending an hour before it, from
    // where the previous night's was not known to be read (a week back at most; nightly.md).
    let record: number | undefined;
    const held: string[] = [];
    for (
      let job = Date.parse("2026-11-10T03:00:00Z");
      job < Date.parse("2026-11-24T03:00:00Z");
      job += 86_400_000
    ) {
      const end = job - 3_600_000;
      let start = end - 86_400_000;
      if (record !== undefined && record < start) start = Math.max(record, end - 7 * 86_400_000);
      const r = seriesGaps(
        window(new Date(start).toISOString(), new Date(end).toISOString()),
        files(job),
        job,
      );
      record = r.from === undefined ? end : Date.parse(r.from);
      if (r.from !== undefined) held.push(new Date(job).toISOString());
    }
    // Before, every night was held back (its office hours' rate named the day's first hours,
    // then the weekend between its files), re-reading up to a week each night.
    expect(held).toEqual([]);
  });

  it("is named in the middle of a region's days, but only a gap to the window's end is not read", () => {
    const w = window("2024-03-01T00:00:00Z", "2024-03-07T00:00:00Z");
    const file = (region: string, day: string, n: number) =>
      `AWSLogs/1/CloudTrail/${region}/2024/03/${day}/f${n}.json.gz`;
    const hourly = (region: string, days: string[]) =>
      days.flatMap((d) => Array.from({ length: 24 }, (_, i) => file(region, d, i)));
    const all = ["01", "02", "03", "04", "05", "06"];
    // b: quiet on the 3rd and the 4th (a weekend, or its logging off a while), files after.
    const middle = [...hourly("a", all), ...hourly("b", ["01", "02", "05", "06"])];
    const r = seriesGaps(w, middle, Date.parse("2024-04-01T00:00:00Z"));
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^the window's days 2024-03-03\.\.2024-03-04 \(UTC\) have no log file of b /,
      ),
    ]);
    expect(r.from).toBeUndefined();
    // c: the same gap, then nothing to the end: not read from the 3rd (an hour before).
    const trailing = [...middle, ...hourly("c", ["01", "02"])];
    expect(seriesGaps(w, trailing, Date.parse("2024-04-01T00:00:00Z")).from).toBe(
      "2024-03-02T23:00:00.000Z",
    );
  });
});

describe("two trails delivering one account's region", () => {
  const file = (under: string, day: string, n: number) =>
    `${under}/111122223333/CloudTrail/us-east-1/2024/03/${day}/111122223333_CloudTrail_us-east-1_202403${day}T${String(n).padStart(2, "0")}50Z_${idOf(under)}${n}.json.gz`;
  const hourly = (under: string, days: string[]) =>
    days.flatMap((d) => Array.from({ length: 24 }, (_, i) => file(under, d, i)));
  const w = window("2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z");
  const later = Date.parse("2024-04-01T00:00:00Z");

  it("names the one that stopped while the other goes on (a data events trail's StopLogging)", async () => {
    const dir = await tempDir("run-md-two-trails-");
    const deliverUnder = (under: string, days: string[]) =>
      hourlyDeliveries(
        (day) => path.join(dir, under, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03", day),
        "us-east-1",
        days,
      );
    await deliverUnder("management", ["01", "02", "03", "04"]);
    await deliverUnder("data-events", ["01", "02"]);
    const e = await createLocalEngine({ logDir: dir, threads: 1 });
    engines.push(e);
    const r = await e.query(
      queryRequest(
        "sql",
        "SELECT count(*) FROM cloudtrail_logs",
        window("2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z"),
      ),
    );
    // Every file written is read: 24 events a day, 4 days of one trail and 2 of the other.
    expect(r.rows).toEqual([[144]]);
    expect(r.warnings).toEqual([
      `the window's days 2024-03-03..2024-03-04 (UTC) have no log file of us-east-1 of account 111122223333 under ${dir}/data-events/AWSLogs/, which delivered about 24 files a day on its other days, while other regions, accounts or trails have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer`,
    ]);
    expect(r.notReadFrom).toBe("2024-03-02T23:00:00.000Z");
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("is one series where its folders never share a day (a store's keys, the raw files' paths)", () => {
    // The store's days (its keys under the bucket's prefix) and the raw files' (whole paths) of
    // the days the store lacks: one trail spelled two ways.
    const files = [
      ...hourly("trail/AWSLogs", ["01", "02"]),
      ...hourly("/srv/logs/AWSLogs", ["03", "04"]),
    ];
    expect(seriesGaps(w, files, later)).toEqual({ warnings: [], from: undefined });
  });

  it("is one series where a day was synced into two dated folders, one up to a time and one after", () => {
    // The 2nd's files up to 11:50 in the first sync's folder, from 11:50 on in the second's.
    const first = [
      ...hourly("sync-1/AWSLogs", ["01"]),
      ...hourly("sync-1/AWSLogs", ["02"]).slice(0, 12),
    ];
    const second = [
      ...hourly("sync-2/AWSLogs", ["02"]).slice(11),
      ...hourly("sync-2/AWSLogs", ["03", "04"]),
    ];
    expect(seriesGaps(w, [...first, ...second], later)).toEqual({ warnings: [], from: undefined });
    // Two hours of the 2nd in both: side by side, two trails (the first stopped after the 2nd).
    const overlap = [
      ...first,
      ...hourly("sync-2/AWSLogs", ["02"]).slice(10),
      ...hourly("sync-2/AWSLogs", ["03", "04"]),
    ];
    expect(seriesGaps(w, overlap, later).warnings).toEqual([
      expect.stringMatching(
        /^the window's days 2024-03-03\.\.2024-03-04 \(UTC\) have no log file of us-east-1 of account 111122223333 under sync-1\/AWSLogs\/, /,
      ),
    ]);
  });

  it("keeps one trail spelled two ways one series beside a second trail (a store's keys, the raw files' paths, and a data events trail)", () => {
    // The management trail: the store's keys on the 1st and 2nd, the raw files' on the 3rd and
    // 4th; the data events trail beside it every day. Neither stopped.
    const files = [
      ...hourly("trail/AWSLogs", ["01", "02"]),
      ...hourly("/srv/logs/AWSLogs", ["03", "04"]),
      ...hourly("data/AWSLogs", ["01", "02", "03", "04"]),
    ];
    expect(seriesGaps(w, files, later)).toEqual({ warnings: [], from: undefined });
    // The data events trail stopped after the 2nd, and the raw files could continue either
    // trail: both are named (one of them stopped), never neither.
    const stopped = [
      ...hourly("trail/AWSLogs", ["01", "02"]),
      ...hourly("/srv/logs/AWSLogs", ["03", "04"]),
      ...hourly("data/AWSLogs", ["01", "02"]),
    ];
    const days =
      "the window's days 2024-03-03..2024-03-04 (UTC) have no log file of us-east-1 of account 111122223333";
    expect(seriesGaps(w, stopped, later)).toEqual({
      warnings: [
        expect.stringContaining(`${days} under data/AWSLogs/, `),
        expect.stringContaining(`${days} under trail/AWSLogs/, `),
      ],
      from: "2024-03-02T23:00:00.000Z",
    });
    // The management trail's raw files beside the data events trail on the 3rd: they continue
    // the store's keys, the one trail they do not deliver beside; the data events trail stopped.
    const after = [
      ...hourly("trail/AWSLogs", ["01", "02"]),
      ...hourly("/srv/logs/AWSLogs", ["03", "04"]),
      ...hourly("data/AWSLogs", ["01", "02", "03"]),
    ];
    expect(seriesGaps(w, after, later).warnings).toEqual([
      expect.stringContaining(
        "the window's day 2024-03-04 (UTC) has no log file of us-east-1 of account 111122223333 under data/AWSLogs/, ",
      ),
    ]);
  });

  it("are two series, not one a day, when each was synced from its CloudTrail/ prefix (aws s3 sync s3://b/AWSLogs/<account>/CloudTrail/ ./management/)", () => {
    // Outside the layout (no <account>/CloudTrail/ folders), a file's folder is its day's
    // (management/us-east-1/2024/03/01/): one trail's days are one series, whatever their folder.
    const synced = (under: string, days: string[]) =>
      days.flatMap((d) =>
        Array.from(
          { length: 24 },
          (_, i) =>
            `${under}/us-east-1/2024/03/${d}/111122223333_CloudTrail_us-east-1_202403${d}T${String(i).padStart(2, "0")}50Z_${idOf(under)}${i}.json.gz`,
        ),
      );
    const both = [
      ...synced("management", ["01", "02", "03", "04"]),
      ...synced("data-events", ["01", "02", "03", "04"]),
    ];
    // Both delivered every hour of every day: nothing stopped.
    expect(seriesGaps(w, both, later)).toEqual({ warnings: [], from: undefined });
    // The data events trail stopped after the 2nd: it is named, by the folder it was synced to.
    const stopped = [
      ...synced("management", ["01", "02", "03", "04"]),
      ...synced("data-events", ["01", "02"]),
    ];
    expect(seriesGaps(w, stopped, later)).toEqual({
      warnings: [
        expect.stringMatching(
          /^the window's days 2024-03-03\.\.2024-03-04 \(UTC\) have no log file of us-east-1 of account 111122223333 under data-events\/, /,
        ),
      ],
      from: "2024-03-02T23:00:00.000Z",
    });
  });

  it("counts a delivery copied under a second folder once (a bucket synced twice, into two folders)", () => {
    // The first sync took the 1st and the 2nd; the second, into a new folder, copied them again
    // (the same files: their names) and went on. Nothing stopped.
    const first = hourly("sync-1/AWSLogs", ["01", "02"]);
    const second = [
      ...first.map((f) => f.replace(/^sync-1\//, "sync-2/")),
      ...hourly("sync-2/AWSLogs", ["03", "04"]),
    ];
    expect(seriesGaps(w, [...first, ...second], later)).toEqual({ warnings: [], from: undefined });
    // Files of other names beside the first sync's on the 1st and 2nd: a second trail, stopped.
    const beside = [...first, ...hourly("sync-2/AWSLogs", ["01", "02", "03", "04"])];
    expect(seriesGaps(w, beside, later).warnings).toEqual([
      expect.stringContaining(
        "have no log file of us-east-1 of account 111122223333 under sync-1/AWSLogs/, ",
      ),
    ]);
  });

  it("reads a delivery copied under a second folder once, and says so", async () => {
    const dir = await tempDir("run-md-copies-");
    const day = (under: string) => (d: string) =>
      path.join(dir, under, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03", d);
    await hourlyDeliveries(day("sync-1"), "us-east-1", ["01", "02"]);
    await fsp.cp(path.join(dir, "sync-1"), path.join(dir, "sync-2"), { recursive: true });
    await hourlyDeliveries(day("sync-2"), "us-east-1", ["03", "04"]);
    const e = await createLocalEngine({ logDir: dir, threads: 1 });
    engines.push(e);
    const sql = "SELECT count(*), count(DISTINCT eventid) FROM cloudtrail_logs";
    const r = await e.query(queryRequest("sql", sql, w));
    // 24 events a day over 4 days, each once (the 48 copies of the 1st and 2nd not counted).
    expect(r.rows).toEqual([[96, 96]]);
    const copy = "sync-2/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/";
    expect(r.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^48 delivery files are copies of files under another folder \\(the same name, size and content: the logs synced twice\\), read once: ${copy}\\S+ of sync-1/`,
        ),
      ),
    ]);
    // One copy that is not the file delivered (another size): both read, and said.
    const [name] = (await fsp.readdir(path.join(dir, copy))).sort();
    await fsp.writeFile(
      path.join(dir, copy, name as string),
      zlib.gzipSync(
        JSON.stringify({ Records: [{ eventID: "x", eventTime: "2024-03-01T00:20:00Z" }] }),
      ),
    );
    const again = await e.query(queryRequest("sql", sql, w));
    expect(again.rows).toEqual([[97, 97]]);
    expect(again.warnings).toContainEqual(
      `${copy}${name} and sync-1/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/${name} have one delivery's name but not its size (one of them is not the file CloudTrail delivered): both read, and the events in both counted twice`,
    );
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("names an organization trail's account that stopped beside the account's own trail", () => {
    const files = [
      ...hourly("AWSLogs", ["01", "02", "03", "04"]),
      ...hourly("AWSLogs/o-abc123", ["01"]),
    ];
    expect(seriesGaps(w, files, later).warnings).toEqual([
      expect.stringMatching(
        /^the window's days 2024-03-02\.\.2024-03-04 \(UTC\) have no log file of us-east-1 of account 111122223333 under AWSLogs\/o-abc123\/, /,
      ),
    ]);
  });
});
