/**
 * What a table's partition projection leaves out of a window: the window's days outside a `date`
 * projection's range, and the configured regions or accounts outside an `enum` projection's
 * values. Athena projects no partition there and reads nothing, without an error (Athena's
 * partition projection guide, "How to use the date type": dates of the query before the range
 * are ignored), so a `rows == 0` check would pass over logs never read. Pure functions over the
 * table's parameters (GetTableMetadata's `Parameters`); the engine reads them once per table.
 */
import {
  DELIVERY_LAG_MS,
  dayRangesShown,
  deliveryDays,
  slashDate,
  slashDayStart,
  type TimeWindow,
} from "@run-md/core";

const DAY_MS = 86_400_000;

/** What the check found: the warnings of the step, and from when its window is not read. */
export interface Coverage {
  warnings: string[];
  notReadFrom?: string;
}

/** The table's parameters as GetTableMetadata gives them (`projection.*`, ...). */
export type TableParameters = Record<string, string>;

/** The partitions the engine filters on, by scheme, with what the configuration names for them. */
export interface Configured {
  regions?: string[];
  accounts?: string[];
}

/**
 * A region's name in every partition (`us-east-1`, `us-gov-west-1`, `cn-north-1`, the European
 * Sovereign Cloud's `eusc-de-east-1`): a region folder this does not take is not listed, and its
 * stop not named.
 */
export const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;
export const ACCOUNT = /^\d{12}$/;

/** Whether the table's partitions are projected (`projection.enabled` = true). */
export function projectionEnabled(params: TableParameters): boolean {
  return (params["projection.enabled"] ?? "").trim().toLowerCase() === "true";
}

