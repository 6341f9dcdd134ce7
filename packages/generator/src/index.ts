/**
 * A deterministic generator of realistic CloudTrail logs in the S3 delivery layout
 * (`AWSLogs/111122223333/CloudTrail/<region>/yyyy/mm/dd/<account>_CloudTrail_<region>_<time>_<id>.json.gz`,
 * each file `{"Records":[...]}`). Same options and seed, same bytes. Used by tests, the benchmark
 * and the bundled sample data.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {
  ACCOUNT,
  APP,
  AUTOMATION_WRITES,
  accessDenied,
  baseEvent,
  buildTraffic,
  type Call,
  CI,
  type Ctx,
  consoleLogin,
  createAccessKey,
  DATABASE_CALLS,
  DEPLOY_COMMAND,
  type Ev,
  guardrailTraffic,
  NETWORK_CALLS,
  OBJECT_DELETE,
  outsideRoleTraffic,
  type Principal,
  privilegeTraffic,
  quietReconTraffic,
  READS,
  SECRET_READS,
  SERVICE_CALLS,
  signInTraffic,
  TF,
  USER_PRINCIPALS,
} from "./events.ts";
import { incidentEvents } from "./incidents.ts";
import { Random } from "./random.ts";

export { ACCOUNT } from "./events.ts";
export { Random } from "./random.ts";

export interface GenerateOptions {
  outDir: string;
  start: Date;
  end: Date;
  /** Events per day of ordinary traffic (default 5,000), unless totalEvents is given. */
  eventsPerDay?: number;
  /** Total ordinary events over the whole period. */
  totalEvents?: number;
  seed?: number | string;
  regions?: string[];
  /** Plant the incidents (incidents.ts) in the 12 hours before `incidentsEnd`. */
  incidents?: boolean;
  /** Where the incidents' 12 hours end (default `end`). */
  incidentsEnd?: Date;
  /**
   * Add the quiet traffic the runbooks must not page on that the ordinary mix lacks (events.ts
   * `quietReconTraffic`, `signInTraffic`'s Identity Center assignments and access portal
   * sign-ins, `buildTraffic`'s image pushes, cluster logging and builds, `privilegeTraffic`'s
   * policy versions, group members and stacks made by the automation, `guardrailTraffic`'s account vending and password policy, and `outsideRoleTraffic`'s assumptions by the organization's audit account, the company's GitHub Actions workflow, an EKS service account and Identity Center's SAML provider), on top of the ordinary events counted by `eventsPerDay` or `totalEvents`. The
   * bundled sample data has it.
   */
  quietTraffic?: boolean;
  /** Files per region and hour (default 1). */
  filesPerHour?: number;
  /** gzip level (default 6). */
  gzipLevel?: number;
}

export interface GenerateResult {
  files: number;
  events: number;
  /** Uncompressed JSON bytes. */
  rawBytes: number;
  /** Bytes written (compressed). */
  bytes: number;
}

export const DEFAULT_REGIONS = ["us-east-1", "eu-west-1", "us-west-2"];
const HOUR = 3600_000;

type Kind =
  | "read"
  | "user-read"
  | "secret-read"
  | "service"
  | "write"
  | "deploy-command"
  | "login"
  | "login-fail"
  | "denied"
  | "key-rotation"
  | "object-delete"
  | "database"
  | "network";

const KINDS: [number, Kind][] = [
  [68, "read"],
  [6, "user-read"],
  [2, "secret-read"],
  [16, "service"],
  [3.7, "write"],
  [0.3, "deploy-command"],
  [1.2, "login"],
  [0.3, "login-fail"],
  [0.5, "denied"],
  [0.1, "key-rotation"],
  [0.2, "object-delete"],
  [0.4, "database"],
  [0.15, "network"],
];

/** Per-day caps that keep ordinary traffic free of the incident patterns. */
class DayLimits {
  private day = "";
  private counts = new Map<string, number>();
  private owners = new Map<string, string>();

  /** A new UTC day starts every count and owner afresh. */
  private roll(t: Date): void {
    const d = t.toISOString().slice(0, 10);
    if (d === this.day) return;
    this.day = d;
    this.counts.clear();
    this.owners.clear();
  }

