/**
 * An ended run costs the server little memory: its event log stays on disk (`server.runsDir`)
 * and is read back only when someone replays it (spec §5). Checked: a replay after the run ended
 * and after a restart gives exactly the events the run gave live (Last-Event-ID too), while the
 * server holds no ended run's log; records damaged on disk are named and skipped at the start,
 * and a log damaged after the start is named in the answer, not a crash.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  call,
  FIXTURES,
  readEvents,
  type SseEvent,
  startTestServer,
  type TestServer,
  until,
  waitForEnd,
} from "./helpers.ts";

const access = { rules: [{ groups: ["ops"], allow: ["view", "run", "run:params", "admin"] }] };
const tokens = { ops: { groups: ["ops"], user: "ops@example.com" } };

let dir: string;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/**
 * Runs `body` on a server over `dir` (the first start makes the token file, a restart reads
 * it), then stops the server whatever happened.
 */
async function serving(
  body: (t: TestServer) => Promise<void>,
  warn: (m: string) => void = () => {},
): Promise<void> {
  const first = dir === undefined;
  if (first) dir = await mkdtemp(path.join(tmpdir(), "run-md-run-log-"));
  const s = await startTestServer({
    dir,
    runbooks: [FIXTURES],
    access,
    ...(first ? { tokens } : {}),
    warn,
  });
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("an ended run's event log", () => {
  let token: string;
  let live: SseEvent[];
  let id: string;

  it("is replayed from disk, exactly as it was sent live, and is not held in memory", async () => {
    await serving(async (t) => {
      token = t.tokens.ops!;
      const r = await call(`${t.url}/api/runs`, { token, body: { runbook: "iam-low" } });
      id = r.body.id;
      live = (await readEvents(`${t.url}/api/runs/${id}/events`, { token })).events;
      expect(live.at(-1)!.event).toBe("run-end");
      await waitForEnd(t, id, token);
      // Ended: the record the server keeps loses its event log (it is on disk).
      await until(() => (t.server.runs.store.get(id)!.events === undefined ? true : undefined));
      expect((await readEvents(`${t.url}/api/runs/${id}/events`, { token })).events).toEqual(live);
    });
  });

  it("survives a restart: replay, Last-Event-ID and the list as before, nothing in memory", async () => {
    const warnings: string[] = [];
    await serving(
      async (t) => {
        expect(warnings).toEqual([]);
        expect(t.server.runs.store.get(id)!.events).toBeUndefined();
        expect((await readEvents(`${t.url}/api/runs/${id}/events`, { token })).events).toEqual(
          live,
        );
        const resumed = await readEvents(`${t.url}/api/runs/${id}/events`, {
          token,
          lastEventId: 2,
        });
        expect(resumed.events).toEqual(live.slice(2));
        // Resuming after the last event: nothing to send, and the stream ends at once.
        const after = await readEvents(`${t.url}/api/runs/${id}/events`, {
          token,
          lastEventId: live.length,
        });
        expect(after.events).toEqual([]);
        const list = await call(`${t.url}/api/runs`, { token });
        expect(list.body.map((x: { id: string }) => x.id)).toEqual([id]);
        expect(list.body[0]).toMatchObject({ id, runbook: "iam-low", status: "passed" });
        expect(list.body[0].events).toBeUndefined();
      },
      (m) => warnings.push(m),
    );
  });

  it("read in the one-file form of a server before, replays the same and is split in the background", async () => {
    const runs = path.join(dir, ".run-md/runs");
    const file = path.join(runs, `${id}.json`);
    const logFile = path.join(runs, `${id}.events.json`);
    const rec = JSON.parse(await readFile(file, "utf8"));
    expect(rec.events).toBeUndefined();
    rec.events = JSON.parse(await readFile(logFile, "utf8"));
    await writeFile(file, JSON.stringify(rec));
    await rm(logFile);
    await serving(async (t) => {
      expect((await readEvents(`${t.url}/api/runs/${id}/events`, { token })).events).toEqual(live);
      await t.server.runs.store.split(() => {});
      expect(t.server.runs.store.get(id)!.events).toBeUndefined();
      expect(JSON.parse(await readFile(file, "utf8")).events).toBeUndefined();
      expect(JSON.parse(await readFile(logFile, "utf8"))).toEqual(rec.events);
      expect((await readEvents(`${t.url}/api/runs/${id}/events`, { token })).events).toEqual(live);
    });
  });

  it("names and skips records damaged on disk at the start, and a log damaged since is named, not a crash", async () => {
    const runs = path.join(dir, ".run-md/runs");
    const damaged = {
      [uuid(1)]: "{",
      [uuid(2)]: "null",
      [uuid(3)]: "{}",
      // Left running by a server that stopped, but without its log: recovery must not crash.
      [uuid(4)]: JSON.stringify({ id: uuid(4), runbook: "iam-low", status: "running" }),
      // Another run's id in the file of this one.
      [uuid(5)]: JSON.stringify({ id: uuid(6), runbook: "iam-low", status: "passed" }),
    };
    for (const [name, text] of Object.entries(damaged)) {
      await writeFile(path.join(runs, `${name}.json`), text);
    }
    const warnings: string[] = [];
    await serving(
      async (t) => {
        for (const name of Object.keys(damaged)) {
          expect(warnings.filter((w) => w.includes(`${name}.json`))).toHaveLength(1);
        }
        expect(warnings).toHaveLength(Object.keys(damaged).length);
        const list = await call(`${t.url}/api/runs`, { token });
        expect(list.status).toBe(200);
        expect(list.body.map((x: { id: string }) => x.id)).toEqual([id]);

        // The ended run's log damaged after the start: its replay says so, the server goes on.
        const logs = (await readdir(runs)).filter((n) => n.startsWith(id));
        for (const n of logs) await writeFile(path.join(runs, n), "{ not json");
        const broken = await call(`${t.url}/api/runs/${id}/events`, { token });
        expect(broken.status).toBe(500);
        expect(broken.body).toMatchObject({ code: "run-log-unreadable" });
        expect(broken.body.error).toContain(id);
        expect((await call(`${t.url}/api/runs/${id}`, { token })).body.status).toBe("passed");
      },
      (m) => warnings.push(m),
    );
  });
});
