/**
 * `withoutCopies`: a delivery's file found under several folders (the logs synced more than once)
 * is read once per content, told by name and size. The truth is which files the test made copies
 * of which.
 */
import { describe, expect, it } from "vitest";
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
      `1 delivery file is a copy of one under another folder (the same name and size: the logs synced twice), read once: ${again.rel} of ${whole.rel}`,
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
