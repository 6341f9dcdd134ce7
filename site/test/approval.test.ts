/**
 * Approvals (spec access-proxy.md §6) in Debian's chromium, on `run-md serve` (the built CLI,
 * oidc mode) with the test OpenID Connect provider's two users: A (alice) requests a run of a
 * runbook that needs approval and watches its page; A's page offers no Approve button and the
 * API refuses A's self-approval, also through a second token bound to A in the approver group;
 * B (bob, an approver) approves with a comment on the same page; A's open page shows the
 * decision and the run starting and ending, live. A request left past its TTL cannot be approved.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TokenStore } from "@run-md/access";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  USERS as OIDC_USERS,
  type OidcProvider,
  startOidcProvider,
} from "../../packages/server/test/oidc-harness.ts";
import { skipOrFail } from "../../test/ci-prerequisites.ts";
import { BIN } from "../../test/helpers.ts";
import { type Chromium, launchChromium } from "./browser.ts";
import {
  type CloudTrailRecord,
  makeRecords,
  RUNBOOK,
  RUNBOOK_ID,
  writeLogDir,
} from "./serve-fixture.ts";
import { copySharedSite } from "./shared-site.ts";

const A = { login: "alice", email: OIDC_USERS.alice!.email };
const B = { login: "bob", email: OIDC_USERS.bob!.email };
/**
 * Long enough for the first test's request to be approved on a busy machine. The early request
 * (made in beforeAll) expires when the last test moves the server's clock past it (clock.mjs).
 */
const TTL_S = 30;

const CONFIG = (work: string, idp: OidcProvider) => `reportsDir: ${path.join(work, "reports")}
engines:
  sql: local
local:
  logDir: ${path.join(work, "logs")}
server:
  auth:
    mode: oidc
    issuer: ${idp.issuer}
    clientId: ${idp.clientId}
    clientSecretEnv: ${idp.clientSecretEnv}
    scopes: [openid, email, groups]
  siteDir: ${path.join(work, "site")}
  runsDir: ${path.join(work, "state/runs")}
  audit: ${path.join(work, "state/audit.log")}
  tokens: ${path.join(work, "state/tokens.json")}
access:
  rules:
    - groups: [security-oncall]
      allow: [view, run, "run:params", query, audit]
    - groups: [contractors]
      allow: [view, run, approve]
  approvals:
    - runbooks: { ids: [${RUNBOOK_ID}] }
      approvers: [contractors]
  approvalTtl: ${TTL_S}s
`;

let work: string;
let records: CloudTrailRecord[];
let idp: OidcProvider | undefined;
let serve: ChildProcess | undefined;
let baseUrl: string;
let chrome: Chromium | undefined;
let skipReason: string | undefined;
const tokens: Record<string, string> = {};
/** A request made at the start and left alone: expired by the time it is approved. */
let early: { id: string; at: number } | undefined;
/** What `run-md serve` has printed so far. */
let serveOut = "";

