/**
 * Governance through the real `run-md serve` binary: the configuration's `access.approvals`
 * hold a critical run, the `notify:` section's webhook target receives the signed approval
 * request with the run's link, another person approves through the API, the run ends with a
 * report, and `run-md audit export` lists the approval.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { TokenStore } from "@run-md/access";
import { verifyWebhook } from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { webhookReceiver } from "../packages/server/test/helpers.ts";
import { BIN, REPO, runMd } from "./helpers.ts";

const FIXTURES = path.join(REPO, "packages/server/test/fixtures");
const SECRET = "governance-webhook-secret-0123456789";
let dir: string;
let child: ChildProcess | undefined;
// Registered before the file's own hooks: started before the server, closed after it.
const { received, url: hookUrl } = webhookReceiver();
const tokens: Record<string, string> = {};

function serve(): Promise<string> {
  child = spawn(process.execPath, [BIN, "serve", FIXTURES], {
    cwd: dir,
    env: { ...process.env, CI: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child!.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child!.stderr!.on("data", (d) => {
      out += d;
    });
    child!.on("exit", (code) => reject(new Error(`run-md serve exited ${code}: ${out}`)));
  });
}

async function api(url: string, token: string, body?: unknown) {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-serve-governance-"));
  await writeFile(
    path.join(dir, "run-md.config.yaml"),
    [
      "reportsDir: reports",
      "local:",
      `  logDir: ${JSON.stringify(inject("sampleData").incidents)}`,
      "  threads: 1",
      "notify:",
      "  targets:",
      `    - { type: webhook, url: "${hookUrl()}/approvals", secret: "${SECRET}" }`,
      "server:",
      "  port: 0",
      "  auth: { mode: token }",
      "access:",
      "  rules:",
      "    - groups: [ops]",
      "      allow: [view, run]",
      "    - groups: [leads]",
      "      allow: [view, approve]",
      "  approvals:",
      "    - runbooks: { severity: [critical] }",
      "      approvers: [leads]",
      "",
    ].join("\n"),
  );
  const store = new TokenStore(path.join(dir, ".run-md/tokens.json"));
  tokens.ops = (
    await store.create({ name: "ops", groups: ["ops"], user: "ops@example.com" })
  ).token;
  tokens.lead = (
    await store.create({ name: "lead", groups: ["leads"], user: "lead@example.com" })
  ).token;
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGTERM");
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("run-md serve with approvals configured", () => {
  it("holds the run, tells the notify: webhook with the link, runs once approved, exports the approval", async () => {
    const url = await serve();
    const r = await api(`${url}/api/runs`, tokens.ops!, { runbook: "net-critical" });
    expect(r).toMatchObject({ status: 202, body: { status: "pending-approval" } });
    const id = r.body.id as string;
    const until = Date.now() + 20_000;
    while (!received.some((m) => m.body.includes(id)) && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 50));
    }
    const msg = received.find((m) => m.body.includes(id))!;
    expect(verifyWebhook(SECRET, msg.headers, msg.body)).toBeUndefined();
    expect(JSON.parse(msg.body).url).toBe(`${url}/run/?id=${id}`);

    const ok = await api(`${url}/api/runs/${id}/approve`, tokens.lead!, { comment: "ok" });
    expect(ok.status).toBe(200);
    let run = await api(`${url}/api/runs/${id}`, tokens.ops!);
    while (
      ["queued", "running"].includes(run.body.status as string) &&
      Date.now() < until + 40_000
    ) {
      await new Promise((res) => setTimeout(res, 100));
      run = await api(`${url}/api/runs/${id}`, tokens.ops!);
    }
    expect(run.body.report).toEqual(expect.any(String));

    const out = await runMd(["audit", "export", "--format", "json"], { cwd: dir });
    expect(out.code).toBe(0);
    const entries = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.find((e) => e.action === "run.approve")).toMatchObject({
      actor: "lead@example.com",
      target: "net-critical",
      details: { run: id, comment: "ok" },
    });
  }, 120_000);
});
