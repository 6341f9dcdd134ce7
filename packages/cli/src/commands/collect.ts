/** `run-md collect`: CloudTrail logs of a window into the local store (docs/collect.md). */
import path from "node:path";
import type { CollectResult } from "@run-md/collect";
import {
  AWS_CREDENTIALS_HINT,
  formatBytes,
  isLoopbackEndpoint,
  isRunMdError,
  LOOPBACK_CREDENTIALS,
  parseDuration,
  printable,
  printableLines,
  RunMdError,
  resolveWindow,
  slashDate,
  type TimeWindow,
} from "@run-md/core";
import { parseCommandArgs } from "../args.ts";
import { progressReporter } from "../collect-progress.ts";
import { type Config, loadConfig } from "../config.ts";
import { docRefs } from "../package-files.ts";
import { shellWord } from "../words.ts";

export const COLLECT_USAGE = `Usage: run-md collect [--since 30d | --from <iso> | --all] [--to <iso>]
                      [--source DIR] [--store DIR] [--prune 90d] [--wait 30m] [--config FILE]
       run-md collect --verify [--store DIR] [--config FILE]

Brings the CloudTrail logs of a window into the local store that local.store names, so the local
engine reads Parquet instead of gzip JSON. Only objects not collected yet are read; a record
delivered twice (two trails) is stored once. See docs/collect.md.

Options:
  --since <duration>          the window ending now, or at --to (default 30d)
  --from <iso> [--to <iso>]   an explicit window [from, to); a date means its midnight UTC
  --all                       everything in the source
  --source <dir|s3://bucket/prefix>
                              a directory of CloudTrail files, in any layout the local engine
                              reads (default: local.logDir), or the trail's bucket (accounts and
                              organization accounts under AWSLogs/ found by listing)
  --region <region>           the bucket's region (else AWS_REGION); credentials: the SDK's chain
  --profile <name>            an AWS profile for S3
  --store <dir>               the store (default: local.store)
  --config <file>             configuration file (default: RUN_MD_CONFIG, else
                              run-md.config.yaml here or in the nearest folder above)
  --prune <duration>          then remove the days older than this (whole UTC days), so that the
                              store keeps a retention: at least the window collected
  --wait <duration>           wait up to this long for another collect writing the store to
                              finish (default: refused at once, exit 2)
  --verify                    collect nothing: check every day file of the store against the
                              checksum the collect recorded; exit 1 naming the damaged days
  -h, --help                  this help
`;

/** `--wait`: a duration such as 30m. */
function waitOf(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new RunMdError("usage", `--wait "${printable(text)}" is not a duration such as 30m`);
  return ms;
}

/** Source and store from the flags, else the configuration; a clear error when one is missing. */
function locations(values: { source?: string; store?: string }, config: Config) {
  const store = values.store ?? config.local.store;
  if (store === undefined) {
    throw new RunMdError(
      "collect-no-store",
      "run-md collect needs a store: --store DIR or local.store.",
      {
        hint: "Add `store: .run-md/store` under local: in run-md.config.yaml.",
      },
    );
  }
  const logDir = config.local.logDir === "sample" ? undefined : config.local.logDir;
  const source = values.source ?? logDir;
  if (source === undefined) {
    throw new RunMdError(
      "collect-no-source",
      config.local.logDir === "sample"
        ? `run-md collect needs a source: --source DIR, or local.logDir of ${config.source === "defaults" ? "run-md.config.yaml (none found: the default)" : config.source} naming your CloudTrail files (it is sample: the generated sample data, which collect does not read)`
        : "run-md collect needs a source: --source DIR or local.logDir.",
      {
        hint: "Give the folder of CloudTrail files (for example the AWSLogs/ tree synced from the trail's bucket).",
      },
    );
  }
  return { store: path.resolve(store), source };
}

