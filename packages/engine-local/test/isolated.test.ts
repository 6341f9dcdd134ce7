/**
 * The local engine in a child process (isolated.ts): it answers as the engine does (counts checked
 * against the records the test wrote), streams rows chunk by chunk, and keeps its caller alive
 * when a query does what DuckDB's own limits do not stop: a query building gigabytes outside
 * DuckDB's memory limit is failed with engine-memory, a cancelled query whose process does not
 * answer (stopped with SIGSTOP) is failed within the grace, a process that dies fails its query
 * with engine-crashed; each time the next query gets a new process.
 */
import { spawn } from "node:child_process";
import { promises as fsp, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isRunMdError, type QueryRequest } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import {
  createIsolatedEngine,
  IsolatedLocalEngine,
  type IsolationLimits,
  processMemoryBytes,
} from "../src/isolated.ts";
import { psBytes, tasklistBytes } from "../src/rss.ts";
import { tempDir, window } from "./helpers.ts";

const NAMES = ["GetObject", "PutObject", "ListBuckets"];
/** 5,000 events of 2024-03-01, the i-th named NAMES[i % 3] (more than two DuckDB chunks). */
const records = Array.from({ length: 5000 }, (_, i) => ({
  eventVersion: "1.08",
  eventTime: new Date(Date.UTC(2024, 2, 1) + i * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
  eventSource: "s3.amazonaws.com",
  eventName: NAMES[i % 3],
  awsRegion: "us-east-1",
  eventID: `e-${i}`,
  recipientAccountId: "111122223333",
}));
const truth = (name: string) => records.filter((r) => r.eventName === name).length;

const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const COUNTS =
  "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname ORDER BY eventname";
/** About 3.6 GB of values (4,000 of 900 KB: each under the 1 MB guard) in one list. */
const BOMB = "SELECT cardinality(transform(sequence(1, 4000), x -> lpad('', 900000, 'a')))";

let root: string;
let engine: IsolatedLocalEngine;

beforeAll(async () => {
  root = await tempDir();
  await fsp.writeFile(path.join(root, "events.json"), JSON.stringify({ Records: records }));
  engine = await createIsolatedEngine(
    { logDir: root, threads: 1 },
    { memoryBytes: 1.5 * 2 ** 30, stopGraceMs: 500 },
  );
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const sql = (q: string, extra: Partial<QueryRequest> = {}) =>
  engine.query(queryRequest("sql", q, w, extra));

async function failure(run: Promise<unknown>) {
  const e = await run.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isRunMdError(e)) throw new Error(`expected a RunMdError, got ${String(e)}`);
  return e;
}

async function answersCounts() {
  const r = await sql(COUNTS);
  expect(r.rows).toEqual([...NAMES].sort().map((n) => [n, truth(n)]));
}

describe("the isolated engine answers as the engine", () => {
  it("counts the written records", answersCounts);

  it("streams every row, chunk by chunk, acknowledged", async () => {
    const seen: string[] = [];
    let chunks = 0;
    const r = await sql("SELECT eventid FROM cloudtrail_logs ORDER BY eventtime", {
      onRows: async (chunk) => {
        chunks++;
        for (const row of chunk.rows()) seen.push(String(row[0]));
      },
    });
    expect(r.rows).toEqual([]);
    expect(r.rowCount).toBe(records.length);
    expect(seen).toEqual(records.map((x) => x.eventID));
    expect(chunks).toBeGreaterThan(1);
  });

  it("sends a chunk's values only while the consumer will read them (rowsWanted)", async () => {
    let wanted = true;
    const chunks: { length: number; values: number }[] = [];
    const r = await sql("SELECT eventid FROM cloudtrail_logs", {
      rowsWanted: () => wanted,
      onRows: (chunk) => {
        chunks.push({ length: chunk.length, values: chunk.rows().length });
        wanted = false;
      },
    });
    expect(r.rowCount).toBe(records.length);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(records.length);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.values).toBe(chunks[0]!.length);
    expect(chunks.slice(1).map((c) => c.values)).toEqual(chunks.slice(1).map(() => 0));
  });

  // 4,096 rows of 20,000 characters: two chunks of 41 MB, each crossing in pieces of 16 MiB.
  const WIDE =
    "SELECT i, lpad('', 20000, 'a') AS x FROM UNNEST(sequence(1, 4096)) AS t(i) ORDER BY i";
  const MESSAGE = 16 * 2 ** 20;

  it("moves a chunk of large values in pieces of at most 16 MiB, every row in order", async () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    let wrong = 0;
    const r = await sql(WIDE, {
      onRows: (chunk) => {
        let size = 0;
        for (const [i, x] of chunk.rows()) {
          seen.push(Number(i));
          if (x !== "a".repeat(20000)) wrong++;
          size += String(x).length;
        }
        sizes.push(size);
      },
    });
    expect(r.rowCount).toBe(4096);
    expect(seen).toEqual(Array.from({ length: 4096 }, (_, k) => k + 1));
    expect(wrong).toBe(0);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MESSAGE);
  });

  it("sends the rest of a chunk as its length once the consumer stops reading values", async () => {
    const chunks: { length: number; values: number }[] = [];
    const r = await sql(WIDE, {
      rowsWanted: () => chunks.length === 0,
      onRows: (chunk) => {
        chunks.push({ length: chunk.length, values: chunk.rows().length });
      },
    });
    expect(r.rowCount).toBe(4096);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(4096);
    expect(chunks[0]!.values).toBe(chunks[0]!.length);
    expect(chunks[0]!.length * 20000).toBeLessThanOrEqual(MESSAGE);
    expect(chunks.slice(1).map((c) => c.values)).toEqual(chunks.slice(1).map(() => 0));
  });

  it("hands a consumer that failed no further piece of the chunk", async () => {
    const boom = new Error("the output closed");
    let calls = 0;
    const e = await sql(WIDE, {
      onRows: () => {
        calls++;
        throw boom;
      },
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBe(boom);
    expect(calls).toBe(1);
  });

  it("refuses a row of more than 32 MB (row-too-large, as Athena does)", async () => {
    // One list of 40 values of 900,000 characters: 36 MB in one row.
    const big = "SELECT transform(sequence(1, 40), x -> lpad('', 900000, 'a')) AS big";
    const e = await failure(sql(big, { onRows: () => {} }));
    expect(e.code, e.message).toBe("row-too-large");
    expect(e.message).toContain("more than the 33.6 MB a row may hold");
    await answersCounts();
  });

  it("fails a streamed query with its consumer's error", async () => {
    const boom = new Error("the output closed");
    const e = await sql("SELECT eventid FROM cloudtrail_logs", {
      onRows: () => {
        throw boom;
      },
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBe(boom);
    await answersCounts();
  });

  it("keeps an engine error's code and message", async () => {
    const e = await failure(sql("SELECT lpad('', 1000000000, 'a')"));
    expect(e.code).toBe("value-too-large");
    expect(e.message).toContain("lpad would build a value of more than 1000000 bytes");
  });

  it("refuses options the engine refuses, from the child", async () => {
    const e = await failure(
      createIsolatedEngine({ logDir: path.join(root, "missing") }, { memoryBytes: 2 ** 30 }),
    );
    expect(e.code).toBe("bad-log-dir");
  });
});

describe("what only another process can stop", () => {
  it("stops a query past the process's memory limit, and starts again", async () => {
    const before = engine.starts;
    const e = await failure(sql(BOMB));
    expect(e.code, e.message).toBe("engine-memory");
    expect(e.message).toContain("local.processMemoryLimit, 1.61 GB");
    await answersCounts();
    expect(engine.starts).toBe(before + 1);
  });

  it("fails a cancelled query whose process does not answer, within the grace", async () => {
    const pid = (await engine.pid()) as number;
    const abort = new AbortController();
    process.kill(pid, "SIGSTOP");
    const run = sql(COUNTS, { signal: abort.signal });
    abort.abort();
    const e = await failure(run);
    expect(e.code).toBe("cancelled");
    await answersCounts();
    expect(await engine.pid()).not.toBe(pid);
  });

  it("survives writing to a process that died before it noticed (EPIPE)", async () => {
    const pid = (await engine.pid()) as number;
    const e = await failure(
      sql("SELECT eventid FROM cloudtrail_logs", {
        onRows: () => {
          // Killed and gone (a zombie, its end of the channel closed a tick later) before this
          // side reads the end of its channel: the acknowledgement of this chunk is written to a
          // dead pipe.
          process.kill(pid, "SIGKILL");
          const nap = new Int32Array(new SharedArrayBuffer(4));
          for (let i = 0; i < 500 && procStat(pid) !== undefined; i++) Atomics.wait(nap, 0, 0, 10);
          Atomics.wait(nap, 0, 0, 100);
        },
      }),
    );
    expect(e.code).toBe("engine-crashed");
    await answersCounts();
  });

  it("fails the query of a process that dies (engine-crashed)", async () => {
    const pid = (await engine.pid()) as number;
    process.kill(pid, "SIGSTOP");
    const run = sql(COUNTS);
    process.kill(pid, "SIGKILL");
    const e = await failure(run);
    expect(e.code).toBe("engine-crashed");
    expect(e.message).toContain("signal SIGKILL");
    await answersCounts();
  });
});

describe("a child that does not open", () => {
  const fresh = (limits: Partial<IsolationLimits> = {}) =>
    new IsolatedLocalEngine(
      { logDir: root, threads: 1 },
      { memoryBytes: 1.5 * 2 ** 30, ...limits },
    );

  it("is stopped past the start timeout, its query failed; the next query starts another", async () => {
    const other = fresh({ startTimeoutMs: 1500 });
    try {
      const first = other.query(queryRequest("sql", COUNTS, w));
      const pid = other.openingPid as number;
      // Stopped before it could open (loading its code takes longer than this line).
      process.kill(pid, "SIGSTOP");
      const e = await failure(first);
      expect(e.code).toBe("engine-crashed");
      expect(e.message).toContain("did not open within 1.5 s, and was stopped");
      for (let i = 0; i < 100 && procStat(pid) !== undefined; i++) await pause(50);
      expect(procStat(pid)).toBeUndefined();
      other.limits.startTimeoutMs = 60_000;
      const r = await other.query(queryRequest("sql", COUNTS, w));
      expect(r.rows).toEqual([...NAMES].sort().map((n) => [n, truth(n)]));
      expect(other.starts).toBe(2);
    } finally {
      await other.close();
    }
  });

  it("lets a query cancelled while its child opens end at once, and close() stops the child", async () => {
    const other = fresh();
    const abort = new AbortController();
    const run = other.query(queryRequest("sql", COUNTS, w, { signal: abort.signal }));
    const pid = other.openingPid as number;
    process.kill(pid, "SIGSTOP");
    try {
      abort.abort();
      expect((await failure(run)).code).toBe("cancelled");
    } finally {
      await other.close();
    }
    for (let i = 0; i < 100 && procStat(pid) !== undefined; i++) await pause(50);
    expect(procStat(pid)).toBeUndefined();
  });
});

describe("a child started again after one died", () => {
  it("lets a query cancelled while the new child opens end at once", async () => {
    const other = new IsolatedLocalEngine(
      { logDir: root, threads: 1 },
      { memoryBytes: 1.5 * 2 ** 30, startTimeoutMs: 20_000 },
    );
    let opening: number | undefined;
    try {
      // The first child opens, then dies under a query: the engine knows it is gone.
      await other.start();
      const first = await other.pid();
      process.kill(first as number, "SIGSTOP");
      const dying = other.query(queryRequest("sql", COUNTS, w));
      process.kill(first as number, "SIGKILL");
      expect((await failure(dying)).code).toBe("engine-crashed");
      // The next query starts another child (a restart, not the first start) and is cancelled
      // while that child cannot open.
      const abort = new AbortController();
      const run = other.query(queryRequest("sql", COUNTS, w, { signal: abort.signal }));
      for (let i = 0; i < 200 && other.openingPid === undefined; i++) await pause(5);
      opening = other.openingPid as number;
      process.kill(opening, "SIGSTOP");
      abort.abort();
      const e = await failure(run);
      expect(e.code).toBe("cancelled");
      expect(other.starts).toBe(2);
    } finally {
      await other.close();
    }
    for (let i = 0; i < 100 && procStat(opening as number) !== undefined; i++) await pause(50);
    expect(procStat(opening as number)).toBeUndefined();
  });
});

/** A process's state and CPU time in clock ticks, from /proc; undefined once it is gone or a zombie. */
function procStat(pid: number): { cpu: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /s, "")
      .split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return { cpu: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a caller that dies", () => {
  it.skipIf(process.platform !== "linux")(
    "takes its engine's process with it, a query the engine cannot interrupt running there",
    { timeout: 60_000 },
    async () => {
      const tmp = await tempDir("run-md-orphan-");
      // One value whose nested lambdas (8 x 10^8 steps, about 30 s) no interrupt stops: an engine
      // process left behind runs them, watched by no one (a list of values built so grew to 5 GB).
      const slow =
        "SELECT reduce(sequence(1, 8), 0, (a, k) -> a + reduce(sequence(1, 10000), 0, (s, x) -> s + cardinality(transform(sequence(1, 10000), y -> y * i * k)), s -> s), a -> a) AS n FROM UNNEST(sequence(1, 1)) AS t(i)";
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "isolated-parent.ts");
      const parent = spawn(process.execPath, ["--import", tsx, script, root, slow], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      const child = await new Promise<number>((resolve, reject) => {
        parent.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) resolve(JSON.parse(out).child);
        });
        parent.once("exit", () => reject(new Error(`the caller ended first: $out`)));
      });
      try {
        // Inside the lambdas: a second of CPU more than when the query was sent.
        const start = procStat(child)?.cpu ?? 0;
        for (let i = 0; i < 400 && (procStat(child)?.cpu ?? start + 100) < start + 100; i++)
          await pause(50);
        expect(procStat(child)?.cpu).toBeGreaterThanOrEqual(start + 100);
        parent.kill("SIGKILL");
        for (let i = 0; i < 100 && procStat(child) !== undefined; i++) await pause(50);
        expect(procStat(child)).toBeUndefined();
        const left = (await fsp.readdir(tmp)).filter((f) => f.startsWith("run-md-local-"));
        expect(left).toEqual([]);
      } finally {
        parent.kill("SIGKILL");
        if (procStat(child) !== undefined) process.kill(child, "SIGKILL");
        await fsp.rm(tmp, { recursive: true, force: true });
      }
    },
  );
});

