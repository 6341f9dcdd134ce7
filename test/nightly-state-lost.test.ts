/**
 * The alert state lost: damaged with no good copy (every failing runbook paged again as new, every
 * recovery since left untold: PagerDuty incidents open for good), or not written (the next night
 * pages again what was told, and a target that missed tonight's alert is not remembered). The job
 * goes on and tells what it can, but its exit code must say so: a warning line in a log nobody
 * reads was the only trace (red-team). A state read from its good copy lost nothing: a warning.
 * The real nightly job (test/in-process.ts) and a loopback webhook.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";

let work: string;
let server: Server;
let url: string;
const bodies: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-state-lost-"));
  await quietLogs(path.join(work, "logs"), { hours: 30, events: 300, seed: "nightly-state-lost" });
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "night.md"), countingRunbook("rows == 0"));
  await writeFile(path.join(work, "raw.yaml"), "local:\n  logDir: ./logs\n");
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(work, { recursive: true, force: true });
});

const nightly = (reports: string) =>
  nightlyHere(
    [
      ...["--runbooks", path.join(work, "runbooks"), "--reports-dir", reports],
      ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
    ],
    { env: { RUN_MD_WEBHOOK_URL: url } },
  );

const STATE = ".notify-state.json";
const lastLine = (out: string) => out.trim().split("\n").at(-1) ?? "";

describe("red-team: the nightly job's exit code when the alert state is lost", () => {
  it("exits 2 when the state is damaged and has no good copy; the failure is still told", async () => {
    const reports = path.join(work, "no-copy");
    await mkdir(reports);
    await writeFile(path.join(reports, STATE), '{"version": 1, "runbooks": {"night": {"fail');
    bodies.length = 0;
    const night = await nightly(reports);
    expect(night.code, night.stdout + night.stderr).toBe(2);
    expect(night.stdout).toMatch(/warning the alert state .* is damaged .* has no good copy/);
    expect(lastLine(night.stdout)).toContain("alert state lost");
    expect(bodies.join("\n")).toContain("failed");
    // Written whole again: the next night is an ordinary failing night, told nothing, exit 1.
    bodies.length = 0;
    const next = await nightly(reports);
    expect(next.code, next.stdout + next.stderr).toBe(1);
    expect(bodies).toEqual([]);
  }, 120_000);

  it("keeps the night's exit code when the state was read from its good copy (nothing lost)", async () => {
    const reports = path.join(work, "copy");
    await mkdir(reports);
    const first = await nightly(reports);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    await writeFile(path.join(reports, STATE), "<<<<<<< HEAD\n");
    bodies.length = 0;
    const night = await nightly(reports);
    expect(night.code, night.stdout + night.stderr).toBe(1);
    expect(night.stdout).toMatch(/read from its last good copy/);
    expect(lastLine(night.stdout)).not.toContain("alert state lost");
    expect(bodies).toEqual([]);
  }, 120_000);

  it("exits 2 when the state cannot be written (the next night would page again what was told)", async () => {
    const reports = path.join(work, "not-written");
    await mkdir(reports);
    const first = await nightly(reports);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    // A folder where the state goes: it is read from its copy, and cannot be written.
    await rm(path.join(reports, STATE));
    await mkdir(path.join(reports, STATE, "in-the-way"), { recursive: true });
    bodies.length = 0;
    const night = await nightly(reports);
    expect(night.code, night.stdout + night.stderr).toBe(2);
    expect(night.stdout).toMatch(/warning the alert state .* could not be written/);
    expect(lastLine(night.stdout)).toContain("alert state lost");
  }, 120_000);
});
