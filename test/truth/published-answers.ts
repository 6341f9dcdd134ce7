/**
 * The answers of published CloudTrail queries (../shared/reference/queries/queries.tsv), computed
 * without any SQL engine: small JavaScript functions over the raw JSON records of
 * ../shared/datasets/<name>/events.jsonl. The SQL engines' results are checked against these.
 *
 * The table semantics they follow are Athena's documented ones (docs: "Querying AWS CloudTrail
 * logs"): JSON keys match column names case-insensitively; string columns hold the text of
 * scalars; requestparameters/responseelements hold the JSON text of the payload; a missing value
 * is NULL, and a comparison with NULL (BETWEEN included) is not true.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { JsonValue } from "@run-md/core";

export type Event = Record<string, unknown>;

/** The data sets whose events.jsonl the answers are computed over (and the engines read). */
export const DATASETS = [
  "stratus-red-team-detonation-logs",
  "panther-analysis-cloudtrail-tests",
  "otrf-ec2-proxy-s3-exfiltration",
  "datadog-enriched-stratus-2022",
];

/** Values for the corpus's placeholders: the window covers every event. */
export const PLACEHOLDERS: Array<[RegExp, string]> = [
  [/'START_TIME'/g, "'2000-01-01T00:00:00Z'"],
  [/'END_TIME'/g, "'2100-01-01T00:00:00Z'"],
];