/** `NOW`, `NOW-3YEARS`, `NOW + 1 MONTH`: Athena's relative dates of a `date` range. */
const RELATIVE = /^\s*NOW\s*(?:([+-])\s*(\d+)\s*(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?\s*)?$/i;

const UNIT_MS: Record<string, number> = {
  WEEK: 7 * DAY_MS,
  DAY: DAY_MS,
  HOUR: 3_600_000,
  MINUTE: 60_000,
  SECOND: 1000,
};

/** A relative date of a range at `now` (ms), or undefined when the text is not one. */
function relative(text: string, now: number): number | undefined {
  const m = RELATIVE.exec(text);
  if (!m) return undefined;
  if (m[1] === undefined) return now;
  const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  const unit = m[3]!.toUpperCase();
  if (unit === "YEAR" || unit === "MONTH") {
    const d = new Date(now);
    if (unit === "YEAR") d.setUTCFullYear(d.getUTCFullYear() + n);
    else d.setUTCMonth(d.getUTCMonth() + n);
    return d.getTime();
  }
  return now + n * UNIT_MS[unit]!;
}

/** The Java date pattern letters a CloudTrail table's format uses, as digits to read. */
const FIELDS: Record<string, { group: string; digits: number }> = {
  yyyy: { group: "y", digits: 4 },
  MM: { group: "M", digits: 2 },
  dd: { group: "d", digits: 2 },
  HH: { group: "H", digits: 2 },
  mm: { group: "m", digits: 2 },
  ss: { group: "s", digits: 2 },
};

/**
 * A date of the range written in the projection's format (`yyyy/MM/dd`), as UTC ms; undefined
 * for a format with other pattern letters (`MMM`, `a`, ...) or a text that does not match it.
 */
export function parseFormatted(text: string, format: string): number | undefined {
  let pattern = "";
  const seen = new Set<string>();
  for (let i = 0; i < format.length; ) {
    const field = Object.keys(FIELDS).find((f) => format.startsWith(f, i));
    if (field !== undefined) {
      const { group, digits } = FIELDS[field]!;
      if (seen.has(group)) return undefined;
      seen.add(group);
      pattern += `(?<${group}>\\d{${digits}})`;
      i += field.length;
      continue;
    }
    const c = format[i]!;
    if (/[A-Za-z']/.test(c)) return undefined; // a pattern letter this check does not read
    pattern += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    i++;
  }
  const g = new RegExp(`^${pattern}$`).exec(text.trim())?.groups;
  if (!g || g.y === undefined) return undefined;
  const n = (k: string, d: number) => (g[k] === undefined ? d : Number(g[k]));
  const t = Date.UTC(n("y", 0), n("M", 1) - 1, n("d", 1), n("H", 0), n("m", 0), n("s", 0));
  // 2023/02/30 is not a day Athena reads either: refuse it rather than roll it over.
  const back = new Date(t);
  if (back.getUTCMonth() !== n("M", 1) - 1 || back.getUTCDate() !== n("d", 1)) return undefined;
  return t;
}

/** A `date` projection's range at `now`: its first and last instants (inclusive), in ms. */
export function dateRange(
  params: TableParameters,
  column: string,
  now: number,
): { start: number; end: number } | string {
  const key = `projection.${column}.range`;
  const range = params[key];
  const format = params[`projection.${column}.format`];
  if (range === undefined || format === undefined) {
    return `the table has no '${key}' or '${`projection.${column}.format`}'`;
  }
  const parts = range.split(",");
  if (parts.length !== 2) return `'${key}' = '${range}' is not two dates`;
  const [start, end] = parts.map((p) => relative(p, now) ?? parseFormatted(p, format));
  if (start === undefined || end === undefined) {
    return `'${key}' = '${range}' is not read as dates of the format '${format}' or NOW±n UNITS`;
  }
  return { start, end };
}

/**
 * The window's partition days (its delivery days, as the engine's partition predicate reads them)
 * that CloudTrail can have delivered by `now`.
 */
function partitionDays(w: TimeWindow, now: number): string[] {
  const { first, last } = deliveryDays(w);
  const days: string[] = [];
  for (let t = slashDayStart(first).getTime(); t <= slashDayStart(last).getTime(); t += DAY_MS) {
    if (t > now) break; // nothing delivered there yet, projected or not
    days.push(slashDate(new Date(t)));
  }
  return days;
}

/** The projection's `date` columns among the table's partition keys. */
function dateColumns(params: TableParameters, partitionKeys: string[]): string[] {
  return partitionKeys.filter(
    (k) => (params[`projection.${k}.type`] ?? "").trim().toLowerCase() === "date",
  );
}

/**
 * The text a partition day (`yyyy/MM/dd`) has for a manual table's year, month and day keys: as
 * the delivery layout's folders and the engine's partition predicate write it (`05`, not `5`).
 */
const DAY_PARTS: Record<string, (day: string) => string> = {
  year: (d) => d.slice(0, 4),
  month: (d) => d.slice(5, 7),
  day: (d) => d.slice(8, 10),
};

/**
 * An `integer` (`projection.<key>.range` = `2020,2025`, written with `projection.<key>.digits`)
 * or `enum` (`projection.<key>.values` = `01,02,...`) projection of a year, month or day: which
 * texts it projects (Athena writes the integer 5 as `5` unless its digits are 2: no folder
 * `.../2026/11/5/` exists, nor a partition `day = '05'`), and how to name it; a text when it
 * cannot be read; undefined for another type (`injected` and the like: not checked).
 */
function numberProjection(
  params: TableParameters,
  key: string,
): { holds: (text: string) => boolean; shown: string } | string | undefined {
  const type = (params[`projection.${key}.type`] ?? "").trim().toLowerCase();
  if (type === "integer") {
    const prop = `projection.${key}.range`;
    const range = params[prop] ?? "";
    const [lo, hi, ...rest] = range
      .split(",")
      .map((v) => (v.trim() === "" ? Number.NaN : Number(v)));
    if (rest.length > 0 || !Number.isInteger(lo) || !Number.isInteger(hi)) {
      return `'${prop}' = '${range}' is not two integers`;
    }
    const digitsProp = `projection.${key}.digits`;
    const digits = Number(params[digitsProp] ?? "0") || 0;
    const width = key === "year" ? 4 : 2;
    const unpadded = digits < width && lo! < 10 ** (width - 1);
    return {
      holds: (text) => {
        const n = Number(text);
        return n >= lo! && n <= hi! && String(n).padStart(digits, "0") === text;
      },
      shown: `'${prop}' = '${range}'${unpadded ? `, written without '${digitsProp}' = '${width}'` : ""}`,
    };
  }
  if (type === "enum") {
    const prop = `projection.${key}.values`;
    const values = params[prop] ?? "";
    const texts = new Set(values.split(",").map((v) => v.trim()));
    return { holds: (text) => texts.has(text), shown: `'${prop}' = '${values}'` };
  }
  return undefined;
}

/** Which configured values each enum partition key filters on, by the key's name. */
export const ENUM_KEYS: Record<string, keyof Configured> = {
  region_partition: "regions",
  account_partition: "accounts",
  region: "regions",
  account: "accounts",
};

/**
 * What the projection of `table` (its `params` and partition keys) leaves out of window `w` at
 * `now`: the days outside a `date` column's range, named, and configured regions or accounts
 * outside an `enum` column's values; with the instant from which the window is not read (an hour
 * before the first such day, its folder holding the hour before it too, or the window's start).
 * Nothing for a table without projection (its partitions are added by ALTER TABLE or a crawler:
 * `partitionGaps` judges those).
 */
export function projectionCoverage(
  table: string,
  params: TableParameters,
  partitionKeys: string[],
  w: TimeWindow,
  configured: Configured,
  now: number,
): Coverage {
  if (!projectionEnabled(params)) return { warnings: [] };
  const warnings: string[] = [];
  const from: number[] = [];
  const days = partitionDays(w, now);
  for (const column of dateColumns(params, partitionKeys)) {
    const range = dateRange(params, column, now);
    if (typeof range === "string") {
      warnings.push(
        `whether the partition projection of ${table} covers the window's days could not be checked: ${range}`,
      );
      continue;
    }
    const rangeText = params[`projection.${column}.range`];
    // A day's partition is projected when the range holds its first instant (a daily format's
    // dates are days; a range's NOW at 10:00 holds today).
    const before = days.filter((d) => slashDayStart(d).getTime() + DAY_MS <= range.start);
    const after = days.filter((d) => slashDayStart(d).getTime() > range.end);
    for (const [outside, where] of [
      [before, "before the start"],
      [after, "after the end"],
    ] as const) {
      if (outside.length === 0) continue;
      const which = outside.length === 1 ? "day" : "days";
      const lie = outside.length === 1 ? "lies" : "lie";
      warnings.push(
        `the window's ${which} ${dayRangesShown(outside)} (UTC) ${lie} ${where} of ${table}'s partition projection range ('projection.${column}.range' = '${rangeText}'): Athena projects no partition there and reads nothing of ${outside.length === 1 ? "it" : "them"}, without an error; set the range to cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer`,
      );
      from.push(slashDayStart(outside[0]!).getTime() - DELIVERY_LAG_MS);
    }
  }
  for (const key of partitionKeys) {
    const part = DAY_PARTS[key];
    if (part === undefined) continue;
    const projected = numberProjection(params, key);
    if (projected === undefined) continue;
    if (typeof projected === "string") {
      warnings.push(
        `whether the partition projection of ${table} covers the window's days could not be checked: ${projected}`,
      );
      continue;
    }
    const outside = days.filter((d) => !projected.holds(part(d)));
    if (outside.length === 0) continue;
    const one = outside.length === 1;
    warnings.push(
      `the window's ${one ? "day" : "days"} ${dayRangesShown(outside)} (UTC) ${one ? "lies" : "lie"} outside ${table}'s partition projection of ${key} (${projected.shown}): Athena projects no partition there and reads nothing of ${one ? "it" : "them"}, without an error; make the projection cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer`,
    );
    from.push(slashDayStart(outside[0]!).getTime() - DELIVERY_LAG_MS);
  }
  for (const key of partitionKeys) {
    const wanted = ENUM_KEYS[key];
    if (wanted === undefined) continue;
    if ((params[`projection.${key}.type`] ?? "").trim().toLowerCase() !== "enum") continue;
    const values = new Set((params[`projection.${key}.values`] ?? "").split(","));
    const missing = (configured[wanted] ?? []).filter((v) => !values.has(v));
    if (missing.length === 0) continue;
    warnings.push(
      `the configured ${missing.length === 1 ? wanted.slice(0, -1) : wanted} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not among ${table}'s projected values of ${key} ('projection.${key}.values'): Athena projects no partition for ${missing.length === 1 ? "it" : "them"} and reads nothing of ${missing.length === 1 ? "it" : "them"} in the whole window, without an error; add ${missing.length === 1 ? "it" : "them"} to the values before trusting an empty answer`,
    );
    from.push(w.start.getTime());
  }
  if (from.length === 0) return { warnings };
  const first = Math.max(w.start.getTime(), Math.min(...from));
  return { warnings, notReadFrom: new Date(first).toISOString() };
}

/**
 * The account and region a table's location fixes: the folders written out (no `${...}`) around
 * `CloudTrail/` in the delivery layout, `AWSLogs/[o-org/]<account>/CloudTrail/<region>/`. Read from
 * what bounds every file the table reads: a projection's `storage.location.template` (else its
 * `location`), or the `location` of a table without partitions. Undefined for a table whose
 * partitions may each lie anywhere (ALTER TABLE ADD PARTITION ... LOCATION, a crawler's).
 */
export function locationFixes(
  params: TableParameters,
  partitionKeys: string[],
): { key: string; text: string; account?: string; region?: string } | undefined {
  const projected = projectionEnabled(params);
  if (!projected && partitionKeys.length > 0) return undefined;
  const template = projected ? params["storage.location.template"] : undefined;
  const key = template === undefined ? "location" : "storage.location.template";
  const text = template ?? params.location;
  if (text === undefined) return undefined;
  const parts = text.replace(/^s3a?:\/\/[^/]*\/?/, "").split("/");
  // The layout's CloudTrail/ is the one after AWSLogs/ (a prefix may be named CloudTrail too).
  const logs = parts.indexOf("AWSLogs");
  const at = logs < 0 ? -1 : parts.indexOf("CloudTrail", logs + 1);
  if (at < 0) return undefined;
  const account = parts[at - 1] ?? "";
  const region = parts[at + 1] ?? "";
  return {
    key,
    text,
    ...(ACCOUNT.test(account) ? { account } : {}),
    ...(REGION.test(region) ? { region } : {}),
  };
}

/**
 * The configured regions and accounts (`athena.regions`, `athena.accounts`) that the table's
 * location leaves out (`locationFixes`): Athena's CloudTrail guide's projection table reads one
 * account's one region (`.../AWSLogs/<account>/CloudTrail/<region>/${timestamp}`), so a region
 * configured beside it is never read, without an error, over the whole window.
 */
export function locationCoverage(
  table: string,
  params: TableParameters,
  partitionKeys: string[],
  w: TimeWindow,
  configured: Configured,
): Coverage {
  const fixes = locationFixes(params, partitionKeys);
  if (fixes === undefined) return { warnings: [] };
  const warnings: string[] = [];
  for (const [wanted, value] of [
    ["regions", fixes.region],
    ["accounts", fixes.account],
  ] as const) {
    if (value === undefined) continue;
    const missing = (configured[wanted] ?? []).filter((v) => v !== value);
    if (missing.length === 0) continue;
    const one = missing.length === 1;
    warnings.push(
      `the configured ${one ? wanted.slice(0, -1) : wanted} ${missing.join(", ")} ${one ? "lies" : "lie"} outside the location of ${table} ('${fixes.key}' = '${fixes.text}', ${wanted.slice(0, -1)} ${value} only): Athena reads no file of ${one ? "it" : "them"} in the whole window, without an error; point the table at the trail's AWSLogs/ folder (partition projection over account and region) before trusting an empty answer`,
    );
  }
  return warnings.length === 0 ? { warnings } : { warnings, notReadFrom: w.start.toISOString() };
}

/** The partition keys that name a day, a region and an account, as the engine's scopes write them. */
const DAY_KEYS = ["date_partition", "timestamp"];
const REGION_KEYS = ["region", "region_partition"];
const ACCOUNT_KEYS = ["account", "account_partition"];

/** A partition's values by key, from Hive's name `k1=v1/k2=v2` (its `%XX` escapes undone). */
function partitionValues(name: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const part of name.split("/")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const undo = (s: string) =>
      s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) =>
        String.fromCharCode(Number.parseInt(h, 16)),
      );
    values.set(undo(part.slice(0, eq)).toLowerCase(), undo(part.slice(eq + 1)));
  }
  return values;
}

