/**
 * Publishing where a Lambda function or a container cannot keep files: each report (and the
 * runbook's latest.json) to S3 under the reports layout the site reads, and the alert state file
 * fetched before and stored after notifying, so "alert on change" survives between invocations.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { LATEST, type RunKind, reportKind } from "@run-md/core";
import { type AlertState, emptyState, parseState, stateText, withEntries } from "@run-md/notify";

export interface S3Target {
  bucket: string;
  /** Key prefix, such as `reports/` (default: none). */
  prefix: string;
  region?: string;
  /** A local endpoint (tests: the emulator); path-style addressing then. */
  endpoint?: string;
}

export function s3Client(target: S3Target): S3Client {
  return new S3Client({
    ...(target.region ? { region: target.region } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
  });
}

/**
 * `reports/<runbook-id>/<file>.json`, and `reports/<runbook-id>/latest.json` for a full run only
 * (as `storeReport` keeps it locally: an investigation never becomes the runbook's status;
 * review: every triggered run replaced it); returns the keys.
 */
export async function publishReport(
  client: S3Client,
  target: S3Target,
  reportFile: string,
): Promise<string[]> {
  const body = await readFile(reportFile);
  const dir = `${target.prefix}${path.basename(path.dirname(reportFile))}/`;
  const full = reportKind(JSON.parse(body.toString("utf8")) as { kind?: RunKind }) === "full";
  const keys = [`${dir}${path.basename(reportFile)}`, ...(full ? [`${dir}${LATEST}`] : [])];
  for (const key of keys) await putJson(client, target, key, body);
  return keys;
}

/** The state object as fetched: its ETag (null: there was none yet) and its text. */
export interface FetchedState {
  etag: string | null;
  text: string | null;
}

/** Copies the state object to `file` (nothing when it does not exist yet); returns what it was. */
export async function fetchState(
  client: S3Client,
  target: S3Target,
  key: string,
  file: string,
): Promise<FetchedState> {
  const got = await getState(client, target, key);
  if (got) await writeFile(file, got.text);
  return { etag: got?.etag ?? null, text: got?.text ?? null };
}

async function getState(
  client: S3Client,
  target: S3Target,
  key: string,
): Promise<{ text: string; etag: string } | null> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    return { text: await res.Body!.transformToString(), etag: res.ETag ?? "" };
  } catch (e) {
    if (!(e instanceof NoSuchKey) && (e as Error).name !== "NoSuchKey") throw e;
    return null;
  }
}

/** Attempts at storing the state over other invocations' (with a growing, random wait). */
const STORE_ATTEMPTS = 8;
const STORE_BACKOFF_MS = 50;

/**
 * Stores the state file over the version fetched only (S3's conditional writes). When another
 * invocation stored the state meanwhile (two events at once), the state is merged three ways:
 * the other's as stored, with the entries this run changed since the fetch (and only those: a
 * cancelled run changes nothing) taken from the file, then stored over that version instead.
 * Without it one invocation's state overwrote the other's, and a runbook that recovered could be
 * remembered as failing: its next failure would not alert. `problem` hears what was left out.
 */
export async function storeState(
  client: S3Client,
  target: S3Target,
  key: string,
  file: string,
  fetched: FetchedState,
  problem: (message: string) => void = () => {},
): Promise<void> {
  let body = await readFile(file);
  const where = `s3://${target.bucket}/${key}`;
  const base = fetched.text === null ? emptyState() : parseState(fetched.text, where);
  const mine = parseState(body.toString("utf8"), file);
  const changed = changedIds(base, mine);
  let version = fetched.etag;
  if (version === "")
    problem(`${where} has no ETag: the alert state is stored without checking for another run's`);
  for (let attempt = 1; ; attempt++) {
    try {
      await putJson(client, target, key, body, version);
      return;
    } catch (e) {
      if (!conflicted(e) || attempt === STORE_ATTEMPTS) throw e;
    }
    await sleep(Math.random() * STORE_BACKOFF_MS * 2 ** attempt);
    const theirs = await getState(client, target, key);
    version = theirs?.etag ?? null;
    const current = theirs ? parseState(theirs.text, where, problem) : emptyState();
    body = Buffer.from(stateText(withEntries(current, mine, changed)));
  }
}

/**
 * Claims the alerts (`notify`'s `claim`): stores `planned` over the version fetched only.
 * Resolves with the version now stored (`fetched` for the state stored after the messages), or
 * with the one another invocation stored meanwhile (its state, to plan again from).
 */
export async function claimState(
  client: S3Client,
  target: S3Target,
  key: string,
  planned: AlertState,
  fetched: FetchedState,
): Promise<{ stored: FetchedState } | { theirs: FetchedState }> {
  const text = stateText(planned);
  try {
    const out = await putJson(client, target, key, Buffer.from(text), fetched.etag);
    return { stored: { etag: out.ETag ?? "", text } };
  } catch (e) {
    if (!conflicted(e)) throw e;
    const theirs = await getState(client, target, key);
    return { theirs: { etag: theirs?.etag ?? null, text: theirs?.text ?? null } };
  }
}

/** The runbooks whose entries differ between `base` and `mine` (added, changed or removed). */
function changedIds(base: AlertState, mine: AlertState): string[] {
  const all = new Set([...Object.keys(base.runbooks), ...Object.keys(mine.runbooks)]);
  const same = (id: string) =>
    JSON.stringify(base.runbooks[id] ?? null) === JSON.stringify(mine.runbooks[id] ?? null);
  return [...all].filter((id) => !same(id));
}

/** Another writer got there first: the version expected is not the stored one (or is gone). */
function conflicted(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || status === 409 || status === 404;
}

/** Puts JSON; with a `version`, only over that one (null: only where there is none yet). */
function putJson(
  client: S3Client,
  target: S3Target,
  key: string,
  body: Buffer,
  version?: string | null,
) {
  const condition =
    version === undefined || version === ""
      ? {}
      : version === null
        ? { IfNoneMatch: "*" }
        : { IfMatch: version };
  return client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key,
      Body: body,
      ContentType: "application/json",
      ...condition,
    }),
  );
}
