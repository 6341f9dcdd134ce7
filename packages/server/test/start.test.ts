/**
 * The start of a server: it takes its run records' folder for itself (a second server on the
 * same folder would mark the first one's running runs interrupted, with `run.interrupted`
 * entries, at its own start) and checks its port before it touches any state.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, FIXTURES, startTestServer, until } from "./helpers.ts";

const ACCESS = { rules: [{ groups: ["ops"], allow: ["view", "run"] }] };
const TOKENS = { ops: { groups: ["ops"], user: "ops@example.com" } };

async function actions(dir: string): Promise<string[]> {
  const text = await readFile(path.join(dir, ".run-md/audit.log"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l).action as string);
}

describe("starting a server", () => {
  it("refuses a second server on the same run records, which stay as the first one keeps them", async () => {
    const first = await startTestServer({ runbooks: [FIXTURES], access: ACCESS, tokens: TOKENS });
    try {
      const token = first.tokens.ops!;
      const slow = (await call(`${first.url}/api/runs`, { token, body: { runbook: "slow" } })).body;
      await until(
        async () =>
          (await call(`${first.url}/api/runs/${slow.id}`, { token })).body.status === "running" ||
          undefined,
      );
      await expect(startTestServer({ dir: first.dir, runbooks: [FIXTURES] })).rejects.toThrow(
        `another run-md serve (process ${process.pid}) uses ${first.config.runsDir}`,
      );
      // The first server's run is still running, and no entry says otherwise.
      expect((await call(`${first.url}/api/runs/${slow.id}`, { token })).body.status).toBe(
        "running",
      );
      const written = await actions(first.dir);
      expect(written.filter((a) => a === "server.start")).toHaveLength(1);
      expect(written).not.toContain("run.interrupted");
    } finally {
      await first.close();
    }
  });

  it("gives the folder back when it stops, and takes over a lock a killed server left", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-server-lock-"));
    try {
      const first = await startTestServer({ dir, runbooks: [FIXTURES] });
      const lock = path.join(first.config.runsDir, "server.lock");
      expect((await readFile(lock, "utf8")).split("\n")[0]).toBe(String(process.pid));
      await first.close();
      expect(existsSync(lock)).toBe(false);
      // The pid of a process that has ended: its lock is stale.
      const ended = spawnSync(process.execPath, ["-e", ""]).pid;
      await mkdir(path.dirname(lock), { recursive: true });
      await writeFile(lock, String(ended));
      const second = await startTestServer({ dir, runbooks: [FIXTURES] });
      expect((await readFile(lock, "utf8")).split("\n")[0]).toBe(String(process.pid));
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("warns when no access rule lets anyone in", async () => {
    const denyOnly = { rules: [{ groups: ["*"], deny: ["run"] }] };
    for (const [access, expected] of [
      [undefined, 1],
      [denyOnly, 1],
      [ACCESS, 0],
    ] as const) {
      const warnings: string[] = [];
      const t = await startTestServer({
        runbooks: [FIXTURES],
        access,
        warn: (m) => warnings.push(m),
      });
      await t.close();
      const said = warnings.filter((w) => w.includes("every request will be refused"));
      expect(said).toHaveLength(expected);
    }
  });

  it("refuses a port something else listens on before it touches any state", async () => {
    const other = net.createServer();
    await new Promise<void>((r) => other.listen({ host: "127.0.0.1", port: 0 }, r));
    const port = (other.address() as net.AddressInfo).port;
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-server-port-"));
    try {
      const start = startTestServer({ dir, runbooks: [FIXTURES], server: { port } });
      await expect(start).rejects.toMatchObject({
        code: "cannot-listen",
        message: `cannot listen on 127.0.0.1:${port}: something else listens there (EADDRINUSE)`,
      });
      expect(await actions(dir)).toEqual([]);
      expect(existsSync(path.join(dir, ".run-md/runs/server.lock"))).toBe(false);
      // A host name that resolves to nothing (a typo of localhost) is said the same way.
      const host = "no-such-host.invalid";
      await expect(
        startTestServer({
          dir,
          runbooks: [FIXTURES],
          server: { host, port },
          auth: { mode: "token" },
        }),
      ).rejects.toMatchObject({
        code: "cannot-listen",
        message: `cannot listen on ${host}:${port}: no address is known for the name ${host} (ENOTFOUND)`,
      });
      expect(await actions(dir)).toEqual([]);
    } finally {
      other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