/**
 * The partition day (`yyyy/MM/dd`) a partition's values name, as the engine's partition
 * predicate compares them (text: `year = '2026' AND month = '11' AND day = '05'`, or
 * `date_partition` / `"timestamp"` = `'2026/11/05'`); undefined when the keys name no day.
 * `asNumbers`: a query without a partition predicate (`partitioning: none`) reads every
 * partition, so `month=11/day=5` is the 5th's too.
 */
function dayReader(
  keys: string[],
  asNumbers = false,
): ((v: Map<string, string>) => string | undefined) | undefined {
  if (["year", "month", "day"].every((k) => keys.includes(k))) {
    const part = (v: Map<string, string>, k: string, digits: number) => {
      const text = v.get(k) ?? "";
      return asNumbers && /^\d{1,4}$/.test(text) ? text.padStart(digits, "0") : text;
    };
    return (v) => `${part(v, "year", 4)}/${part(v, "month", 2)}/${part(v, "day", 2)}`;
  }
  const key = DAY_KEYS.find((k) => keys.includes(k));
  return key === undefined ? undefined : (v) => v.get(key);
}

/** A partition of the listing: its values by key, and the partition day they name. */
type Listed = { v: Map<string, string>; day: string };

/**
 * The series of `inSeries` under the keys no configuration names (`free`: the table's region or
 * account key, undefined when configured or absent), by their values: what each holds and its
 * first day.
 */
