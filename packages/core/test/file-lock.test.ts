/**
 * Locks between processes (core's file-lock.ts): a lock left by a dead process is taken over by
 * exactly one of the takers that find it, in this process and across processes; a holder gives
 * back only its own lock; another host's lock is never taken over.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { holdFileLock, LEASE_MS } from "../src/file-lock.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-file-lock-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;
const busy = (owner: string) => new Error(`busy ${owner}`);

describe("holdFileLock", () => {
  it("of takers in this process that find a dead process's lock, exactly one takes it", async () => {
    const lock = path.join(dir, "in-process.lock");
    await writeFile(lock, String(deadPid()));
    const tries = await Promise.allSettled([1, 2, 3].map(() => holdFileLock(lock, busy)));
    const held = tries.filter((t) => t.status === "fulfilled");
    expect(held).toHaveLength(1);
    expect(tries.filter((t) => t.status === "rejected")).toHaveLength(2);
    await (held[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    expect(existsSync(lock)).toBe(false);
  });

  it("gives back only its own lock, never one another taker wrote since", async () => {
    const lock = path.join(dir, "own.lock");
    const release = await holdFileLock(lock, busy);
    const other = `${deadPid()}\nelsewhere\nsomeone-else\n`;
    await writeFile(lock, other);
    await release();
    expect(await readFile(lock, "utf8")).toBe(other);
  });

  it("takes over another host's lock only once it has not been renewed for the lease", async () => {
    const lock = path.join(dir, "host.lock");
    await writeFile(lock, "4242\nanother-host\ntoken\n");
    await expect(holdFileLock(lock, busy)).rejects.toThrow("busy 4242 on another-host");
    // Left by a collect killed on another runner, say, and restored from a cache a day later.
    const old = new Date(Date.now() - LEASE_MS - 5_000);
    await utimes(lock, old, old);
    const release = await holdFileLock(lock, busy);
    expect((await readFile(lock, "utf8")).split("\n")[0]).toBe(String(process.pid));
    await release();
  });

  it("renews the time of the lock it holds, so that another host's takers see it live", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const lock = path.join(dir, "renewed.lock");
      const release = await holdFileLock(lock, busy);
      const old = new Date(Date.now() - LEASE_MS - 5_000);
      await utimes(lock, old, old);
      vi.advanceTimersByTime(LEASE_MS / 4);
      await new Promise((r) => setTimeout(r, 100));
      expect(Date.now() - (await stat(lock)).mtimeMs).toBeLessThan(LEASE_MS / 4);
      await release();
    } finally {
      vi.useRealTimers();
    }
  });

  it("of processes that find a dead process's lock at once, exactly one takes it (8 rounds)", {
    timeout: 60_000,
  }, async () => {
    const ROUNDS = 8;
    const races = path.join(dir, "races");
    await mkdir(races);
    for (let r = 0; r < ROUNDS; r++)
      await writeFile(path.join(races, `race-${r}.lock`), String(deadPid()));
    const taker = path.join(import.meta.dirname, "lock-taker.ts");
    const takers = [1, 2, 3].map(() => {
      const p = spawn(process.execPath, ["--import", "tsx", taker, races, String(ROUNDS)]);
      let out = "";
      const ready = new Promise<void>((resolve) =>
        p.stdout.on("data", (d) => {
          out += d;
          if (out.startsWith("ready\n")) resolve();
        }),
      );
      const lines = new Promise<string[]>((resolve) =>
        p.on("close", () => resolve(out.trim().split("\n"))),
      );
      return { p, ready, lines };
    });
    // Each round starts at the same instant in every taker, once all of them are loaded.
    await Promise.all(takers.map((t) => t.ready));
    const at = String(Date.now() + 300);
    for (const t of takers) t.p.stdin.write(at);
    const outs = await Promise.all(takers.map((t) => t.lines));
    let contested = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const round = outs.map((lines) => lines.find((l) => l.startsWith(`${r} `))?.slice(2) ?? "");
      // Never two holders at once, whenever they came.
      expect(
        round.filter((o) => !/^(held|busy)( late)?$/.test(o)),
        `round ${r}`,
      ).toEqual([]);
      // Of the takers on time, exactly one holds it; a late one may find it given back (loaded
      // machine: a taker woken after the round's holder let go took it, rightly).
      const onTime = round.filter((o) => !o.endsWith(" late"));
      expect(onTime.filter((o) => o === "held").length, `round ${r}: ${round}`).toBe(
        onTime.length > 0 ? 1 : 0,
      );
      if (onTime.length === 3) contested++;
    }
    // The race was run: most rounds had every taker on time.
    expect(contested).toBeGreaterThanOrEqual(ROUNDS / 2);
  });
});
