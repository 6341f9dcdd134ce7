/**
 * A trail's deliveries read from a log directory inside the delivery layout (`--log-dir
 * ./AWSLogs/111122223333`), or copied from a deeper prefix of the bucket (`aws s3 sync
 * s3://bucket/AWSLogs/111122223333/CloudTrail/ ./logs/`, CloudTrail's own file names kept): a
 * window past the trail's last delivery is a stale end, and its days without files are named,
 * as for the whole layout. Before, the paths relative to the log directory did not show the
 * layout, the files were taken for an export (a snapshot), and a trail that stopped passed
 * every `rows == 0` step. The truth is the days the test writes files for.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { hourlyDeliveries, tempDir, window } from "./helpers.ts";

let root: string;
const engines: LocalEngine[] = [];
const ACCOUNT = "111122223333";

/** An hourly delivery of the 1st to the 3rd of March 2024 (then the trail stopped), under `dir`. */
function deliver(dir: (day: string) => string): Promise<void> {
  return hourlyDeliveries(dir, "us-east-1", ["01", "02", "03"], ACCOUNT);
}

beforeAll(async () => {
  root = await tempDir("run-md-delivery-paths-");
  await deliver((day) =>
    path.join(root, "layout/AWSLogs", ACCOUNT, "CloudTrail/us-east-1/2024/03", day),
  );
  // The region's prefix synced alone: `<region>/yyyy/mm/dd/` without AWSLogs/<account>/CloudTrail.
  await deliver((day) => path.join(root, "synced/us-east-1/2024/03", day));
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function run(logDir: string) {
  const e = await createLocalEngine({ logDir: path.join(root, logDir), threads: 1 });
  engines.push(e);
  const sql = "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'StopLogging'";
  // A week from the 1st: the trail delivered on its first three days only.
  return e.query(queryRequest("sql", sql, window("2024-03-01T00:00:00Z", "2024-03-08T00:00:00Z")));
}

describe("a trail's deliveries whose paths below the log directory do not show the layout", () => {
  for (const dir of [
    "layout",
    `layout/AWSLogs/${ACCOUNT}`,
    `layout/AWSLogs/${ACCOUNT}/CloudTrail`,
    `layout/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1`,
    "synced",
  ]) {
    it(`have a stale end and their days without files named: --log-dir ${dir}`, async () => {
      const r = await run(dir);
      expect(r.rows).toEqual([[0]]);
      expect(r.staleEnd).toMatch(/^no event lies in the window's end, 2024-03-07T00:00:00Z/);
      expect(r.warnings).toEqual([
        "the window's days 2024-03-04..2024-03-07 (UTC) have no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer",
      ]);
    });
  }
});