  take(t: Date, key: string, max: number): boolean {
    this.roll(t);
    const n = this.counts.get(key) ?? 0;
    if (n >= max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  /** Whether `owner` is the day's first (so only) holder of `key`. */
  owns(t: Date, key: string, owner: string): boolean {
    this.roll(t);
    const first = this.owners.get(key) ?? owner;
    this.owners.set(key, first);
    return first === owner;
  }
}

function ordinaryEvent(r: Random, t: Date, regions: string[], limits: DayLimits): Ev {
  // us-east-1 carries the global services, so it gets the larger share.
  const region = r.weighted(regions.map((x, i) => [i === 0 ? 2 : 1, x] as const));
  const c: Ctx = { r, t, region };
  let kind = r.weighted(KINDS);
  const automation = () =>
    r.weighted<Principal>([
      [3, CI],
      [3, TF],
      [2, APP],
    ]);
  for (;;) {
    switch (kind) {
      case "read":
        return baseEvent(c, automation(), r.pick(READS));
      case "user-read":
        return baseEvent(c, r.pick(USER_PRINCIPALS), r.pick(READS));
      case "service": {
        const s = r.pick(SERVICE_CALLS);
        const ev = baseEvent(c, null, s.call, { invokedBy: s.invokedBy });
        return ev;
      }
      case "secret-read": {
        const s = r.pick(SECRET_READS);
        return baseEvent(c, s.principal, s.call);
      }
      case "write":
        return baseEvent(c, r.chance(0.5) ? CI : TF, r.pick(AUTOMATION_WRITES));
      case "deploy-command":
        return baseEvent(c, CI, DEPLOY_COMMAND);
      case "login":
        return consoleLogin(c, r.pick(USER_PRINCIPALS), { success: true, mfa: true });
      case "login-fail": {
        const p = r.pick(USER_PRINCIPALS);
        if (limits.take(t, `fail:${p.key}`, 2)) {
          const ev = consoleLogin(c, p, { success: false, mfa: false });
          // One failing user per office address a day: the users share four addresses, and four
          // of them mistyping from one in a day looked like password spraying (CI, 06:00 seed).
          if (limits.owns(t, `fail-ip:${String(ev.sourceIPAddress)}`, p.key)) return ev;
        }
        kind = "read";
        continue;
      }
      case "denied": {
        const p = r.chance(0.5) ? r.pick(USER_PRINCIPALS) : automation();
        if (limits.take(t, `denied:${p.key}`, 3)) {
          const call = r.pick(READS) as Call;
          return accessDenied(c, p, call, call.source === "ec2.amazonaws.com");
        }
        kind = "read";
        continue;
      }
      case "object-delete":
        return baseEvent(c, APP, OBJECT_DELETE(r));
      case "database": {
        const d = r.pick(DATABASE_CALLS);
        return baseEvent(c, d.principal, r.pick(d.calls));
      }
      case "network": {
        const n = r.pick(NETWORK_CALLS);
        return baseEvent(c, n.principal, n.call);
      }
      case "key-rotation": {
        const i = r.int(USER_PRINCIPALS.length);
        const p = USER_PRINCIPALS[i] as Principal;
        if (limits.take(t, `key:${p.key}`, 1)) {
          return createAccessKey(c, p, p.key.split("/").pop() as string);
        }
        kind = "read";
        continue;
      }
    }
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An hour of the window (clipped to it) and how many ordinary events it gets. */
interface Hour {
  from: number;
  to: number;
  events: number;
}

/**
 * The window's hours, with a gentle day/night rhythm; each hour's share of `total` by cumulative
 * rounding (so the shares add up to `total` exactly).
 */
function plannedHours(start: number, end: number, total: number): Hour[] {
  const hours: { from: number; to: number; weight: number }[] = [];
  for (let h = Math.floor(start / HOUR) * HOUR; h < end; h += HOUR) {
    const from = Math.max(h, start);
    const to = Math.min(h + HOUR, end);
    const hourOfDay = new Date(h).getUTCHours();
    const rhythm = 1 + 0.5 * Math.sin(((hourOfDay - 8) / 24) * 2 * Math.PI);
    hours.push({ from, to, weight: ((to - from) / HOUR) * rhythm });
  }
  const weightSum = hours.reduce((s, h) => s + h.weight, 0);
  let cumulative = 0;
  let assigned = 0;
  return hours.map(({ from, to, weight }) => {
    cumulative += weight;
    const events = Math.round((cumulative / weightSum) * total) - assigned;
    assigned += events;
    return { from, to, events };
  });
}

/** What stays the same over a whole generation. */
interface Run {
  opts: GenerateOptions;
  regions: string[];
  r: Random;
  limits: DayLimits;
  /**
   * The planted incidents and the quiet reconnaissance traffic (events.ts) not yet placed in an
   * hour, in time order.
   */
  incidents: Ev[];
  result: GenerateResult;
}

/** An hour's events by region: its ordinary traffic at random times, and its incidents. */
function hourEvents(run: Run, hour: Hour): Map<string, Ev[]> {
  const { r, regions } = run;
  const times: number[] = [];
  for (let i = 0; i < hour.events; i++)
    times.push(hour.from + Math.floor(r.next() * (hour.to - hour.from)));
  times.sort((a, b) => a - b);
  const byRegion = new Map<string, Ev[]>(regions.map((x) => [x, []]));
  for (const t of times) {
    const ev = ordinaryEvent(r, new Date(t), regions, run.limits);
    byRegion.get(String(ev.awsRegion))?.push(ev);
  }
  while (run.incidents.length > 0) {
    const ev = run.incidents[0] as Ev;
    if (Date.parse(String(ev.eventTime)) >= hour.to) break;
    const region = String(ev.awsRegion);
    // a region only the incidents use (one switched on) gets files of its own
    if (!byRegion.has(region)) byRegion.set(region, []);
    byRegion.get(region)?.push(ev);
    run.incidents.shift();
  }
  return byRegion;
}

/** Writes a region's events of an hour as `filesPerHour` delivery files (fewer when few events). */
async function writeRegionHour(run: Run, hour: Hour, region: string, events: Ev[]): Promise<void> {
  const hourStart = new Date(Math.floor(hour.from / HOUR) * HOUR);
  const y = hourStart.getUTCFullYear();
  const mo = pad(hourStart.getUTCMonth() + 1);
  const d = pad(hourStart.getUTCDate());
  const dir = path.join(
    run.opts.outDir,
    "AWSLogs",
    ACCOUNT,
    "CloudTrail",
    region,
    String(y),
    mo,
    d,
  );
  await fsp.mkdir(dir, { recursive: true });
  const filesPerHour = Math.max(1, run.opts.filesPerHour ?? 1);
  const per = Math.ceil(events.length / filesPerHour);
  for (let k = 0; k < filesPerHour && k * per < events.length; k++) {
    const chunk = events.slice(k * per, (k + 1) * per);
    const delivered = new Date(
      hourStart.getTime() + (k + 1) * Math.floor(60 / (filesPerHour + 1)) * 60_000,
    );
    const stamp = `${y}${mo}${d}T${pad(delivered.getUTCHours())}${pad(delivered.getUTCMinutes())}Z`;
    const name = `${ACCOUNT}_CloudTrail_${region}_${stamp}_${run.r.alnum(16)}.json.gz`;
    const json = Buffer.from(JSON.stringify({ Records: chunk }));
    const gz = zlib.gzipSync(json, { level: run.opts.gzipLevel ?? 6 });
    await fsp.writeFile(path.join(dir, name), gz);
    run.result.files++;
    run.result.events += chunk.length;
    run.result.rawBytes += json.length;
    run.result.bytes += gz.length;
  }
}

/**
 * The quiet traffic of `GenerateOptions.quietTraffic`, each kind on a random stream of its own
 * (`<seed>:<kind>`), so adding one leaves the others' events unchanged.
 */
function quietTraffic(seed: number | string, start: Date, end: Date, regions: string[]): Ev[] {
  const region = regions.includes("us-east-1") ? "us-east-1" : (regions[0] as string);
  const kinds: [string, typeof signInTraffic][] = [
    ["quiet-recon", quietReconTraffic],
    ["build", buildTraffic],
    ["privilege", privilegeTraffic],
    ["sign-in", signInTraffic],
    ["outside-role", outsideRoleTraffic],
  ];
  return [
    ...kinds.flatMap(([kind, traffic]) =>
      traffic(new Random(`${seed}:${kind}`), start, end, region),
    ),
    // account vending and the password policy are global: no region of their own
    ...guardrailTraffic(new Random(`${seed}:guardrails`), start, end),
  ];
}

/** Generates the logs; returns counts. Writes only under `outDir`. */
export async function generateLogs(opts: GenerateOptions): Promise<GenerateResult> {
  const regions = opts.regions ?? DEFAULT_REGIONS;
  const start = opts.start.getTime();
  const end = opts.end.getTime();
  if (!(end > start)) throw new Error("generateLogs: end must be after start");
  const days = (end - start) / (24 * HOUR);
  const total = Math.round(opts.totalEvents ?? (opts.eventsPerDay ?? 5000) * days);
  const run: Run = {
    opts,
    regions,
    r: new Random(opts.seed ?? 1),
    limits: new DayLimits(),
    incidents: [
      ...(opts.incidents
        ? incidentEvents(
            new Random(`${opts.seed ?? 1}:incidents`),
            opts.start,
            opts.end,
            regions,
            opts.incidentsEnd,
          )
        : []),
      ...(opts.quietTraffic ? quietTraffic(opts.seed ?? 1, opts.start, opts.end, regions) : []),
    ].sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime))),
    result: { files: 0, events: 0, rawBytes: 0, bytes: 0 },
  };
  for (const hour of plannedHours(start, end, total)) {
    const byRegion = hourEvents(run, hour);
    for (const region of byRegion.keys()) {
      const events = (byRegion.get(region) ?? []).sort((a, b) =>
        String(a.eventTime).localeCompare(String(b.eventTime)),
      );
      if (events.length > 0) await writeRegionHour(run, hour, region, events);
    }
  }
  return run.result;
}

export const SAMPLE_MANIFEST = ".run-md-sample.json";
const SAMPLE_VERSION = 20;
const SAMPLE_SEED = "run-md-sample";

export interface SampleManifest {
  version: number;
  seed: string;
  start: string;
  end: string;
  incidents: boolean;
  events: number;
  files: number;
}

async function isCurrent(manifestPath: string, end: Date, incidents: boolean): Promise<boolean> {
  try {
    const m = JSON.parse(await fsp.readFile(manifestPath, "utf8")) as SampleManifest;
    return (
      m.version === SAMPLE_VERSION &&
      m.seed === SAMPLE_SEED &&
      m.incidents === incidents &&
      m.end === end.toISOString()
    );
  } catch {
    return false; // missing or unreadable: generate
  }
}

/**
 * Makes sure `dir` holds the bundled sample data for the current hour: seven days of logs ending at
 * the current hour (floored), with the incidents planted in the 12 hours before its last hour. Regenerates when the
 * directory is missing, was generated for an older hour or with other options; writes atomically
 * (a temporary directory renamed into place) and records a manifest.
 */
export async function ensureSampleData(
  dir: string,
  opts: { now?: Date; incidents?: boolean } = {},
): Promise<{ dir: string; start: Date; end: Date; generated: boolean }> {
  const now = opts.now ?? new Date();
  const incidents = opts.incidents ?? true;
  const end = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const start = new Date(end.getTime() - 7 * 24 * HOUR);
  const target = path.resolve(dir);
  const manifestPath = path.join(target, SAMPLE_MANIFEST);
  if (await isCurrent(manifestPath, end, incidents)) {
    return { dir: target, start, end, generated: false };
  }
  const parent = path.dirname(target);
  await fsp.mkdir(parent, { recursive: true });
  const tmp = await fsp.mkdtemp(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    const res = await generateLogs({
      outDir: tmp,
      start,
      end,
      // A thousand a day: enough traffic around the planted incidents for every bundled runbook
      // to find its own and nothing on the clean week; a run reads it about a third faster
      // than the 4,000 a day of SAMPLE_VERSION 1.
      eventsPerDay: 1000,
      seed: `${SAMPLE_SEED}:${end.toISOString()}`,
      incidents,
      // The incidents end an hour before the data: the nightly job's windows end an hour before
      // the job (core DELIVERY_LAG_MS), and a job in the first minutes after the hour read none
      // of the last hour's (s3-ransomware, bedrock-model-use and lambda-changes passed).
      incidentsEnd: new Date(end.getTime() - HOUR),
      quietTraffic: true,
      gzipLevel: 6,
    });
    const manifest: SampleManifest = {
      version: SAMPLE_VERSION,
      seed: SAMPLE_SEED,
      start: start.toISOString(),
      end: end.toISOString(),
      incidents,
      events: res.events,
      files: res.files,
    };
    await fsp.writeFile(path.join(tmp, SAMPLE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await fsp.chmod(tmp, 0o755); // mkdtemp makes it private; the data is not

    const old = `${target}.old-${process.pid}-${Date.now()}`;
    const hadOld = await fsp
      .rename(target, old)
      .then(() => true)
      .catch(() => false);
    try {
      await fsp.rename(tmp, target);
    } catch (e) {
      // Another process put its copy in place first: keep it if it is the same hour's data.
      if (!(await isCurrent(manifestPath, end, incidents))) throw e;
      await fsp.rm(tmp, { recursive: true, force: true });
    }
    if (hadOld) await fsp.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir: target, start, end, generated: true };
}