describe("closing", () => {
  it("starts no process once closed, for a query that raced the close included", async () => {
    const other = await createIsolatedEngine(
      { logDir: root, threads: 1 },
      { memoryBytes: 1.5 * 2 ** 30 },
    );
    const run = (q: string) => other.query(queryRequest("sql", q, w));
    // Its process dies (the parent sees it through the query it failed).
    const pid = (await other.pid()) as number;
    process.kill(pid, "SIGSTOP");
    const first = run(COUNTS);
    process.kill(pid, "SIGKILL");
    expect((await failure(first)).code).toBe("engine-crashed");
    const starts = other.starts;
    // This query would start the next process; the engine is closed before it can.
    const racing = failure(run(COUNTS));
    await other.close();
    const e = await racing.finally(async () => {
      const left = await other.pid();
      if (left !== undefined && left !== pid) process.kill(left, "SIGKILL");
    });
    expect(e.code).toBe("cancelled");
    expect(other.starts).toBe(starts);
    expect((await failure(run(COUNTS))).code).toBe("cancelled");
  });
});

describe("processes and folders", () => {
  it("leaves none behind after processes killed in a row and the close", async () => {
    const tmp = await tempDir("run-md-kills-");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const folders = async () =>
      (await fsp.readdir(tmp)).filter((f) => f.startsWith("run-md-local-")).length;
    const pids: number[] = [];
    try {
      const other = await createIsolatedEngine(
        { logDir: root, threads: 1 },
        { memoryBytes: 1.5 * 2 ** 30 },
      );
      for (let i = 0; i < 3; i++) {
        await other.start();
        const pid = (await other.pid()) as number;
        pids.push(pid);
        process.kill(pid, "SIGSTOP");
        const run = other.query(queryRequest("sql", COUNTS, w));
        process.kill(pid, "SIGKILL");
        expect((await failure(run)).code).toBe("engine-crashed");
        expect(await folders()).toBe(0);
      }
      const r = await other.query(queryRequest("sql", COUNTS, w));
      expect(r.rows).toEqual([...NAMES].sort().map((n) => [n, truth(n)]));
      pids.push((await other.pid()) as number);
      expect(await folders()).toBe(1);
      await other.close();
      expect(await folders()).toBe(0);
      expect(other.starts).toBe(4);
      for (let i = 0; i < 100 && pids.some((p) => procStat(p) !== undefined); i++) await pause(50);
      expect(pids.filter((p) => procStat(p) !== undefined)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  });
});

describe("local.processMemoryLimit", () => {
  it("reads sizes, none and auto", () => {
    expect(processMemoryBytes("8GiB", {})).toBe(8 * 2 ** 30);
    expect(processMemoryBytes("none", {})).toBeUndefined();
    expect(processMemoryBytes("OFF", {})).toBeUndefined();
    expect(processMemoryBytes("auto", { memoryLimit: "1GiB" })).toBe(
      Math.min(2 * 2 ** 30, Math.floor(os.totalmem() * 0.8)),
    );
    expect(() => processMemoryBytes("lots", {})).toThrow(/must be a size such as 8GiB/);
  });
});

describe("reading another process's memory where there is no /proc", () => {
  it("reads ps's kilobytes and tasklist's working set, and nothing from a process that is gone", () => {
    expect(psBytes("  356120\n")).toBe(356120 * 1024);
    expect(psBytes("")).toBeUndefined();
    const row = (mem: string) => `"node.exe","4242","Console","1","${mem}"\r\n`;
    expect(tasklistBytes(row("356,120 K"))).toBe(356120 * 1024);
    expect(tasklistBytes(row("356.120 K"))).toBe(356120 * 1024);
    expect(tasklistBytes(row("356\u00a0120 K"))).toBe(356120 * 1024);
    expect(
      tasklistBytes("INFO: No tasks are running which match the specified criteria.\r\n"),
    ).toBe(undefined);
  });
});
