import { describe, expect, it } from "vitest";
import {
  deliveryDays,
  futureWindowWarning,
  isSlashDay,
  resolveWindow,
  slashDate,
  slashDayFrom,
  slashDayStart,
  slashDaysBetween,
  stepWindow,
  windowDays,
  windowParams,
  windowTail,
} from "../src/window.ts";

const now = new Date("2026-11-24T10:15:30.750Z");

describe("the run's window", () => {
  it("defaults to 24h ending now, floored to the second", () => {
    const w = resolveWindow({}, undefined, now);
    expect(w.end.toISOString()).toBe("2026-11-24T10:15:30.000Z");
    expect(w.start.toISOString()).toBe("2026-11-23T10:15:30.000Z");
    expect(w.source).toBe("default 24h");
  });

  it("takes the front matter's window:", () => {
    const w = resolveWindow({}, "7d", now);
    expect(w.start.toISOString()).toBe("2026-11-17T10:15:30.000Z");
    expect(w.source).toBe("window: 7d");
  });

  it("takes every duration the parser accepts for window: (one rule for both)", () => {
    const w = resolveWindow({}, "1.5h", now);
    expect(w.start.toISOString()).toBe("2026-11-24T08:45:30.000Z");
    expect(resolveWindow({ since: "2w" }, undefined, now).start.toISOString()).toBe(
      "2026-11-10T10:15:30.000Z",
    );
  });

  it("--since wins over the front matter", () => {
    const w = resolveWindow({ since: "30m" }, "7d", now);
    expect(w.start.toISOString()).toBe("2026-11-24T09:45:30.000Z");
  });

  it("--from/--to give an explicit half-open window; a bare date is midnight UTC", () => {
    const w = resolveWindow({ from: "2026-11-01", to: "2026-11-08T00:00:00Z" }, "7d", now);
    expect(w.start.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(w.end.toISOString()).toBe("2026-11-08T00:00:00.000Z");
    const open = resolveWindow({ from: "2026-11-20T00:00:00+01:00" }, undefined, now);
    expect(open.start.toISOString()).toBe("2026-11-19T23:00:00.000Z");
    expect(open.end.toISOString()).toBe("2026-11-24T10:15:30.000Z");
  });

  it.each([
    [{ since: "yesterday" }, '--since "yesterday" is not a duration'],
    [{ since: "1d", from: "2026-11-01" }, "--since cannot be combined with --from"],
    [{ since: "1d", to: "soon" }, '--to "soon" is not an ISO-8601 instant'],
    [{ from: "2026-13-01" }, '--from "2026-13-01" is not an ISO-8601 instant'],
    [{ from: "2026-02-30" }, '--from "2026-02-30" is not an ISO-8601 instant'],
    [{ from: "2026-02-29T10:00:00Z" }, '--from "2026-02-29T10:00:00Z" is not an ISO-8601 instant'],
    [{ from: "2026-11-02", to: "2026-11-01" }, "--from 2026-11-02 is not before --to 2026-11-01"],
    [
      { from: "2026-11-01T00:00:00.500Z", to: "2026-11-01T00:00:01Z" },
      "--from 2026-11-01T00:00:00.500Z --to 2026-11-01T00:00:01Z holds no whole second",
    ],
  ])("rejects %j", (spec, message) => {
    expect(() => resolveWindow(spec, undefined, now)).toThrow(message);
  });

  it("--to without --from ends the duration there: --since, else window:, else 24h", () => {
    const at = "2026-11-20T06:00:00Z";
    const since = resolveWindow({ since: "2h", to: at }, "7d", now);
    expect([since.start.toISOString(), since.end.toISOString()]).toEqual([
      "2026-11-20T04:00:00.000Z",
      "2026-11-20T06:00:00.000Z",
    ]);
    expect(since.source).toBe(`--since 2h --to ${at}`);
    const fm = resolveWindow({ to: at }, "7d", now);
    expect(fm.start.toISOString()).toBe("2026-11-13T06:00:00.000Z");
    expect(fm.source).toBe(`window: 7d --to ${at}`);
    const dflt = resolveWindow({ to: "2026-11-20" }, undefined, now);
    expect([dflt.start.toISOString(), dflt.end.toISOString()]).toEqual([
      "2026-11-19T00:00:00.000Z",
      "2026-11-20T00:00:00.000Z",
    ]);
    // A step's own window= ends there too.
    expect(stepWindow(fm, "1h").start.toISOString()).toBe("2026-11-20T05:00:00.000Z");
  });

  it("a step's window= keeps the run's end", () => {
    const run = resolveWindow({}, "24h", now);
    const w = stepWindow(run, "30d");
    expect(w.end).toEqual(run.end);
    expect(w.start.toISOString()).toBe("2026-10-25T10:15:30.000Z");
  });

  it("under --from/--to a step's window= keeps its own length, ending at --to (docs/cli.md)", () => {
    const run = resolveWindow(
      { from: "2026-11-20T12:00:00Z", to: "2026-11-21T00:00:01Z" },
      undefined,
      now,
    );
    const w = stepWindow(run, "2d");
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual([
      "2026-11-19T00:00:01.000Z",
      "2026-11-21T00:00:01.000Z",
    ]);
  });

  it("refuses a duration that starts the window before year 1, naming the field", () => {
    // 300000000d falls outside JavaScript's dates: an Invalid Date reached the server (a 500).
    for (const [spec, fm, field] of [
      [{ since: "300000000d" }, undefined, "since"],
      [{ since: "800000d" }, undefined, "since"],
      [{}, "300000000d", "window"],
    ] as const) {
      expect(() => resolveWindow(spec, fm, now)).toThrow(
        expect.objectContaining({ code: "bad-window", details: { field } }),
      );
    }
    expect(() => stepWindow(resolveWindow({}, "24h", now), "99999999999d")).toThrow(
      /is longer than 100 years/,
    );
    // 0001-01-01 is the earliest start.
    expect(() => resolveWindow({ since: "20000d", to: "0050-01-01" }, undefined, now)).toThrow(
      /starts before the year 1/,
    );
    expect(
      resolveWindow({ since: "17800d", to: "0050-01-01" }, undefined, now).start.getUTCFullYear(),
    ).toBe(1);
  });

  it("refuses a duration whose window holds no whole second, however given, as --from/--to's", () => {
    // [end - 500 ms, end) with a whole-second end holds no CloudTrail event on any engine; Logs
    // Insights, which takes whole seconds, was asked for the second at the end (outside it).
    for (const [spec, fm, field] of [
      [{ since: "500ms" }, undefined, "since"],
      [{ since: "0.5s", to: "2026-11-24T00:00:00Z" }, undefined, "since"],
      [{ since: "600ms", to: "2026-11-24T00:00:00.900Z" }, undefined, "since"],
      [{}, "999ms", "window"],
    ] as const) {
      expect(() => resolveWindow(spec, fm, now), JSON.stringify(spec)).toThrow(
        expect.objectContaining({ code: "bad-window", details: { field } }),
      );
    }
    expect(() => stepWindow(resolveWindow({}, "24h", now), "300ms")).toThrow(
      /step window "300ms" .*holds no whole second/,
    );
    // A second or more always holds one; so does less when it spans a whole second.
    expect(resolveWindow({ since: "1s" }, undefined, now).start.toISOString()).toBe(
      "2026-11-24T10:15:29.000Z",
    );
    const spans = resolveWindow({ since: "500ms", to: "2026-11-24T00:00:00.200Z" }, undefined, now);
    expect(spans.start.toISOString()).toBe("2026-11-23T23:59:59.700Z");
  });

  it("refuses a window longer than 100 years, however given (red-team: year 1 to 9999 ran for good)", () => {
    const longest = resolveWindow({ since: "36525d" }, undefined, now);
    expect(longest.end.getTime() - longest.start.getTime()).toBe(36_525 * 86_400_000);
    for (const [spec, fm, field] of [
      [{ since: "36526d" }, undefined, "since"],
      [{}, "36526d", "window"],
      [{ from: "0001-01-01", to: "9999-12-31" }, undefined, "from"],
      [{ from: "1900-01-01" }, undefined, "from"],
    ] as const) {
      expect(() => resolveWindow(spec, fm, now)).toThrow(
        expect.objectContaining({
          code: "bad-window",
          message: expect.stringMatching(/ is longer than 100 years$/),
          details: { field },
        }),
      );
    }
    expect(() => stepWindow(resolveWindow({}, "24h", now), "40000d")).toThrow(
      'step window "40000d" is longer than 100 years',
    );
  });

  it("gives the built-in parameters of section 4", () => {
    const w = resolveWindow({ from: "2026-11-23", to: "2026-11-24" }, undefined, now);
    expect(windowParams(w)).toEqual({
      start: { type: "timestamp", value: "2026-11-23T00:00:00Z" },
      end: { type: "timestamp", value: "2026-11-24T00:00:00Z" },
      start_date: { type: "string", value: "2026/11/23" },
      end_date: { type: "string", value: "2026/11/24" },
    });
  });

  it("rounds {{start}} and {{end}} up to whole seconds: eventtime text between them is exactly the window's events", () => {
    // CloudTrail's eventtime has whole seconds. Events from 21:31:10 to 21:31:20, every second.
    const events = Array.from({ length: 11 }, (_, i) => `2024-07-30T21:31:${10 + i}Z`);
    const bounds = ["13", "13.001", "14.5", "14.999", "16", "16.5", "17.25"];
    for (const from of bounds) {
      for (const to of bounds.filter((t) => Number(t) > Number(from))) {
        const spec = { from: `2024-07-30T21:31:${from}Z`, to: `2024-07-30T21:31:${to}Z` };
        if (Math.ceil(Number(from)) >= Math.ceil(Number(to))) {
          // No whole second inside: no event can be, on any engine; refused as such.
          expect(() => resolveWindow(spec, undefined, now)).toThrow("holds no whole second");
          continue;
        }
        const w = resolveWindow(
          { from: `2024-07-30T21:31:${from}Z`, to: `2024-07-30T21:31:${to}Z` },
          undefined,
          now,
        );
        const inWindow = events.filter((e) => new Date(e) >= w.start && new Date(e) < w.end);
        const p = windowParams(w);
        const byText = events.filter(
          (e) => e >= (p.start!.value as string) && e < (p.end!.value as string),
        );
        expect(byText, `[${from}, ${to})`).toEqual(inWindow);
      }
    }
    const w = resolveWindow(
      { from: "2024-07-30T21:31:14.5Z", to: "2024-07-30T21:31:16.5Z" },
      undefined,
      now,
    );
    expect(windowParams(w)).toEqual({
      start: { type: "timestamp", value: "2024-07-30T21:31:15Z" },
      end: { type: "timestamp", value: "2024-07-30T21:31:17Z" },
      start_date: { type: "string", value: "2024/07/30" },
      end_date: { type: "string", value: "2024/07/30" },
    });
    // The window itself keeps its milliseconds (the engines scope the table with it).
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual([
      "2024-07-30T21:31:14.500Z",
      "2024-07-30T21:31:16.500Z",
    ]);
  });

  it("accepts every ISO-8601 offset form in --from and --to, and no impossible time", () => {
    const w = resolveWindow(
      { from: "2026-11-20T01:00:00+01", to: "2026-11-21T01:00:00+0100" },
      undefined,
      now,
    );
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual([
      "2026-11-20T00:00:00.000Z",
      "2026-11-21T00:00:00.000Z",
    ]);
    expect(() => resolveWindow({ from: "2026-11-20T24:00:00Z" }, undefined, now)).toThrow(
      '--from "2026-11-20T24:00:00Z" is not an ISO-8601 instant',
    );
  });
});

describe("days as the delivery layout names them (yyyy/mm/dd, UTC)", () => {
  it("names an instant's UTC day, whatever the hour", () => {
    expect(slashDate(new Date("2026-11-30T23:59:59.999Z"))).toBe("2026/11/30");
    expect(slashDate(new Date("2026-12-01T00:00:00Z"))).toBe("2026/12/01");
  });

  it("starts a day at UTC midnight, and refuses a text that names no day", () => {
    expect(slashDayStart("2024/02/29").toISOString()).toBe("2024-02-29T00:00:00.000Z");
    for (const bad of ["2023/02/29", "2026/13/01", "2026/00/05", "2026/04/31", "2026-04-01", ""]) {
      expect(isSlashDay(bad), bad).toBe(false);
      expect(() => slashDayStart(bad), bad).toThrow(/not a day of the calendar/);
    }
    for (const good of ["2024/02/29", "2026/12/31", "0099/02/28", "2026/04/30"]) {
      expect(isSlashDay(good), good).toBe(true);
    }
  });

  it("steps across months, years and leap days", () => {
    expect(slashDayFrom("2026/11/30", 1)).toBe("2026/12/01");
    expect(slashDayFrom("2026/12/31", 1)).toBe("2027/01/01");
    expect(slashDayFrom("2024/03/01", -1)).toBe("2024/02/29");
    expect(slashDayFrom("2023/03/01", -1)).toBe("2023/02/28");
    expect(slashDayFrom("2026/03/29", 0)).toBe("2026/03/29");
  });

  it("lists the days between two, both included, across a leap day and a year", () => {
    expect(slashDaysBetween("2024/02/28", "2024/03/01")).toEqual([
      "2024/02/28",
      "2024/02/29",
      "2024/03/01",
    ]);
    expect(slashDaysBetween("2026/12/31", "2027/01/01")).toEqual(["2026/12/31", "2027/01/01"]);
    expect(slashDaysBetween("2026/03/29", "2026/03/29")).toEqual(["2026/03/29"]);
    expect(slashDaysBetween("2026/03/30", "2026/03/29")).toEqual([]);
  });
});

describe("the days a window reads, and what it says of days not read (a mutation audit)", () => {
  const w = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });

  it("reads the next day's folder for events of a window's last hour, delivered after midnight", () => {
    // 23:29:59.999 + an hour of delivery lag is 00:29:59.999 on the 24th.
    expect(deliveryDays(w("2026-11-23T00:00:00Z", "2026-11-23T23:30:00Z"))).toEqual({
      first: "2026/11/23",
      last: "2026/11/24",
    });
    // The last instant of [.., 23:00) is 22:59:59.999, delivered by 23:59:59.999: the 23rd.
    expect(deliveryDays(w("2026-11-23T00:00:00Z", "2026-11-23T23:00:00Z"))).toEqual({
      first: "2026/11/23",
      last: "2026/11/23",
    });
  });

  it("a window ending at midnight touches only the days before it", () => {
    expect(windowDays(w("2026-11-22T12:00:00Z", "2026-11-24T00:00:00Z"))).toEqual([
      {
        day: "2026/11/22",
        from: Date.parse("2026-11-22T12:00:00Z"),
        to: Date.parse("2026-11-23T00:00:00Z"),
      },
      {
        day: "2026/11/23",
        from: Date.parse("2026-11-23T00:00:00Z"),
        to: Date.parse("2026-11-24T00:00:00Z"),
      },
    ]);
  });

  it("warns of a window that ends more than a minute after the step ran", () => {
    const ranAt = Date.parse("2026-11-24T10:00:00Z");
    const late = futureWindowWarning(w("2026-11-24T09:00:00Z", "2026-11-24T10:01:01Z"), ranAt);
    expect(late).toContain("the window ends at 2026-11-24T10:01:01Z, after the step ran");
    expect(late).toContain("run it again after 2026-11-24T11:01:01Z");
    expect(futureWindowWarning(w("2026-11-24T09:00:00Z", "2026-11-24T10:01:00Z"), ranAt)).toBe(
      undefined,
    );
  });

  it("has a tail only when the window reaches before the 24 hours delivered by now", () => {
    // Delivered by now (11:00): up to 10:00; its 24 hours start on the 22nd at 10:00.
    const now = Date.parse("2026-11-23T11:00:00Z");
    expect(windowTail(w("2026-11-22T10:00:00Z", "2026-11-23T10:00:00Z"), now)).toBeUndefined();
    expect(windowTail(w("2026-11-22T09:59:00Z", "2026-11-23T10:00:00Z"), now)).toEqual(
      w("2026-11-22T10:00:00Z", "2026-11-23T10:00:00Z"),
    );
  });
});
