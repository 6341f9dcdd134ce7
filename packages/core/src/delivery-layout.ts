/**
 * CloudTrail's delivery layout, the one reading of it: where a trail puts each file
 * (`<prefix>/AWSLogs/[o-<org>/]<account>/CloudTrail/<region>/yyyy/MM/dd/<file>`) and what it
 * names it. The local engine reads paths of a log directory by it, the collector S3 keys, and
 * the Athena engine the keys of its table's location.
 */
import path from "node:path";
import { isSlashDay } from "./window.ts";

/** A path with `/` between its parts, whatever the platform's separator. */
function slashed(p: string): string {
  return p.split(path.sep).join("/");
}

/** A file of the layout (matched against `/` + its path): account, region, year, month, day. */
export const LAYOUT = /\/([^/]+)\/CloudTrail\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

/**
 * The day (`yyyy/MM/dd`) of a path or an S3 key in the delivery layout
 * (`.../<account>/CloudTrail/<region>/yyyy/MM/dd/<file>`), or null.
 */
export function layoutDay(p: string): string | null {
  const m = LAYOUT.exec(`/${slashed(p)}`);
  const day = m ? `${m[3]}/${m[4]}/${m[5]}` : null;
  // A folder named as no day (`2026/13/01`) is outside the layout: its events give their days.
  return day !== null && isSlashDay(day) ? day : null;
}
/**
 * CloudTrail's name for a file it delivers: `<account>_CloudTrail_<region>_<yyyyMMdd>T<HHmm>Z_<id>.json.gz`
 * (CloudTrail's "Finding your CloudTrail log files").
 */
const DELIVERY_NAME =
  /(?:^|\/)(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]+\.json\.gz$/;

/**
 * The account and region (`<account>/CloudTrail/<region>` folders) of a trail's delivery file,
 * its delivery day, and the path before them (`under`: the folder a trail delivers its layout
 * to, `AWSLogs` or `<prefix>/AWSLogs/o-<org>`; for a file outside the layout, its folder); null
 * for any other file. Read from its path in the delivery layout, else from CloudTrail's own file
 * name: a copy of a deeper prefix (`aws s3 sync s3://bucket/AWSLogs/<account>/CloudTrail/
 * ./logs/`) is still a trail's deliveries. A trail delivers each account's and region's files
 * apart.
 */
export function layoutSeries(p: string): { series: string; day: string; under: string } | null {
  const whole = `/${slashed(p)}`;
  const m = LAYOUT.exec(whole);
  const day = layoutDay(p);
  if (m && day !== null) {
    return { series: `${m[2]} of account ${m[1]}`, day, under: whole.slice(1, m.index) };
  }
  const n = DELIVERY_NAME.exec(slashed(p));
  const named = n ? `${n[3]}/${n[4]}/${n[5]}` : null;
  return n && named !== null && isSlashDay(named)
    ? {
        series: `${n[2]} of account ${n[1]}`,
        day: named,
        under: syncedUnder(slashed(p).slice(0, n.index), n[1] as string, n[2] as string),
      }
    : null;
}

/**
 * The folder a copy of a deeper prefix of the layout was synced to (`./management/` for
 * `./management/us-east-1/2026/11/23/<file>`, a sync of `s3://b/AWSLogs/<account>/CloudTrail/`):
 * the file's folder less the layout's parts it kept below that prefix (its account's
 * `CloudTrail/`, its region, its day). Else the folder of each day would be a trail of its own.
 */
function syncedUnder(folder: string, account: string, region: string): string {
  const parts = folder.split("/");
  const day = parts.slice(-3).join("/");
  if (parts.length >= 3 && /^\d{4}\/\d{2}\/\d{2}$/.test(day)) parts.splice(-3);
  for (const part of [region, "CloudTrail", account]) {
    if (parts.at(-1) !== part) break;
    parts.pop();
  }
  return parts.join("/");
}

/**
 * The name of a file CloudTrail delivered (`<account>_CloudTrail_<region>_<time>_<id>.json.gz`),
 * or null for any other. The name is unique to one delivery (its last part is random): two files
 * of one name under two folders are copies of one delivery (a bucket synced twice, into two
 * folders), never two deliveries.
 */
export function deliveryName(p: string): string | null {
  const s = slashed(p);
  const n = DELIVERY_NAME.exec(s);
  return n === null ? null : s.slice(s.lastIndexOf("/") + 1);
}

/**
 * Whether a file (or an S3 key) is one of a trail's deliveries (`layoutSeries`), where a day
 * without files and a window's end without events mean logs not delivered or not synced.
 */
export function isDelivery(p: string): boolean {
  return layoutSeries(p) !== null;
}
