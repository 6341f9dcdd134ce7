import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeStale, runsPrograms, tmpBase } from "./tmp-dir.ts";

const made = mkdtempSync(path.join(os.tmpdir(), "run-md-tmp-base-"));
afterAll(() => rmSync(made, { recursive: true, force: true }));

describe("the run's temporary folder", () => {
  it("goes to a writable memory folder with room to spare when the caller chose no TMPDIR", () => {
    // A folder on a file system with over a gigabyte free stands in for /dev/shm.
    const mounts = "/dev/vda / ext4 rw,relatime 0 0\n";
    expect(tmpBase({}, made, mounts)).toBe(made);
  });

  it("passes over a memory folder mounted noexec (the tests run programs from it)", () => {
    // Docker's /dev/shm: tmpfs, noexec.
    const mounts = `/dev/vda / ext4 rw,relatime 0 0\nshm ${made} tmpfs rw,nosuid,nodev,noexec,relatime,size=2097152k 0 0\n`;
    expect(runsPrograms(made, mounts)).toBe(false);
    expect(tmpBase({}, made, mounts)).toBe(os.tmpdir());
    expect(runsPrograms(path.join(made, "sub"), mounts)).toBe(false);
    expect(runsPrograms("/elsewhere", mounts)).toBe(true);
    expect(runsPrograms(made, "")).toBe(false);
  });

  it("stays in the caller's TMPDIR when one is set", () => {
    expect(tmpBase({ TMPDIR: "/chosen/by/caller" }, made)).toBe("/chosen/by/caller");
  });

  it("falls back to the system's temporary folder when the memory folder is missing", () => {
    expect(tmpBase({}, path.join(made, "no-such-folder"))).toBe(os.tmpdir());
  });
});

describe("a run's folder left by another run", () => {
  const base = mkdtempSync(path.join(os.tmpdir(), "run-md-stale-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const dayAndMore = Date.now() + 25 * 3600_000;
  const folder = (name: string, owner?: string) => {
    const dir = path.join(base, `run-md-tests-${name}`);
    mkdirSync(dir);
    if (owner !== undefined) writeFileSync(path.join(dir, ".owner-pid"), owner);
    return dir;
  };

  it("is removed a day on when its run's process is gone, kept while it runs", () => {
    const live = folder("live", String(process.pid));
    // A process that has ended: its pid is free (until the system reuses it).
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    const dead = folder("dead", String(gone));
    const unowned = folder("unowned");
    const young = folder("young", String(gone));
    removeStale(base, Date.now() + 1000);
    expect(existsSync(young)).toBe(true); // not a day old
    removeStale(base, dayAndMore);
    expect([live, dead, unowned].map(existsSync)).toEqual([true, false, false]);
  });
});