function freeSeries(
  inSeries: Listed[],
  free: { account?: string | undefined; region?: string | undefined },
): Map<string, { account?: string; region?: string; held: Set<string>; first: string }> {
  const out = new Map<
    string,
    { account?: string; region?: string; held: Set<string>; first: string }
  >();
  if (free.account === undefined && free.region === undefined) return out;
  for (const p of inSeries) {
    const account = free.account === undefined ? undefined : p.v.get(free.account);
    const region = free.region === undefined ? undefined : p.v.get(free.region);
    const id = `${account ?? ""}|${region ?? ""}`;
    let s = out.get(id);
    if (s === undefined) {
      s = {
        ...(account === undefined ? {} : { account }),
        ...(region === undefined ? {} : { region }),
        held: new Set(),
        first: p.day,
      };
      out.set(id, s);
    }
    s.held.add(p.day);
    if (p.day < s.first) s.first = p.day;
  }
  return out;
}

/**
 * The window's partition days (up to `now`) that a table without projection has no partition
 * for, from its partitions' names (SHOW PARTITIONS: `region=us-east-1/year=2026/month=11/day=05`):
 * Athena reads nothing of a day whose partition was never added (a partition job that failed one
 * night, a region never added), without an error. Per configured region and account when the
 * table has a key for them (`region`/`region_partition`, `account`/`account_partition`: the
 * series the query keeps to), else the day in any; and, under a key no configuration names (the
 * query reads every region), each of the listing's series that holds a partition in the window,
 * from its first listed day, for the days the others hold (second review, 2026-12-07: a region
 * whose partition the job missed one night was read as held by the other regions). Nothing for
 * keys that name no day (a crawler's `partition_0`): which days they hold is not known.
 */