function startServe(cwd: string, port: number): Promise<string> {
  const clock = `--import=${pathToFileURL(path.join(import.meta.dirname, "clock.mjs")).href}`;
  const child = spawn(
    process.execPath,
    [clock, BIN, "serve", "--port", String(port), "--config", "run-md.config.yaml"],
    {
      cwd,
      env: { ...process.env, NO_COLOR: "1", RUN_MD_TEST_CLOCK_STEP_MS: String(CLOCK_STEP_MS) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  serve = child;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      serveOut += d;
      if (/listening on http:\/\//.test(serveOut)) resolve(`http://127.0.0.1:${port}`);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`run-md serve exited (${code}):\n${serveOut}`)));
  });
}

/** How far each move of the server's clock goes: past the TTL. */
const CLOCK_STEP_MS = (TTL_S + 1) * 1000;

/** Moves the server's clock on by CLOCK_STEP_MS and waits until it says it has. */
async function moveServerClock(): Promise<void> {
  const said = `test clock: +${CLOCK_STEP_MS} ms`;
  serve!.kill("SIGUSR2");
  for (let i = 0; i < 500 && !serveOut.includes(said); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(serveOut).toContain(said);
}

async function api(method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  const launched = await launchChromium();
  if ("skipReason" in launched) {
    skipReason = launched.skipReason;
    return;
  }
  chrome = launched;
  work = await mkdtemp(path.join(tmpdir(), "run-md-approval-site-"));
  records = makeRecords(new Date());
  await writeLogDir(path.join(work, "logs"), records);
  await mkdir(path.join(work, "runbooks"), { recursive: true });
  await mkdir(path.join(work, "reports"), { recursive: true });
  await writeFile(path.join(work, "runbooks", `${RUNBOOK_ID}.md`), RUNBOOK);
  // serve reads siteDir per request: it starts while the site is copied.
  await Promise.all([copySharedSite(path.join(work, "site")), startServeAndRequest()]);
}, 600_000);

/** Tokens, the provider, `run-md serve`, and A's early request (left to expire). */
async function startServeAndRequest(): Promise<void> {
  const store = new TokenStore(path.join(work, "state/tokens.json"));
  // A's second token, bound to A, in the approver group; and plain tokens for A and B.
  for (const [name, groups, user] of [
    ["alice-lead", ["contractors"], A.email],
    ["alice", ["security-oncall"], A.email],
    ["bob", ["contractors"], B.email],
  ] as const) {
    tokens[name] = (await store.create({ name, groups: [...groups], user })).token;
  }
  const port = await freePort();
  idp = await startOidcProvider([`http://127.0.0.1:${port}/auth/callback`]);
  await writeFile(path.join(work, "run-md.config.yaml"), CONFIG(work, idp));
  baseUrl = await startServe(work, port);
  const r = await api("POST", "/api/runs", tokens.alice!, { runbook: RUNBOOK_ID });
  expect(r.body.status).toBe("pending-approval");
  early = { id: r.body.id, at: Date.now() };
}

afterAll(async () => {
  serve?.kill("SIGTERM");
  await chrome?.close();
  await idp?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A tab signed in through the provider's login (and consent) page, on `returnTo`. */
async function signIn(user: typeof A, returnTo: string): Promise<Page> {
  const tab = await chrome!.browser.newPage();
  await tab.goto(`${baseUrl}/auth/login?return=${encodeURIComponent(returnTo)}`);
  await tab.locator('input[name="login"]').fill(user.login);
  await tab.locator('input[name="password"]').fill("any");
  await tab.locator('button[type="submit"]').click();
  const consent = tab.locator('input[name="prompt"][value="consent"]');
  await tab.waitForURL((u) => u.origin === baseUrl || u.pathname.includes("/interaction/"));
  if (new URL(tab.url()).origin !== baseUrl && (await consent.count()) > 0) {
    await tab.locator('button[type="submit"]').click();
  }
  await tab.waitForURL((u) => u.origin === baseUrl && u.pathname === returnTo);
  return tab;
}

describe("approvals in chromium", () => {
  it("A requests, A cannot approve, B approves on the run page, A watches the run start live", async (ctx) => {
    if (!chrome) return skipOrFail(ctx, skipReason ?? "the browser did not start");
    await chrome.browser.clearCookies();
    const a = await signIn(A, `/runbooks/${RUNBOOK_ID}/`);
    // Record on A's page every state the run passes through.
    await a.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { rmSeen: string[] }).rmSeen = seen;
      new MutationObserver((muts) => {
        for (const m of muts) {
          const state = (m.target as HTMLElement).dataset?.runState;
          if (m.type === "attributes" && state && seen.at(-1) !== state) seen.push(state);
        }
      }).observe(document, {
        subtree: true,
        attributes: true,
        attributeFilter: ["data-run-state"],
      });
    });
    const form = a.locator(`form[data-run-form="${RUNBOOK_ID}"]`);
    await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
    await form.getByRole("button", { name: "Run" }).click();
    await a.waitForURL(/\/run\/\?id=/);
    const id = new URL(a.url()).searchParams.get("id")!;
    const panelA = a.locator("[data-approval]");
    await expect
      .poll(() => panelA.getAttribute("data-approval-state"), { timeout: 15_000 })
      .toBe("requested");
    expect(await panelA.locator("[data-approval-state]").textContent()).toContain(
      "You cannot approve your own run",
    );
    expect(await a.locator("[data-approve]").isVisible()).toBe(false);

    // A's self-approval through the API: from A's page (session + CSRF), and with a second
    // token bound to A in the approver group.
    const fromPage = await a.evaluate(async (runId) => {
      const me = await (await fetch("/api/me")).json();
      const res = await fetch(`/api/runs/${runId}/approve`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": me.csrfToken },
        body: JSON.stringify({ comment: "mine" }),
      });
      return { status: res.status, body: await res.json() };
    }, id);
    expect(fromPage).toMatchObject({ status: 403, body: { code: "self-approval" } });
    const second = await api("POST", `/api/runs/${id}/approve`, tokens["alice-lead"]!, {});
    expect(second).toMatchObject({ status: 403, body: { code: "self-approval" } });

    // B signs in (A's page keeps its open event stream) and approves on the run page.
    await chrome.browser.clearCookies();
    const b = await signIn(B, "/runs/");
    await b.goto(`${baseUrl}/run/?id=${id}`);
    const approve = b.locator("[data-approve]");
    await expect.poll(() => approve.isVisible(), { timeout: 15_000 }).toBe(true);
    await b.locator("[data-approval-comment]").fill("go ahead");
    await approve.click();
    await expect
      .poll(() => b.locator("[data-approval]").getAttribute("data-approval-state"))
      .toBe("approved");

    // A's page, untouched since: the decision and the run, live.
    await expect
      .poll(() => a.locator("[data-live-run]").getAttribute("data-run-state"), { timeout: 30_000 })
      .toBe("ended");
    expect(await panelA.locator("[data-approval-state]").textContent()).toBe(
      `Approved by ${B.email}: "go ahead".`,
    );
    const seen = await a.evaluate(() => (window as unknown as { rmSeen: string[] }).rmSeen);
    const order = ["approval requested", "approval approved", "running", "ended"].map((s) =>
      seen.indexOf(s),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // An engine error would be "errored": the run as the API gives it says why.
    const status = await a.locator("[data-live-run]").getAttribute("data-run-status");
    const detail = JSON.stringify((await api("GET", `/api/runs/${id}`, tokens.alice!)).body);
    expect(["passed", "failed"], detail).toContain(status);
    await a.close();
    await b.close();
  }, 120_000);

  it("the query page runs an ad-hoc query for A, with the schema at hand, and tells B what B lacks", async (ctx) => {
    if (!chrome) return skipOrFail(ctx, skipReason ?? "the browser did not start");
    await chrome.browser.clearCookies();
    const a = await signIn(A, "/query/");
    const form = a.locator("form[data-query-form]");
    await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await a.locator('[data-session-link="query"]:visible').count()).toBe(1);
    const schema = await a.locator("[data-query-schema] td code").allTextContents();
    expect(schema).toEqual(expect.arrayContaining(["sourceipaddress", "useridentity.arn"]));
    await form
      .locator("[data-query-text]")
      .fill(
        "SELECT useridentity.username AS u, count(*) AS n FROM cloudtrail_logs WHERE errorcode = 'AccessDenied' GROUP BY 1 ORDER BY n DESC, u",
      );
    await form.getByRole("button", { name: "Run query" }).click();
    const summary = a.locator("[data-query-summary]");
    const queryError = form.locator("[data-query-error]");
    // The summary, or else the error the page shows (so that a failure says why).
    await expect
      .poll(async () => (await summary.isVisible()) || (await queryError.isVisible()), {
        timeout: 30_000,
      })
      .toBe(true);
    expect(await queryError.isVisible(), (await queryError.textContent()) ?? "").toBe(false);
    const rows = await a
      .locator("table[data-query-result] tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
      );
    const counts = new Map<string, number>();
    for (const r of records) {
      if (r.errorCode !== "AccessDenied") continue;
      counts.set(r.userIdentity.userName, (counts.get(r.userIdentity.userName) ?? 0) + 1);
    }
    const truth = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    expect(rows).toEqual(truth.map(([u, n]) => [u, String(n)]));
    // A refused query: the engine's message next to the form.
    await form.locator("[data-query-text]").fill("SELECT * FROM read_text('/etc/passwd')");
    await form.getByRole("button", { name: "Run query" }).click();
    await expect.poll(() => queryError.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await queryError.textContent()).toMatch(/read_text/);
    // The first query's rows are gone: they are not the answer to this one.
    expect(await a.locator("table[data-query-result] tbody tr").count()).toBe(0);
    expect(await summary.isVisible()).toBe(false);

    // The audit page shows the governance entries: B's approval and A's queries (the expiry: the last test).
    await a.goto(`${baseUrl}/audit/`);
    const rowOf = (action: string) => a.locator("table[data-audit] tbody tr", { hasText: action });
    await expect.poll(() => rowOf("run.approve").count(), { timeout: 15_000 }).toBe(1);
    expect((await rowOf("run.approve").locator("td").allTextContents()).slice(2, 5)).toEqual([
      B.email,
      "run.approve",
      RUNBOOK_ID,
    ]);
    expect(await rowOf("query.request").count()).toBe(2);
    await a.close();

    await chrome.browser.clearCookies();
    const b = await signIn(B, "/query/");
    const refusal = b.locator("[data-list-error]");
    await expect.poll(() => refusal.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await refusal.textContent()).toBe("Ad-hoc queries need the query permission.");
    expect(await b.locator("form[data-query-form]").isVisible()).toBe(false);
    expect(await b.locator('[data-session-link="query"]:visible').count()).toBe(0);
    await b.close();
  }, 120_000);
  // Last: the early request, left alone, expires once the server's clock passes its TTL.
  it("an expired request can no longer be approved, and its expiry is audited", async (ctx) => {
    if (!chrome || !early) return skipOrFail(ctx, skipReason ?? "the browser did not start");
    // Still waiting for approval (unless the tests above took longer than the TTL), until the
    // server's clock passes the TTL.
    if (Date.now() - early.at < TTL_S * 1000 - 2000) {
      const before = await api("GET", `/api/runs/${early.id}`, tokens.alice!);
      expect(before.body.status).toBe("pending-approval");
    }
    await moveServerClock();
    const r = await api("POST", `/api/runs/${early.id}/approve`, tokens.bob!, { comment: "late" });
    expect(r.status).toBe(410);
    expect(r.body.error).toMatch(/can no longer be approved/);
    const run = await api("GET", `/api/runs/${early.id}`, tokens.alice!);
    expect(run.body.status).toBe("expired");
    expect(run.body.approval.state).toBe("expired");
    const audit = (await api("GET", "/api/audit?limit=1000", tokens.alice!)).body as {
      action: string;
      details?: { run?: string };
    }[];
    const expired = audit.filter((e) => e.action === "run.expire").map((e) => e.details?.run);
    expect(expired).toEqual([early.id]);
  }, 120_000);
});
