/**
 * The alert state in S3 (the Lambda's and the container's): two invocations at once (two events)
 * each fetch the state, notify, and store it. Through the real S3 client against the project's
 * emulator, which answers S3's conditional writes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { type AlertState, type RunbookState, STATE_FILE, stateText } from "@run-md/notify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorClient } from "../../collect/test/emulator-client.ts";
import { fetchState, storeState } from "../src/automation/publish.ts";

const target = { bucket: "reports", prefix: "" };
let emulator: Emulator;
let client: S3Client;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-alert-state-"));
  emulator = await startEmulator({ logDir: work });
  client = new S3Client(emulatorClient(emulator.endpoint));
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.objects.delete(`${target.bucket}/${STATE_FILE}`);
});

const failing: RunbookState = {
  failing: true,
  since: "2026-11-30T01:00:00Z",
  lastStatus: "failed",
};
const passing: RunbookState = {
  failing: false,
  since: "2026-11-30T02:00:00Z",
  lastStatus: "passed",
};
const state = (runbooks: Record<string, RunbookState>): AlertState => ({ version: 1, runbooks });

function stored(): AlertState {
  const o = emulator.objects.get(`${target.bucket}/${STATE_FILE}`);
  return JSON.parse(o?.body.toString() ?? "null");
}

/** An invocation's local state file after notifying. */
async function local(name: string, s: AlertState): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, stateText(s));
  return file;
}

const put = (s: AlertState, condition: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
  client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: STATE_FILE,
      Body: stateText(s),
      ...condition,
    }),
  );

describe("the alert state in S3, two invocations at once", () => {
  it("keeps the other invocation's runbooks when it stored the state in between", async () => {
    await put(state({ a: failing, b: failing }));
    const mine = await fetchState(client, target, STATE_FILE, path.join(work, "a.json"));
    const theirs = await fetchState(client, target, STATE_FILE, path.join(work, "b.json"));
    expect(mine.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(theirs).toEqual(mine);
    // The other invocation ran b, which recovered, and stored first.
    const b = await local("b.json", state({ a: failing, b: passing }));
    await storeState(client, target, STATE_FILE, b, theirs);
    // This one ran a, which recovered; its file still says b is failing.
    const a = await local("a.json", state({ a: passing, b: failing }));
    await storeState(client, target, STATE_FILE, a, mine);
    // Were b remembered as failing, its next failure would not alert anyone.
    expect(stored()).toEqual(state({ a: passing, b: passing }));
  });

  it("merges into the state another invocation created after this one found none", async () => {
    const dir = path.join(work, "none.json");
    const none = await fetchState(client, target, STATE_FILE, dir);
    expect(none).toEqual({ etag: null, text: null });
    await put(state({ b: failing }), { IfNoneMatch: "*" });
    const a = await local("a-new.json", state({ a: failing }));
    await storeState(client, target, STATE_FILE, a, none);
    expect(stored()).toEqual(state({ a: failing, b: failing }));
  });

  it("removes only its own runbook's entry when that runbook has none any more", async () => {
    await put(state({ a: failing, b: failing }));
    const version = await fetchState(client, target, STATE_FILE, path.join(work, "c.json"));
    await put(state({ a: failing, b: failing, c: passing }));
    const a = await local("c.json", state({ b: failing }));
    await storeState(client, target, STATE_FILE, a, version);
    expect(stored()).toEqual(state({ b: failing, c: passing }));
  });

  it("leaves alone what this run did not change: a cancelled run's runbook keeps the other's entry", async () => {
    await put(state({ x: failing }));
    const mine = await fetchState(client, target, STATE_FILE, path.join(work, "x-cancelled.json"));
    const theirs = await fetchState(client, target, STATE_FILE, path.join(work, "x-passed.json"));
    // The other invocation's run of x passed: x recovered.
    const passed = await local("x-passed.json", state({ x: passing }));
    await storeState(client, target, STATE_FILE, passed, theirs);
    // This one's run of x was cancelled (x's entry as fetched), its run of y failed.
    const cancelled = await local("x-cancelled.json", state({ x: failing, y: failing }));
    await storeState(client, target, STATE_FILE, cancelled, mine);
    expect(stored()).toEqual(state({ x: passing, y: failing }));
  });

  it("says so when the stored state has no ETag to write against", async () => {
    emulator.objects.set(`${target.bucket}/${STATE_FILE}`, {
      body: Buffer.from(stateText(state({ a: failing }))),
    });
    const fetched = await fetchState(client, target, STATE_FILE, path.join(work, "no-etag.json"));
    const problems: string[] = [];
    const file = await local("no-etag.json", state({ a: passing }));
    await storeState(client, target, STATE_FILE, file, fetched, (m) => problems.push(m));
    expect(problems).toEqual([
      `s3://reports/${STATE_FILE} has no ETag: the alert state is stored without checking for another run's`,
    ]);
    expect(stored()).toEqual(state({ a: passing }));
  });
});

describe("the emulator's conditional writes, as S3 answers them", () => {
  it("refuses a put over a version that is not the stored one, or over an object that exists", async () => {
    const first = await put(state({ a: failing }), { IfNoneMatch: "*" });
    await expect(put(state({ b: failing }), { IfNoneMatch: "*" })).rejects.toMatchObject({
      name: "PreconditionFailed",
      $metadata: { httpStatusCode: 412 },
    });
    await expect(put(state({ b: failing }), { IfMatch: '"not-the-etag"' })).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    const second = await put(state({ c: failing }), { IfMatch: first.ETag as string });
    expect(second.ETag).not.toBe(first.ETag);
    expect(stored()).toEqual(state({ c: failing }));
    emulator.objects.delete(`${target.bucket}/${STATE_FILE}`);
    await expect(
      put(state({ d: failing }), { IfMatch: second.ETag as string }),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});