export function partitionGaps(
  table: string,
  partitionNames: string[],
  partitionKeys: string[],
  w: TimeWindow,
  configured: Configured,
  now: number,
  /** Whether the query reads every partition (`partitioning: none`): values compared as numbers. */
  readsEvery = false,
): Coverage {
  const dayOf = dayReader(partitionKeys, readsEvery);
  if (dayOf === undefined) return { warnings: [] };
  const regionKey = REGION_KEYS.find((k) => partitionKeys.includes(k));
  const accountKey = ACCOUNT_KEYS.find((k) => partitionKeys.includes(k));
  const accounts = accountKey === undefined ? [undefined] : (configured.accounts ?? [undefined]);
  const regions = regionKey === undefined ? [undefined] : (configured.regions ?? [undefined]);
  const listed: Listed[] = [];
  for (const name of partitionNames) {
    const v = partitionValues(name);
    const day = dayOf(v);
    if (day !== undefined) listed.push({ v, day });
  }
  const days = partitionDays(w, now);
  const warnings: string[] = [];
  const from: number[] = [];
  const note = (missing: string[], account: string | undefined, region: string | undefined) => {
    if (missing.length === 0) return;
    const of = [
      ...(account === undefined ? [] : [`account ${account}`]),
      ...(region === undefined ? [] : [`region ${region}`]),
    ].join(", ");
    const one = missing.length === 1;
    warnings.push(
      `the window's ${one ? "day" : "days"} ${dayRangesShown(missing)} (UTC) ${one ? "has" : "have"} no partition${of === "" ? "" : ` of ${of}`} in ${table} (SHOW PARTITIONS): Athena reads nothing of ${one ? "it" : "them"}${of === "" ? "" : " there"}, without an error; add the missing partitions (ALTER TABLE ... ADD PARTITION, or rerun the job or crawler that adds them) before trusting an empty answer`,
    );
    from.push(slashDayStart(missing[0]!).getTime() - DELIVERY_LAG_MS);
  };
  for (const account of accounts) {
    for (const region of regions) {
      const inSeries = listed.filter(
        (p) =>
          (account === undefined || p.v.get(accountKey!) === account) &&
          (region === undefined || p.v.get(regionKey!) === region),
      );
      const held = new Set(inSeries.map((p) => p.day));
      note(
        days.filter((d) => !held.has(d)),
        account,
        region,
      );
      const free = {
        account: account === undefined ? accountKey : undefined,
        region: region === undefined ? regionKey : undefined,
      };
      for (const s of freeSeries(inSeries, free).values()) {
        if (!days.some((d) => s.held.has(d))) continue; // none in the window: retired, not judged
        const lacks = days.filter((d) => d >= s.first && held.has(d) && !s.held.has(d));
        note(lacks, s.account ?? account, s.region ?? region);
      }
    }
  }
  if (from.length === 0) return { warnings };
  const first = Math.max(w.start.getTime(), Math.min(...from));
  return { warnings, notReadFrom: new Date(first).toISOString() };
}

/** Whether a table's partition keys name a day that `partitionGaps` can judge. */
export function namesDays(partitionKeys: string[]): boolean {
  return dayReader(partitionKeys) !== undefined;
}