export function readEvents(datasetsDir: string): Event[] {
  return DATASETS.flatMap((d) =>
    readFileSync(path.join(datasetsDir, d, "events.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Event),
  );
}

/** The value at a dotted path (numbers index arrays), keys matched case-insensitively. */
export function field(e: unknown, dotted: string): unknown {
  let v: unknown = e;
  for (const name of dotted.toLowerCase().split(".")) {
    if (Array.isArray(v) && /^\d+$/.test(name)) {
      v = v[Number(name)];
      continue;
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    const key = Object.keys(v).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A STRING column: text of a scalar, JSON text of anything else, NULL when missing. */
export function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

const START = "2000-01-01T00:00:00Z";
const END = "2100-01-01T00:00:00Z";

/** `eventTime BETWEEN 'START_TIME' AND 'END_TIME'`: a string comparison, false when missing. */
function inWindow(e: Event): boolean {
  const t = text(field(e, "eventTime"));
  return t !== null && t >= START && t <= END;
}

/**
 * Whether an event has a time Logs Insights can place it at (`@timestamp`): an ISO-8601 time,
 * with `T` or a space, the zone optional (UTC).
 */
function hasTime(e: Event): boolean {
  const t = text(field(e, "eventTime"));
  return (
    t !== null &&
    !Number.isNaN(
      Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.replace(" ", "T").slice(0, 23)}Z`),
    )
  );
}

function oneOf(e: Event, key: string, values: string[]): boolean {
  const v = text(field(e, key));
  return v !== null && values.includes(v);
}

/** `SELECT <columns> FROM cloudtrail_logs WHERE <where> AND eventTime BETWEEN ...`. */
function select(events: Event[], columns: string[], where: (e: Event) => boolean): JsonValue[][] {
  return events
    .filter((e) => where(e) && inWindow(e))
    .map((e) => columns.map((c) => text(field(e, c))));
}

/** `json_extract_scalar(requestParameters, '$.<key>')`: a scalar's text, NULL otherwise. */
function requestScalar(e: Event, key: string): string | null {
  let rp = field(e, "requestParameters");
  if (typeof rp === "string") {
    try {
      rp = JSON.parse(rp);
    } catch {
      return null;
    }
  }
  if (rp === null || typeof rp !== "object" || Array.isArray(rp)) return null;
  const v = (rp as Record<string, unknown>)[key];
  return typeof v === "object" ? null : text(v);
}

const KEY = "AKIAIOSFODNN7EXAMPLE";
const BUCKET = "example-bucket";
const SUSPECT =
  "arn:aws:sts::123456789123:assumed-role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40";
const getObject = (e: Event) =>
  oneOf(e, "eventSource", ["s3.amazonaws.com"]) && oneOf(e, "eventName", ["GetObject"]);
const mentions = (e: Event, s: string) => (text(field(e, "requestParameters")) ?? "").includes(s);
const byKey = (e: Event) => text(field(e, "userIdentity.accessKeyId")) === KEY;

export interface PublishedAnswer {
  /** The query's sha1 prefix in queries.tsv. */
  sha: string;
  /** The query's language: Athena SQL unless said otherwise. */
  dialect?: "sql" | "logs-insights";
  /** What the query looks for, for test names. */
  question: string;
  /** Index of the column the rows must come sorted by, if the query orders them. */
  orderedBy?: number;
  descending?: boolean;
  /** Values for the query's own placeholders, chosen so that it finds something in the data. */
  values?: Array<[RegExp, string]>;
  truth(events: Event[]): JsonValue[][];
}

export const ANSWERS: PublishedAnswer[] = [
  {
    sha: "f5e392f418",
    question: "calls made with a compromised access key",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        [
          "eventTime",
          "eventName",
          "awsRegion",
          "sourceIPAddress",
          "userAgent",
          "requestParameters",
          "responseElements",
          "errorCode",
        ],
        byKey,
      ),
  },
  {
    sha: "e8b7a200dc",
    question: "where a compromised key was used from, with counts and first/last times",
    orderedBy: 3,
    truth: (ev) => {
      const groups = new Map<string, { ip: string | null; ua: string | null; times: string[] }>();
      for (const e of ev.filter((x) => byKey(x) && inWindow(x))) {
        const ip = text(field(e, "sourceIPAddress"));
        const ua = text(field(e, "userAgent"));
        const k = JSON.stringify([ip, ua]);
        const g = groups.get(k) ?? { ip, ua, times: [] };
        g.times.push(text(field(e, "eventTime")) as string);
        groups.set(k, g);
      }
      return [...groups.values()].map((g) => {
        const t = [...g.times].sort();
        return [g.ip, g.ua, t.length, t[0]!, t[t.length - 1]!];
      });
    },
  },
  {
    sha: "b54b60dbc1",
    question: "failed calls made with a compromised access key",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        ["eventTime", "eventName", "errorCode", "errorMessage", "sourceIPAddress"],
        (e) => {
          const code = text(field(e, "errorCode"));
          return byKey(e) && code !== null && code !== "";
        },
      ),
  },
  {
    sha: "d1eb7e7da5",
    question: "secrets and parameters read",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        ["eventTime", "eventName", "sourceIPAddress", "userIdentity.arn", "requestParameters"],
        (e) =>
          oneOf(e, "eventSource", ["secretsmanager.amazonaws.com", "ssm.amazonaws.com"]) &&
          oneOf(e, "eventName", [
            "GetSecretValue",
            "GetParameter",
            "GetParameters",
            "GetParametersByPath",
          ]),
      ),
  },
  {
    sha: "3b94cb48df",
    question: "bucket policy, ACL and public-access-block changes",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        ["eventTime", "eventName", "userIdentity.arn", "sourceIPAddress", "requestParameters"],
        (e) =>
          oneOf(e, "eventSource", ["s3.amazonaws.com"]) &&
          oneOf(e, "eventName", [
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "PutBucketAcl",
            "PutObjectAcl",
            "PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
          ]),
      ),
  },
  {
    sha: "190696f5fd",
    question: "deletions of objects, snapshots, backups and bucket policies",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        [
          "eventTime",
          "eventSource",
          "eventName",
          "userIdentity.arn",
          "requestParameters",
          "sourceIPAddress",
          "awsRegion",
        ],
        (e) =>
          oneOf(e, "eventName", [
            "DeleteObject",
            "DeleteObjects",
            "DeleteSnapshot",
            "DeleteDBSnapshot",
            "DeleteDBClusterSnapshot",
            "DeleteRecoveryPoint",
            "DeleteBackupVault",
            "PutBucketVersioning",
            "DeleteBucketPolicy",
          ]),
      ),
  },
  {
    sha: "9e39315acf",
    question: "EBS snapshot activity",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        [
          "eventTime",
          "eventName",
          "userIdentity.arn",
          "awsRegion",
          "requestParameters",
          "responseElements",
          "errorCode",
        ],
        (e) =>
          oneOf(e, "eventSource", ["ec2.amazonaws.com"]) &&
          oneOf(e, "eventName", [
            "DeleteSnapshot",
            "ModifySnapshotAttribute",
            "CopySnapshot",
            "CreateSnapshot",
            "CreateSnapshots",
          ]),
      ),
  },
  {
    sha: "8da94c7eac",
    question: "S3 versioning, object lock, lifecycle and bucket policy changes",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        ["eventTime", "eventName", "userIdentity.arn", "requestParameters", "sourceIPAddress"],
        (e) =>
          oneOf(e, "eventSource", ["s3.amazonaws.com"]) &&
          oneOf(e, "eventName", [
            "PutBucketVersioning",
            "PutObjectLockConfiguration",
            "PutBucketLifecycleConfiguration",
            "DeleteBucketPolicy",
            "PutBucketPolicy",
          ]),
      ),
  },
  {
    sha: "c8447d4286",
    question: "every KMS call",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        [
          "eventTime",
          "eventName",
          "userIdentity.arn",
          "awsRegion",
          "requestParameters",
          "responseElements",
          "sourceIPAddress",
          "errorCode",
        ],
        (e) => oneOf(e, "eventSource", ["kms.amazonaws.com"]),
      ),
  },
  {
    sha: "4ecceab58e",
    question: "bucket versioning changes",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        ["eventTime", "userIdentity.arn", "requestParameters", "sourceIPAddress"],
        (e) =>
          oneOf(e, "eventSource", ["s3.amazonaws.com"]) &&
          oneOf(e, "eventName", ["PutBucketVersioning"]),
      ),
  },
  {
    sha: "56d3f2c40d",
    question: "snapshots shared by changing their attributes",
    orderedBy: 0,
    truth: (ev) =>
      select(
        ev,
        ["eventTime", "eventName", "userIdentity.arn", "requestParameters", "responseElements"],
        (e) =>
          oneOf(e, "eventName", [
            "ModifySnapshotAttribute",
            "ModifyDBSnapshotAttribute",
            "ModifyDBClusterSnapshotAttribute",
          ]),
      ),
  },
  {
    sha: "a8c4d32fa7",
    question: "who read a bucket, from where, how often (BUCKET_NAME: example-bucket)",
    orderedBy: 2,
    descending: true,
    values: [[/BUCKET_NAME/g, BUCKET]],
    truth: (ev) => {
      const groups = new Map<string, JsonValue[]>();
      for (const e of ev.filter((x) => getObject(x) && mentions(x, BUCKET) && inWindow(x))) {
        const key = [text(field(e, "userIdentity.arn")), text(field(e, "sourceIPAddress"))];
        const t = text(field(e, "eventTime")) as string;
        const g = groups.get(JSON.stringify(key)) ?? [...key, 0, t, t];
        g[2] = (g[2] as number) + 1;
        if (t < (g[3] as string)) g[3] = t;
        if (t > (g[4] as string)) g[4] = t;
        groups.set(JSON.stringify(key), g);
      }
      return [...groups.values()];
    },
  },
  {
    sha: "d97afdade9",
    question: "buckets a suspect principal read from (SUSPECT_PRINCIPAL: a WAF role session)",
    values: [[/SUSPECT_PRINCIPAL/g, SUSPECT]],
    truth: (ev) => {
      const buckets = ev
        .filter(
          (e) => text(field(e, "userIdentity.arn")) === SUSPECT && getObject(e) && inWindow(e),
        )
        .map((e) => requestScalar(e, "bucketName"));
      return [...new Set(buckets)].map((b) => [b]);
    },
  },
  {
    sha: "e84bd0a4d2",
    question: "objects a suspect principal read from a bucket",
    orderedBy: 0,
    values: [
      [/BUCKET_NAME/g, "mordors3stack-s3bucket-llp2yingx64a"],
      [/SUSPECT_PRINCIPAL/g, SUSPECT],
    ],
    truth: (ev) =>
      ev
        .filter(
          (e) =>
            getObject(e) &&
            mentions(e, "mordors3stack-s3bucket-llp2yingx64a") &&
            text(field(e, "userIdentity.arn")) === SUSPECT &&
            inWindow(e),
        )
        .map((e) => [
          text(field(e, "eventTime")),
          requestScalar(e, "key"),
          text(field(e, "sourceIPAddress")),
          text(field(e, "userIdentity.arn")),
        ]),
  },
  {
    sha: "f255889e05",
    dialect: "logs-insights",
    question: "events by service, API and region (the Logs Insights user guide's sample)",
    truth: (ev) => {
      const groups = new Map<string, JsonValue[]>();
      for (const e of ev.filter(hasTime)) {
        const key = ["eventSource", "eventName", "awsRegion"].map((f) => text(field(e, f)));
        const g = groups.get(JSON.stringify(key)) ?? [...key, 0];
        g[3] = (g[3] as number) + 1;
        groups.set(JSON.stringify(key), g);
      }
      return [...groups.values()];
    },
  },
  {
    sha: "7c65bc5e8b",
    dialect: "logs-insights",
    question: "IAM users created (the Logs Insights user guide's sample)",
    truth: (ev) =>
      ev
        .filter((e) => hasTime(e) && text(field(e, "eventName")) === "CreateUser")
        .map((e) => [
          text(field(e, "awsRegion")),
          text(field(e, "requestParameters.userName")),
          text(field(e, "responseElements.user.arn")),
        ]),
  },
];

/** Rows in a canonical order (ties of the query's ORDER BY may come back in any order). */
export function canonical(rows: JsonValue[][]): JsonValue[][] {
  return [...rows].sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A short digest of a result: its canonical rows' JSON. */
export function digest(rows: JsonValue[][]): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(rows)))
    .digest("hex")
    .slice(0, 16);
}

/** The query text of a sha1 prefix, placeholders filled in. */
export function publishedQuery(
  tsv: string,
  sha: string,
  values: Array<[RegExp, string]> = [],
): string {
  const [header, ...lines] = readFileSync(tsv, "utf8").split("\n");
  const cols = header!.split("\t");
  const row = lines.map((l) => l.split("\t")).find((f) => f[cols.indexOf("sha1")] === sha);
  if (!row) throw new Error(`${sha} is not in ${tsv}`);
  let sql = row[cols.indexOf("query")]!.replace(/\\([\\ntr])/g, (_, c: string) =>
    c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\",
  );
  for (const [re, v] of [...values, ...PLACEHOLDERS]) sql = sql.replace(re, v);
  return sql;
}
