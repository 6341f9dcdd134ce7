/**
 * The keys of a trail's deliveries under the Athena table's S3 location, for the window's days,
 * read by listing (ListObjectsV2), never by a query: core's `seriesGaps` then names an account's
 * region without files on days when the others have them, as on the local engine. Athena reads
 * what the location holds: a region whose trail stopped delivering (or an account an organization
 * trail no longer logs) reads as a quiet region, and a `rows == 0` check passed over it.
 *
 * From the location (the template of a projected table cut before its first `${`, else the
 * table's `location`), the walk goes down a trail's key prefix and the delivery layout
 * (`[<prefix>/][AWSLogs/][o-<org>/]<account>/CloudTrail/<region>/`) by delimiter listing, keeping the
 * configured accounts and regions, then lists each region's folder of each day of the window.
 */
import { ListObjectsV2Command, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import {
  dayRangesShown,
  gapStart,
  gapWarning,
  layoutSeries,
  mapLimit,
  seriesGaps,
  type TimeWindow,
  windowDays,
} from "@run-md/core";
import { ACCOUNT, ENUM_KEYS, locationFixes, projectionEnabled, REGION } from "./coverage.ts";

/** The keys listed, or why they were not. */
export type Deliveries =
  | {
      keys: string[];
      /**
       * The keys of the window's days of the regions' folders the table's enum projection or its
       * location leaves out where no configured account or region does: files Athena never reads.
       */
      unprojected?: string[];
      /** The first folder above `AWSLogs/` not walked for a trail's prefix (PREFIX_FOLDERS). */
      unwalked?: string;
    }
  | { skipped: string };

/** Listings a step's check may take (each a request of ListObjectsV2, $0.005 per thousand). */
export const MAX_LISTINGS = 3000;
/**
 * Folders above `AWSLogs/` walked for a trail's S3 key prefix (a few, one to three levels deep):
 * a table at a bucket's root over other data too (a data lake's dated folders) must not spend
 * MAX_LISTINGS on it, which left the check of its `AWSLogs/` undone (review). Past them, the folders
 * not walked are said.
 */
export const PREFIX_FOLDERS = 100;
/** Listings sent at once. */
const PARALLEL = 16;

const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;

/** Where the table's files lie (`s3://bucket/prefix/`), from its parameters; undefined if not S3. */
export function tableLocation(
  params: Record<string, string>,
): { bucket: string; prefix: string } | undefined {
  const template = params["storage.location.template"];
  const text = template?.includes("${")
    ? template.slice(0, template.indexOf("${"))
    : (template ?? params.location);
  const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(text?.trim() ?? "");
  if (!m) return undefined;
  // The folder the text names: a template cut inside a name (`.../CloudTrail/x${region}`) is cut
  // back to its last whole folder.
  const rest = m[2] ?? "";
  const prefix = rest.slice(0, rest.lastIndexOf("/") + 1);
  return { bucket: m[1] as string, prefix: template?.includes("${") ? prefix : withSlash(rest) };
}

const withSlash = (p: string) => (p === "" || p.endsWith("/") ? p : `${p}/`);

/** The last folder of a prefix (`a/b/` → `b`). */
const lastFolder = (p: string) => p.split("/").at(-2) ?? "";

/** The accounts and regions the listing keeps to (configured) or the table reads (projected). */
export interface Limits {
  regions?: string[];
  accounts?: string[];
}

interface Walk extends Limits {
  s3: S3Client;
  bucket: string;
  signal: AbortSignal;
  /** Requests sent so far. */
  sent: number;
  /** Folders above the layout walked so far (PREFIX_FOLDERS), and the first one not walked. */
  prefixes: number;
  unwalked?: string;
}

/** One listing of `prefix`, every page: its subfolders (with `/`) or its keys. */
async function list(w: Walk, prefix: string, folders: boolean): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    if (++w.sent > MAX_LISTINGS) throw new TooMany();
    const page = await w.s3.send(
      new ListObjectsV2Command({
        Bucket: w.bucket,
        Prefix: prefix,
        ...(folders ? { Delimiter: "/" } : {}),
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
      { abortSignal: w.signal },
    );
    const names = folders
      ? (page.CommonPrefixes ?? []).map((p) => p.Prefix)
      : (page.Contents ?? []).map((o) => o.Key);
    for (const n of names) if (n !== undefined) out.push(n);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

class TooMany extends Error {}

/** Whether a folder's name is one of the delivery layout's above the regions. */
const ofLayout = (name: string) =>
  name === "AWSLogs" || name === "CloudTrail" || ORGANIZATION.test(name) || ACCOUNT.test(name);

/**
 * Whether a folder leads on to regions' folders: one of the layout (an account only if asked
 * for), or a trail's S3 key prefix above `AWSLogs/` (`cloudtrail/org/AWSLogs/...` under a table
 * at the bucket's root: a CloudTrail table reads every file under its location, so the folders
 * above the layout are trails' prefixes, not other data).
 */
function leadsOn(w: Walk, folder: string): boolean {
  const name = lastFolder(folder);
  if (ACCOUNT.test(name)) return w.accounts === undefined || w.accounts.includes(name);
  return ofLayout(name) || !folder.split("/").some(ofLayout);
}

/** Whether a folder is a region's of the layout (`.../CloudTrail/<region>/`), one asked for. */
function isRegionFolder(w: Walk, folder: string): boolean {
  const parts = folder.split("/");
  const region = parts.at(-2) ?? "";
  return (
    parts.at(-3) === "CloudTrail" &&
    REGION.test(region) &&
    (w.regions === undefined || w.regions.includes(region))
  );
}

/** Levels walked down from the location: the layout's five and a trail prefix's (MAX_LISTINGS bounds the cost). */
const MAX_DEPTH = 10;

/** The regions' folders below `prefix`, at most MAX_DEPTH levels down. */
async function regionFolders(w: Walk, prefix: string): Promise<string[]> {
  if (isRegionFolder(w, prefix)) return [prefix];
  const found: string[] = [];
  let level = [prefix];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const folders of await inParallel(level, (p) => list(w, p, true))) {
      for (const f of folders) {
        if (isRegionFolder(w, f)) found.push(f);
        else if (!leadsOn(w, f)) continue;
        else if (ofLayout(lastFolder(f))) next.push(f);
        else if (w.prefixes < PREFIX_FOLDERS) {
          w.prefixes++;
          next.push(f);
        } else w.unwalked ??= f;
      }
    }
    level = next;
  }
  return found;
}

/**
 * `fn` over the items, PARALLEL at a time, in order. The first failure ends the listing (core's
 * `mapLimit`): a refused or throttled bucket answered each of the rest for nothing, up to
 * MAX_LISTINGS requests.
 */
const inParallel = <T, R>(items: T[], fn: (item: T) => Promise<R>) => mapLimit(items, PARALLEL, fn);

/** Whether a region's folder (`.../<account>/CloudTrail/<region>/`) is of what `read` keeps. */
function isRead(folder: string, read: Limits): boolean {
  const parts = folder.split("/");
  const [account, region] = [parts.at(-4) ?? "", parts.at(-2) ?? ""];
  return (
    (read.regions === undefined || read.regions.includes(region)) &&
    (read.accounts === undefined || !ACCOUNT.test(account) || read.accounts.includes(account))
  );
}

/**
 * The delivery keys of the window's days under the location; `skipped` says why not (a refused
 * or failed listing, more than MAX_LISTINGS requests, `signal` ended). The walk keeps to
 * `limits`; the keys of a region's folder outside `read` (what the table's projection reads)
 * are `unprojected`.
 */
export async function listDeliveries(
  s3: S3Client,
  location: { bucket: string; prefix: string },
  window: TimeWindow,
  limits: Limits & { signal: AbortSignal },
  read: Limits = {},
): Promise<Deliveries> {
  const w: Walk = { s3, bucket: location.bucket, sent: 0, prefixes: 0, ...limits };
  try {
    const regions = await regionFolders(w, location.prefix);
    const days = windowDays(window).map((d) => `${d.day}/`);
    if (regions.length * days.length + w.sent > MAX_LISTINGS) throw new TooMany();
    const listed = async (some: string[]) => {
      const folders = some.flatMap((r) => days.map((d) => `${r}${d}`));
      return (await inParallel(folders, (f) => list(w, f, false))).flat();
    };
    const keys = await listed(regions.filter((r) => isRead(r, read)));
    const unprojected = await listed(regions.filter((r) => !isRead(r, read)));
    return {
      keys,
      ...(unprojected.length === 0 ? {} : { unprojected }),
      ...(w.unwalked === undefined ? {} : { unwalked: w.unwalked }),
    };
  } catch (e) {
    if (e instanceof TooMany) {
      return {
        skipped: `the window's days of its accounts' regions take more than ${MAX_LISTINGS} listings (name athena.accounts and athena.regions, or a shorter window)`,
      };
    }
    if (limits.signal.aborted) return { skipped: "the listing took too long" };
    const name = e instanceof Error && e.name !== "Error" ? `${e.name}: ` : "";
    return { skipped: `ListObjectsV2: ${name}${e instanceof Error ? e.message : String(e)}` };
  }
}

/** How long a listing serves the steps over the same window (a run's steps share one). */
export const LISTING_KEPT_MS = 60_000;
/** How long a listing may take; the steps wait for it after their query. */
const LISTING_TIMEOUT_MS = 30_000;

/** What the check says of a step's window: warnings, and from when it is not known to be read. */
export type DeliveryGaps = { warnings: string[]; notReadFrom?: string };

/**
 * The series check of an engine: its S3 client (made on first use) and the answers of the
 * recent windows, shared by the steps running at once (the keys listed are dropped once
 * counted: a week of an organization's trail is a million). Never throws: what could not be
 * listed is one warning.
 */
export class DeliveryCheck {
  private s3: S3Client | undefined;
  private readonly kept = new Map<string, { at: number; gaps: Promise<DeliveryGaps> }>();

  /**
   * `limits`: the configured accounts and regions the listing keeps to; `scoped`, which of them
   * the query keeps to as well (athena.partitioning `bootstrap` filters both, `manual` the
   * regions): a listing narrowed by the others is of some of what the query reads.
   */
  constructor(
    private readonly config: () => S3ClientConfig,
    private readonly limits: { regions?: string[]; accounts?: string[] },
    private readonly scoped: { regions: boolean; accounts: boolean } = {
      regions: true,
      accounts: true,
    },
  ) {}

  /** The warnings naming the window's series gaps under the table's location, and `notReadFrom`. */
  gaps(
    params: Record<string, string>,
    window: TimeWindow,
    now: number,
    table = "the table",
    partitionKeys: string[] = [],
  ): Promise<DeliveryGaps> {
    const location = tableLocation(params);
    if (location === undefined) return Promise.resolve({ warnings: [] });
    const limits = readLimits(this.limits, params);
    const projected = projectedValues(params);
    const listed = { start: window.start, end: new Date(Math.min(window.end.getTime(), now)) };
    // A window ending after now is listed up to now: its steps' keys name it open, not by
    // their own now (each step listed it again; seriesGaps judges it up to now less the lag).
    const end = window.end.getTime() > now ? "open" : listed.end.toISOString();
    const key = `${location.bucket}/${location.prefix}|${listed.start.toISOString()}|${end}|${limits.accounts?.join(",") ?? "*"}|${limits.regions?.join(",") ?? "*"}`;
    const known = this.kept.get(key);
    if (known !== undefined && now - known.at < LISTING_KEPT_MS) return known.gaps;
    for (const [k, v] of this.kept) if (now - v.at >= LISTING_KEPT_MS) this.kept.delete(k);
    this.s3 ??= new S3Client(this.config());
    // The configured accounts and regions are walked, and those of them the projection or the
    // location leaves out named: a table projecting us-east-1 over a trail of every region (or
    // Athena's guide's table, at one region's folder) read none of the rest.
    const wide = widened(location, params, partitionKeys, this.limits);
    // A location's fixed region comes with no enum of regions (`${region}` is not written out).
    const read = wide === undefined ? limits : { ...limits, ...wide.read };
    const shown = [projected.shown, wide?.shown].filter((t) => t).join(", ");
    // Listing what the table leaves out too is more: refused, or past MAX_LISTINGS (an
    // organization's bucket under a table of some accounts), the table's own part is listed.
    const beyond = wide !== undefined || projected.shown !== "";
    const s3 = this.s3;
    const run = (at: { bucket: string; prefix: string }, walk: Limits) =>
      listDeliveries(
        s3,
        at,
        listed,
        { ...walk, signal: AbortSignal.timeout(LISTING_TIMEOUT_MS) },
        read,
      );
    const gaps = (async () => {
      let at = wide?.location ?? location;
      let d = await run(at, this.limits);
      const notes: string[] = [];
      if (beyond && "skipped" in d) {
        notes.push(
          `whether accounts or regions ${table}'s location or partition projection leaves out (${shown}) delivered files in the window that Athena does not read could not be checked (${d.skipped}): name the accounts and regions the runbooks mean in athena.accounts and athena.regions, or give the runner's role s3:ListBucket on s3://${at.bucket}/${at.prefix}`,
        );
        at = location;
        d = await run(at, limits);
      }
      const found = gapsOf(d, at, window, now, this.whole());
      const out = withUnprojected(found, d, { location: at, window, table, shown });
      return { ...out, warnings: [...out.warnings, ...notes] };
    })();
    this.kept.set(key, { at: now, gaps });
    return gaps;
  }

  /**
   * Whether a listing holds every file the query reads: no configured account or region narrows
   * it that the query does not keep to (a table without region partitions reads every region
   * however athena.regions is set).
   */
  private whole(): boolean {
    return (
      (this.limits.regions === undefined || this.scoped.regions) &&
      (this.limits.accounts === undefined || this.scoped.accounts)
    );
  }

  close(): void {
    this.s3?.destroy();
  }
}

/**
 * The accounts and regions the table reads: the configured ones (`athena.accounts`,
 * `athena.regions`), and of those only the values of an `enum` projection of the template's
 * `${account}` or `${region}` (coverage.ts names the configured ones it lacks). A region or account
 * the table never reads is not its gap: an organization bucket's other accounts were listed,
 * named when they stopped (with `notReadFrom`), and past MAX_LISTINGS left the check undone.
 */
function readLimits(configured: Limits, params: Record<string, string>): Limits {
  const out = { ...configured };
  for (const [wanted, values] of Object.entries(projectedValues(params).limits)) {
    const before = out[wanted as keyof Limits];
    out[wanted as keyof Limits] =
      before === undefined ? values : before.filter((v) => values.includes(v));
  }
  return out;
}

/**
 * The accounts and regions an enum projection of the location's template reads, and the
 * properties that say so (`'projection.region.values' = 'us-east-1'`).
 */
function projectedValues(params: Record<string, string>): { limits: Limits; shown: string } {
  const limits: Limits = {};
  const shown: string[] = [];
  if (!projectionEnabled(params)) return { limits, shown: "" };
  const template = params["storage.location.template"] ?? "";
  for (const [key, wanted] of Object.entries(ENUM_KEYS)) {
    if ((params[`projection.${key}.type`] ?? "").trim().toLowerCase() !== "enum") continue;
    if (!template.includes(`\${${key}}`)) continue;
    const text = params[`projection.${key}.values`] ?? "";
    // Untrimmed: "any white space is considered part of an enum value" (Athena's guide), so
    // `us-east-1, us-west-2` projects no folder of us-west-2, as coverage.ts reads it too.
    limits[wanted] = text.split(",");
    shown.push(`'projection.${key}.values' = '${text}'`);
  }
  return { limits, shown: shown.join(", ") };
}

/**
 * The folder above the account and region the table's location writes out (coverage.ts
 * `locationFixes`: `.../AWSLogs/<account>/CloudTrail/us-east-1/${timestamp}`), where the trail's
 * other accounts and regions lie, and what the table reads there; undefined when the location
 * fixes none that no configured list names (those are the configured ones' warnings).
 */
function widened(
  location: { bucket: string; prefix: string },
  params: Record<string, string>,
  partitionKeys: string[],
  configured: Limits,
): { location: { bucket: string; prefix: string }; read: Limits; shown: string } | undefined {
  const fixes = locationFixes(params, partitionKeys);
  if (fixes === undefined) return undefined;
  const read: Limits = {};
  if (fixes.region !== undefined && configured.regions === undefined) {
    read.regions = [fixes.region];
  }
  if (fixes.account !== undefined && configured.accounts === undefined) {
    read.accounts = [fixes.account];
  }
  if (read.regions === undefined && read.accounts === undefined) return undefined;
  const parts = location.prefix.split("/");
  const logs = parts.indexOf("AWSLogs");
  if (logs < 0) return undefined;
  const upTo = ORGANIZATION.test(parts[logs + 1] ?? "") ? logs + 2 : logs + 1;
  return {
    location: { bucket: location.bucket, prefix: `${parts.slice(0, upTo).join("/")}/` },
    read,
    shown: `'${fixes.key}' = '${fixes.text}'`,
  };
}

/** The accounts' regions outside the table named one by one; the others are counted. */
const SERIES_SHOWN = 5;

/**
 * The answer with a warning for each account's region that delivered files on the window's days
 * the table's enum projection or location leaves out (`Deliveries.unprojected`; SERIES_SHOWN
 * named, the others counted), from the window's start.
 */
function withUnprojected(
  found: DeliveryGaps,
  listed: Deliveries,
  where: {
    location: { bucket: string; prefix: string };
    window: TimeWindow;
    table: string;
    shown: string;
  },
): DeliveryGaps {
  if ("skipped" in listed || listed.unprojected === undefined) return found;
  const bySeries = new Map<string, { files: number; days: Set<string> }>();
  for (const key of listed.unprojected) {
    const s = layoutSeries(key);
    if (s === null) continue;
    const seen = bySeries.get(s.series) ?? { files: 0, days: new Set<string>() };
    seen.files++;
    seen.days.add(s.day);
    bySeries.set(s.series, seen);
  }
  if (bySeries.size === 0) return found;
  const { location, window, table, shown } = where;
  const all = [...bySeries];
  const under = `s3://${location.bucket}/${location.prefix}`;
  const warnings = all.slice(0, SERIES_SHOWN).map(([series, { files, days }]) => {
    const one = days.size === 1;
    return `${files} delivery ${files === 1 ? "file" : "files"} of ${series} on the window's ${one ? "day" : "days"} ${dayRangesShown([...days].sort())} (UTC), under ${under}, are of an account or region ${table}'s location or partition projection leaves out (${shown}): Athena reads none of them, without an error; add it to the projection's values, or name the accounts and regions the runbooks mean in athena.accounts and athena.regions`;
  });
  const rest = all.slice(SERIES_SHOWN);
  if (rest.length > 0) {
    const files = rest.reduce((n, [, s]) => n + s.files, 0);
    warnings.push(
      `and ${rest.length} more accounts' regions with ${files} delivery files on the window's days under ${under}, which ${table}'s location or partition projection leaves out too: Athena reads none of them`,
    );
  }
  const starts = [found.notReadFrom, window.start.toISOString()].filter((t) => t !== undefined);
  return { warnings: [...found.warnings, ...warnings], notReadFrom: starts.sort()[0] as string };
}

/**
 * The answer of a listing: the series gaps of its keys, or the warning that it was not made.
 * The window's days without any file are named only from a listing of everything the query reads
 * (`whole`): a day of no file in the configured regions can be a day of events in the others.
 */
function gapsOf(
  listed: Deliveries,
  location: { bucket: string; prefix: string },
  window: TimeWindow,
  now: number,
  whole: boolean,
): DeliveryGaps {
  if ("skipped" in listed) {
    return {
      warnings: [
        `whether every account's region under s3://${location.bucket}/${location.prefix} delivered files over the window could not be checked (${listed.skipped}): one that stopped delivering would read as quiet; the runner's role needs s3:ListBucket on the trail's bucket`,
      ],
    };
  }
  // Days without any file (a lifecycle rule's expiry, a bucket's days not replicated), told as
  // the local engine tells its files' (a window that reaches them has events on its other days:
  // a listing without any key of the layout is a table of some other files, or no events).
  const days = new Set(
    whole ? listed.keys.map((k) => layoutSeries(k)?.day).filter((d) => d !== undefined) : [],
  );
  const gap = days.size === 0 ? undefined : gapWarning(window, days, now);
  const { warnings: series, from } = seriesGaps(window, listed.keys, now);
  const warnings =
    listed.unwalked === undefined
      ? series
      : [
          ...series,
          `the folders under s3://${location.bucket}/${location.prefix} above AWSLogs/ are more than ${PREFIX_FOLDERS}, and those from s3://${location.bucket}/${listed.unwalked} on were not walked for a trail's prefix: a region of a trail there that stopped delivering would read as quiet; set the table's LOCATION to the trail's prefix`,
        ];
  const starts = [days.size === 0 ? undefined : gapStart(window, days, now), from];
  const notReadFrom = starts.filter((t) => t !== undefined).sort()[0];
  return {
    warnings: gap === undefined ? warnings : [gap, ...warnings],
    ...(notReadFrom === undefined ? {} : { notReadFrom }),
  };
}