/** The S3 client's settings: region, profile, and RUN_MD_S3_ENDPOINT (a local endpoint, path style). */
function s3Config(values: { region?: string; profile?: string }) {
  const endpoint = process.env.RUN_MD_S3_ENDPOINT;
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region === undefined) {
    throw new RunMdError("collect-no-region", "run-md collect from S3 needs a region.", {
      hint: "Give --region (the trail bucket's region) or set AWS_REGION.",
    });
  }
  const profile = values.profile === undefined ? {} : { profile: values.profile };
  // A local endpoint (the emulator) gets placeholders, never the real credentials of the chain:
  // no session token travels in plain HTTP to whatever listens on a local port (as for Athena).
  const local = endpoint !== undefined && isLoopbackEndpoint(endpoint);
  return {
    region,
    ...profile,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(local ? { credentials: LOOPBACK_CREDENTIALS } : {}),
  };
}

/** What S3 answered, by its error names, and what to do about it. */
const S3_REFUSAL_HINTS: [RegExp, string][] = [
  [/^NoSuchBucket$/, "Check the bucket's name in --source (or local.logDir)."],
  [
    /^(AccessDenied|AllAccessDisabled|Forbidden)$/,
    "The credentials in use need s3:ListBucket and s3:GetObject on the bucket (and kms:Decrypt when the trail is encrypted with SSE-KMS): check --profile or AWS_PROFILE.",
  ],
  [
    /^(PermanentRedirect|AuthorizationHeaderMalformed|IllegalLocationConstraintException|MovedPermanently)$/,
    "The bucket is in another region: give --region the bucket's region.",
  ],
  [
    /^(InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|TokenRefreshRequired)$/,
    "S3 refused the credentials: sign in again (aws sso login) or check --profile and the AWS_* variables.",
  ],
];

/**
 * A failure to list the trail's bucket as a user error naming the source (exit 2, no stack):
 * no credentials, a bucket that does not exist, one the credentials may not read, one in another
 * region. Any other error is left as it is.
 */
export function s3Refusal(source: string): (e: unknown) => never {
  return (e) => {
    throw s3RefusalOf(e, source);
  };
}

/** The error `s3Refusal` throws for `e`: a RunMdError for what the user can fix, else `e`. */
function s3RefusalOf(e: unknown, source: string): unknown {
  if (!(e instanceof Error)) return e;
  if (e.name === "CredentialsProviderError" || /could not load credentials/i.test(e.message)) {
    return new RunMdError(
      "collect-credentials",
      `no AWS credentials to read ${source}: ${e.message}`,
      { hint: AWS_CREDENTIALS_HINT, cause: e },
    );
  }
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return e;
  const name = e.name === "Unknown" || e.name === "" ? `HTTP ${status}` : e.name;
  const known = S3_REFUSAL_HINTS.find(([re]) => re.test(name));
  const byStatus =
    status === 403 ? S3_REFUSAL_HINTS[1] : status === 301 ? S3_REFUSAL_HINTS[2] : undefined;
  const hint = (known ?? byStatus)?.[1] ?? "Check --source, --region and the credentials in use.";
  return new RunMdError(
    "bad-source",
    `S3 refused to list ${source}: ${name}${e.message && e.message !== name ? ` (${e.message})` : ""}`,
    { hint, cause: e },
  );
}

/**
 * 0 when the store holds every object of the window; 1 (after the summary) when an object was
 * skipped as corrupt (not one read and found to hold no CloudTrail event) or could not be
 * fetched, or a folder could not be listed: the store then lacks events, and a script should not
 * go on as if it were complete.
 */
export function collectExitCode(r: {
  objectsSeen: number;
  objectsUnread: number;
  objectsHeld?: number;
  covered: boolean;
}): number {
  const problems: string[] = [];
  if (r.objectsUnread > 0) problems.push(`${r.objectsUnread} object(s) skipped as unreadable`);
  if ((r.objectsHeld ?? 0) > 0)
    problems.push(
      `${r.objectsHeld} changed object(s) not taken: the store keeps their earlier versions`,
    );
  if (!r.covered)
    problems.push(
      "some objects or folders could not be read: the window is not recorded as collected, nor are their days (and the day before each) any longer",
    );
  if (problems.length === 0) return 0;
  process.stderr.write(`warning incomplete collect: ${problems.join("; ")} (exit code 1)\n`);
  return 1;
}

