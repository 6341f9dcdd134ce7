/**
 * `withoutCopies`: a delivery's file found under several folders (the logs synced more than once)
 * is read once per content, told by name, size and bytes. The truth is which files the test made
 * copies of which.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine } from "../src/engine.ts";
import { type SourceFile, withoutCopies } from "../src/files.ts";

const NAME = "111122223333_CloudTrail_us-east-1_20240301T0050Z_Ab12Cd34Ef56Gh78.json.gz";
const file = (folder: string, size: number): SourceFile => {
  const rel = `${folder}/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/${NAME}`;
  return { path: `/logs/${rel}`, rel, size, mtimeMs: 0, identity: rel, layoutDay: "2024/03/01" };
};

describe("a delivery's file under several folders", () => {
  it("reads a copy of any earlier file of its name once, not only of the first", () => {
    // sync-1 holds a file of another size (cut short, or not the delivery); sync-2 and sync-3
    // hold the delivery itself, the same bytes twice.
    const [short, whole, again] = [file("sync-1", 100), file("sync-2", 250), file("sync-3", 250)];
    const r = withoutCopies([short, whole, again] as SourceFile[]);
    expect(r.files.map((f) => f.rel)).toEqual([short.rel, whole.rel]);
    expect(r.warnings).toEqual([
      `1 delivery file is a copy of one under another folder (the same name, size and content: the logs synced twice), read once: ${again.rel} of ${whole.rel}`,
      `${whole.rel} and ${short.rel} have one delivery's name but not its size (one of them is not the file CloudTrail delivered): both read, and the events in both counted twice`,
    ]);
  });

  it("reads files of other names, and of no delivery's name, as they are", () => {
    const other = {
      ...file("sync-1", 100),
      rel: "flat/export.json",
      path: "/logs/flat/export.json",
    };
    const r = withoutCopies([file("a", 5), other, { ...other, rel: "b/export.json" }]);
    expect(r.files).toHaveLength(3);
    expect(r.warnings).toEqual([]);
  });
});

describe("files of one delivery's name and size but other contents", () => {
  it("are both read, and said to be (a lab's or a generator's names repeat across folders)", async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-same-size-"));
    try {
      // Two folders' files of one name and one size: each holds an event of its own.
      const events = [
        "aaaaaaaa-0000-0000-0000-000000000001",
        "bbbbbbbb-0000-0000-0000-000000000002",
      ];
      const sizes: number[] = [];
      for (const [i, id] of events.entries()) {
        const folder = path.join(
          dir,
          `lab-${i + 1}`,
          "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01",
        );
        await fsp.mkdir(folder, { recursive: true });
        const body = zlib.gzipSync(
          JSON.stringify({
            Records: [
              {
                eventVersion: "1.09",
                eventID: id,
                eventTime: "2024-03-01T00:10:00Z",
                eventName: "ListBuckets",
              },
            ],
          }),
        );
        sizes.push(body.length);
        await fsp.writeFile(path.join(folder, NAME), body);
      }
      expect(sizes[0]).toBe(sizes[1]);
      const e = await createLocalEngine({ logDir: dir, threads: 1 });
      try {
        const w = {
          start: new Date("2024-03-01T00:00:00Z"),
          end: new Date("2024-03-02T00:00:00Z"),
        };
        const r = await e.query(
          queryRequest("sql", "SELECT eventid FROM cloudtrail_logs ORDER BY eventid", w),
        );
        expect(r.rows).toEqual(events.map((id) => [id]));
        expect(r.warnings).toContainEqual(
          expect.stringContaining("have one delivery's name and size but not its content"),
        );
      } finally {
        await e.close();
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