/**
 * `--prune <duration>`: the instant before whose day the store keeps nothing, or none. A
 * retention shorter than the window collected would remove what the collect just brought.
 */
function pruneCutoff(text: string | undefined, window: TimeWindow | null, now: Date) {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new RunMdError("usage", `--prune "${text}" is not a duration`, {
      hint: "Give the retention as a duration, e.g. --prune 90d.",
    });
  if (window === null)
    throw new RunMdError("usage", "--prune cannot be combined with --all", {
      hint: "Collect a window (--since 30d) and keep a retention longer than it (--prune 90d).",
    });
  const before = new Date(now.getTime() - ms);
  if (slashDate(window.start) < slashDate(before))
    throw new RunMdError(
      "usage",
      `--prune ${text} would remove days this collect brings (its window starts ${window.start.toISOString()})`,
      { hint: "Keep at least the window collected: --prune longer than --since." },
    );
  return before;
}

export async function collectCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md collect", COLLECT_USAGE, {
    since: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    all: { type: "boolean" },
    source: { type: "string" },
    store: { type: "string" },
    region: { type: "string" },
    profile: { type: "string" },
    prune: { type: "string" },
    wait: { type: "string" },
    verify: { type: "boolean" },
    config: { type: "string" },
  });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  const progress = progressReporter(process.stderr);
  try {
    if (positionals.length > 0)
      throw new RunMdError("usage", `unexpected argument "${positionals[0]}" for run-md collect`);
    if (values.all && (values.since ?? values.from ?? values.to) !== undefined)
      throw new RunMdError("bad-window", "--all cannot be combined with --since or --from/--to");
    const config = loadConfig(values.config);
    if (values.verify) return await verifyCommand(values, config);
    const { store, source } = locations(values, config);
    const window: TimeWindow | null = values.all
      ? null
      : resolveWindow(
          {
            ...(values.since === undefined ? {} : { since: values.since }),
            ...(values.from === undefined ? {} : { from: values.from }),
            ...(values.to === undefined ? {} : { to: values.to }),
          },
          "30d",
          new Date(),
        );
    const pruneBefore = pruneCutoff(values.prune, window, new Date());
    const { collectFromDir, collectFromS3, pruneStore } = await import("@run-md/collect");
    const run = {
      store,
      window,
      onProgress: progress.onProgress,
      ...(values.wait === undefined ? {} : { waitMs: waitOf(values.wait) }),
    };
    // Ctrl-C stops at once: days are committed one at a time, so the store keeps those done.
    const stop = () => {
      progress.end();
      process.stderr.write(
        `collect: cancelled; ${store} keeps the days committed before it (a day in progress was not), and the window is not recorded as collected: collect again to finish\n`,
      );
      process.exit(130);
    };
    process.once("SIGINT", stop);
    const r = await (source.startsWith("s3://")
      ? collectFromS3({ ...run, source, clientConfig: s3Config(values) }).catch(s3Refusal(source))
      : collectFromDir({ ...run, sourceDir: source })
    ).finally(() => process.off("SIGINT", stop));
    progress.end();
    for (const w of [...r.warnings, ...emptyCollect(r)])
      process.stderr.write(`warning ${printable(w)}\n`);
    process.stdout.write(
      `collected ${r.objectsNew - r.objectsSkipped} of ${r.objectsSeen} objects (${r.objectsSeen - r.objectsNew} already in the store, ${r.objectsSkipped} skipped${valuesLeftOut(r.valuesSkipped)}), ${formatBytes(r.bytesRead)}, ${eventsChange(r.eventsAdded)}${repairedEvents(r)}, ${r.daysWritten.length} day(s) written into ${store}\n`,
    );
    if (pruneBefore) {
      const p = await pruneStore(store, pruneBefore);
      process.stdout.write(
        `pruned ${p.days.length} day(s) before ${slashDate(pruneBefore).replaceAll("/", "-")} (${formatBytes(p.bytes)}, ${p.events} events)\n`,
      );
    }
    return collectExitCode(r);
  } catch (e) {
    progress.end();
    if (!isRunMdError(e)) throw e;
    process.stderr.write(
      `error ${printableLines(e.message)}\n${e.hint ? `hint: ${docRefs(printableLines(e.hint))}\n` : ""}`,
    );
    return 2;
  }
}

/**
 * `run-md collect --verify`: every day file of the store hashed against its recorded checksum;
 * 1 when one is damaged (each named, with the collect that reads its day again).
 */
async function verifyCommand(
  values: { store?: string; source?: string; [k: string]: unknown },
  config: Config,
): Promise<number> {
  const other = ["since", "from", "to", "all", "source", "prune"].find(
    (k) => values[k] !== undefined,
  );
  if (other !== undefined)
    throw new RunMdError("usage", `--verify cannot be combined with --${other}`, {
      hint: "run-md collect --verify [--store DIR] checks the store; a collect of a day repairs it.",
    });
  const { collectDayCommand, verifyStore } = await import("@run-md/collect");
  const store = locations({ ...values, source: "-" }, config).store;
  const r = await verifyStore(store);
  // The store as given (a --store the configuration does not name must be given again), and the
  // source, which --verify is not told.
  const given = values.store === undefined ? "" : ` --store ${shellWord(values.store)}`;
  for (const d of r.damaged) {
    // Gone or damaged: the collect of the day reads its objects again.
    const fix = `collect the day again: ${collectDayCommand(d.day)}${given} (with --source, unless local.logDir is the source)`;
    process.stderr.write(`error the store's file for ${d.day} (${printable(d.file)}) ${d.why}
`);
    process.stderr.write(`hint: ${fix}
`);
  }
  if (r.unsealed > 0)
    process.stderr.write(
      `warning ${r.unsealed} day file(s) collected before checksums were recorded: checked by size only
`,
    );
  process.stdout.write(
    `verified ${r.days} day file(s) of ${store}: ${r.damaged.length === 0 ? "none damaged" : `${r.damaged.length} damaged (${r.damaged.map((d) => d.day).join(", ")})`}
`,
  );
  return r.damaged.length === 0 ? 0 : 1;
}

/**
 * Items of `Records` that are no CloudTrail event, left out of objects otherwise collected (each
 * such object is named in a warning with its count).
 */
function valuesLeftOut(n: number): string {
  if (n === 0) return "";
  return `; ${n} item${n === 1 ? "" : "s"} in them no CloudTrail event, left out`;
}

/**
 * The change in the store's events, for people: fewer when days written again from objects
 * changed in place hold fewer (review: it said "-1 new events").
 */
export function eventsChange(n: number): string {
  if (n >= 0) return `${n} new event${n === 1 ? "" : "s"}`;
  return `${-n} event${n === -1 ? "" : "s"} fewer (objects changed in place hold fewer)`;
}

/** The events of damaged or gone day files read again: stored before, so not new. */
export function repairedEvents(r: CollectResult): string {
  if (r.daysRepaired === 0) return "";
  return `, ${r.eventsRepaired} read again into ${r.daysRepaired} repaired day(s)`;
}

/**
 * A collect whose objects held no new event says so (the sources warn of a window without
 * objects themselves): a window of the wrong days looks like a quiet week otherwise.
 */
export function emptyCollect(r: CollectResult): string[] {
  if (r.eventsAdded === 0 && r.daysRepaired === 0 && r.objectsNew > r.objectsSkipped)
    return [
      `the ${r.objectsNew - r.objectsSkipped} object(s) read held no event of the window the store lacked`,
    ];
  return [];
}
