/**
 * The served site in Debian's chromium: a real OpenID Connect provider (the server's test
 * harness), `run-md serve` (the built CLI, oidc mode) over a log directory generated here, the
 * site built from one runbook, two users in different groups. User A signs in on the provider's
 * login page, runs the runbook with a lowered threshold and watches its steps arrive; user B,
 * without `run:params`, sees the inputs read-only and the API refuses a crafted request with
 * params.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  USERS as OIDC_USERS,
  type OidcProvider,
  startOidcProvider,
} from "../../packages/server/test/oidc-harness.ts";
import { repoRoot } from "../../scripts/nightly/build-site.ts";
import { skipOrFail } from "../../test/ci-prerequisites.ts";
import { BIN } from "../../test/helpers.ts";
import { axeViolations, type Chromium, launchChromium } from "./browser.ts";
import {
  type CloudTrailRecord,
  makeRecords,
  offenders,
  RUNBOOK,
  RUNBOOK_ID,
  SLOW_ID,
  SLOW_RUNBOOK,
  writeLogDir,
} from "./serve-fixture.ts";
import { copySharedSite } from "./shared-site.ts";

const artifacts = path.join(repoRoot, "test-artifacts");

/**
 * The provider's two users: A (security-oncall) may change parameters and read the audit log,
 * B (contractors) may only run the runbook as written.
 */
const USERS = {
  a: { login: "alice", email: OIDC_USERS.alice!.email },
  b: { login: "bob", email: OIDC_USERS.bob!.email },
} as const;

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
      allow: [view, run, "run:params", audit]
    - groups: [contractors]
      allow: [view, run]
`;

let work: string;
let records: CloudTrailRecord[];
let idp: OidcProvider | undefined;
let serve: ChildProcess | undefined;
let baseUrl: string;
let chrome: Chromium | undefined;
let skipReason: string | undefined;

/** `run-md serve` on `port` (the provider knows its callback); resolves once it listens. */
function startServe(cwd: string, port: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--port", String(port), "--config", "run-md.config.yaml"],
    // The provider's harness put the client secret in this process's environment.
    { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  serve = child;
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      if (/listening on http:\/\//.test(out)) resolve(`http://127.0.0.1:${port}`);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`run-md serve exited (${code}):\n${out}`)));
  });
}

beforeAll(async () => {
  const launched = await launchChromium();
  if ("skipReason" in launched) {
    skipReason = launched.skipReason;
    return;
  }
  chrome = launched;
  work = await mkdtemp(path.join(tmpdir(), "run-md-serve-site-"));
  records = makeRecords(new Date());
  await writeLogDir(path.join(work, "logs"), records);
  await mkdir(path.join(work, "runbooks"), { recursive: true });
  await mkdir(path.join(work, "reports"), { recursive: true });
  await writeFile(path.join(work, "runbooks", `${RUNBOOK_ID}.md`), RUNBOOK);
  await writeFile(path.join(work, "runbooks", `${SLOW_ID}.md`), SLOW_RUNBOOK);
  await copySharedSite(path.join(work, "site"));
  const port = await freePort();
  idp = await startOidcProvider([`http://127.0.0.1:${port}/auth/callback`]);
  await writeFile(path.join(work, "run-md.config.yaml"), CONFIG(work, idp));
  baseUrl = await startServe(work, port);
  await mkdir(artifacts, { recursive: true });
}, 600_000); // an Astro build and a browser on a busy machine

afterAll(async () => {
  serve?.kill("SIGTERM");
  await chrome?.close();
  await idp?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * A tab signed in as the user through the provider's login page (and its consent page), on
 * `returnTo`; undefined (and the test skipped, saying why) without chromium. Earlier sessions
 * (the server's and the provider's) are cleared first: the two users share the browser.
 */
async function signedIn(
  ctx: { skip: () => void },
  user: keyof typeof USERS,
  returnTo: string,
): Promise<Page | undefined> {
  if (!chrome) {
    skipOrFail(ctx, skipReason ?? "the browser did not start");
    return undefined;
  }
  await chrome.browser.clearCookies();
  const tab = await chrome.browser.newPage();
  await tab.goto(`${baseUrl}/auth/login?return=${encodeURIComponent(returnTo)}`);
  // oidc-provider's login page, then its consent page.
  await tab.locator('input[name="login"]').fill(USERS[user].login);
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

/**
 * Errors the page logs or throws, collected for one assertion at the end. The browser logs
 * every 4xx answer by itself; those the test provokes on purpose are named in `expected`
 * (status and path).
 */
function collectErrors(tab: Page, expected: string[] = []): string[] {
  const errors: string[] = [];
  tab.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  tab.on("console", (m) => {
    if (m.type() !== "error") return;
    const status = /status of (\d{3})/.exec(m.text())?.[1];
    const where = `${status} ${new URL(m.location().url).pathname}`;
    if (status && expected.includes(where)) return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  return errors;
}

describe("the site served by run-md serve, in chromium", () => {
  it("lets user A run the runbook with a changed parameter and watch its steps and the failed check arrive", async (ctx) => {
    const tab = await signedIn(ctx, "a", `/runbooks/${RUNBOOK_ID}/`);
    if (!tab) return;
    // Provoked on purpose: the wrong threshold, and /api/me once signed out.
    const errors = collectErrors(tab, ["400 /api/runs", "401 /api/me"]);
    try {
      const form = tab.locator(`form[data-run-form="${RUNBOOK_ID}"]`);
      await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
      await expect
        .poll(() => tab.locator("[data-rm-session]:visible").first().textContent())
        .toContain(USERS.a.email);
      // The inputs the front matter declares, with their defaults, editable.
      const threshold = form.locator('[data-param="threshold"]');
      expect(await threshold.getAttribute("type")).toBe("number");
      expect(await threshold.inputValue()).toBe("50");
      expect(await threshold.isEditable()).toBe(true);
      expect(
        await form.locator('select[data-param="error_code"] option').allTextContents(),
      ).toEqual(["AccessDenied", "Client.UnauthorizedOperation"]);
      expect(await form.locator('[data-window="since"]').inputValue()).toBe("24h");
      // As accessible as the static pages, with the form shown.
      expect(await axeViolations(tab)).toEqual([]);

      // A wrong value first: the server's message lands next to the field, nothing is queued.
      await threshold.fill("0");
      await form.getByRole("button", { name: "Run" }).click();
      const thresholdError = form.locator('[data-error-for="threshold"]');
      await expect.poll(() => thresholdError.isVisible()).toBe(true);
      expect(await thresholdError.textContent()).toContain('parameter "threshold"');
      expect(tab.url()).toContain(`/runbooks/${RUNBOOK_ID}/`);
      // A window that ends in the future: the message goes next to "to".
      await threshold.fill("10");
      await form.locator('input[name="rm-window-mode"][value="range"]').check();
      await form.locator('[data-window="from"]').fill("2026-01-01T00:00:00Z");
      await form.locator('[data-window="to"]').fill("2099-01-01T00:00:00Z");
      await form.getByRole("button", { name: "Run" }).click();
      const toError = form.locator('[data-error-for="to"]');
      await expect.poll(() => toError.isVisible()).toBe(true);
      expect(await toError.textContent()).toContain("future");
      expect(await thresholdError.isVisible()).toBe(false);
      await form.locator('input[name="rm-window-mode"][value="since"]').check();

      // Record, in the page, the order in which step blocks appear and the run ends.
      await tab.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { rmSeen: string[] }).rmSeen = seen;
        new MutationObserver((muts) => {
          for (const m of muts) {
            for (const n of m.addedNodes) {
              const step = n instanceof HTMLElement ? n.dataset.liveStep : undefined;
              if (step) seen.push(`step:${step}`);
            }
            const t = m.target as HTMLElement;
            if (m.type === "attributes" && t.dataset?.runState === "ended" && !seen.includes("end"))
              seen.push("end");
          }
        }).observe(document, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ["data-run-state"],
        });
      });
      const threshold10 = 10;
      await threshold.fill(String(threshold10));
      await form.getByRole("button", { name: "Run" }).click();
      await tab.waitForURL(/\/run\/\?id=/);

      const view = tab.locator("[data-live-run]");
      await expect
        .poll(() => view.getAttribute("data-run-state"), { timeout: 30_000 })
        .toBe("ended");
      const seen = await tab.evaluate(() => (window as unknown as { rmSeen: string[] }).rmSeen);
      expect(seen).toEqual(["step:denied_by_principal", "step:calls_by_source", "end"]);
      expect(await view.getAttribute("data-run-status")).toBe("failed");
      expect(await tab.locator('[data-meta="params"]').textContent()).toBe(
        `threshold=${threshold10}`,
      );
      expect(await tab.locator('[data-meta="engine"]').textContent()).toBe("the default");

      // The failed check and its offending rows: the principals with at least 10 denied calls,
      // counted from the generated records.
      const step = tab.locator('[data-live-step="denied_by_principal"]');
      expect(await step.getAttribute("data-step-status")).toBe("failed");
      const check = step.locator("tr.rm-check");
      expect(await check.getAttribute("data-check-status")).toBe("failed");
      expect(await check.locator("code").textContent()).toBe("no burst == true");
      const truth = offenders(records, threshold10);
      expect(truth.length).toBe(2);
      const rows = await step
        .locator(".rm-offending table > tbody > tr")
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
        );
      expect(rows).toEqual(truth.map(([arn, n]) => [arn, String(n), "true"]));
      expect(
        await tab.locator('[data-live-step="calls_by_source"]').getAttribute("data-step-status"),
      ).toBe("passed");
      const page = tab.locator('[data-run-end] a[data-report-link="page"]');
      expect(await page.getAttribute("href")).toMatch(
        new RegExp(`^/runbooks/${RUNBOOK_ID}/runs/.+/$`),
      );
      // The report behind the JSON link is this run's: failed, with the changed threshold.
      const json = await tab
        .locator('[data-run-end] a[data-report-link="json"]')
        .getAttribute("href");
      const record = await tab.evaluate(async (href) => (await fetch(href!)).json(), json);
      expect(record.result.status).toBe("failed");
      expect(record.result.params.threshold).toBe(threshold10);
      await tab.screenshot({ path: path.join(artifacts, "serve-live-run.png"), fullPage: true });
      expect(await axeViolations(tab)).toEqual([]);

      // The run is in A's runs.
      await tab.goto(`${baseUrl}/runs/`);
      const row = tab.locator("table[data-runs] tbody tr").first();
      await expect.poll(() => row.textContent()).toContain(RUNBOOK_ID);
      expect(await row.locator(".rm-status").getAttribute("data-status")).toBe("failed");
      expect(await row.locator("td").nth(4).textContent()).toBe(`threshold=${threshold10}`);

      // A may read the audit log: the header links it, and it holds A's run request.
      const auditLink = tab.locator('[data-session-link="audit"]:visible');
      await expect.poll(() => auditLink.count()).toBe(1);
      await auditLink.click();
      await tab.waitForURL(/\/audit\/$/);
      const request = tab.locator("table[data-audit] tbody tr", { hasText: "run.request" });
      await expect.poll(() => request.count()).toBeGreaterThan(0);
      const cells = await request.last().locator("td").allTextContents();
      expect(cells.slice(2, 5)).toEqual([USERS.a.email, "run.request", RUNBOOK_ID]);

      // Signing out ends the session: the header links are gone but Sign in (back to this
      // page), the API says 401 and the runbook's page is a 404 again (the browser's own
      // cookies, without its console).
      await tab.locator("[data-session-signout]:visible").first().click();
      await tab.waitForURL(`${baseUrl}/`);
      await tab.waitForLoadState("networkidle");
      const session = tab.locator("[data-rm-session]:visible").first();
      expect(await session.locator("a:visible, button:visible").allTextContents()).toEqual([
        "Sign in",
      ]);
      expect(await session.locator("[data-session-signin]").getAttribute("href")).toBe(
        "/auth/login?return=%2F",
      );
      const http = tab.context().request;
      expect((await http.get(`${baseUrl}/api/me`)).status()).toBe(401);
      expect((await http.get(`${baseUrl}/runbooks/${RUNBOOK_ID}/`)).status()).toBe(404);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);

  it("shows user B the inputs read-only, and the API refuses B's crafted request with params", async (ctx) => {
    const tab = await signedIn(ctx, "b", `/runbooks/${RUNBOOK_ID}/`);
    if (!tab) return;
    try {
      const form = tab.locator(`form[data-run-form="${RUNBOOK_ID}"]`);
      await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await form.locator("[data-run-readonly]").isVisible()).toBe(true);
      const threshold = form.locator('[data-param="threshold"]');
      expect(await threshold.inputValue()).toBe("50");
      expect(await threshold.isEditable()).toBe(false);
      expect(await form.locator('select[data-param="error_code"]').isDisabled()).toBe(true);
      expect(await form.locator('[data-window="since"]').isEditable()).toBe(false);
      expect(await tab.locator('[data-session-link="audit"]:visible').count()).toBe(0);

      const crafted = await tab.evaluate(async (id) => {
        const me = await (await fetch("/api/me")).json();
        const res = await fetch("/api/runs", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(me.csrfToken ? { "x-csrf-token": me.csrfToken } : {}),
          },
          body: JSON.stringify({ runbook: id, params: { threshold: 1 } }),
        });
        return { status: res.status, body: await res.json() };
      }, RUNBOOK_ID);
      expect(crafted.status).toBe(403);
      expect(JSON.stringify(crafted.body)).toContain("run:params");
      const runs = await tab.evaluate(async () => (await fetch("/api/runs?mine=true")).json());
      expect(runs).toEqual([]);

      // B runs it as written: no params sent, and at the default threshold nobody offends.
      expect(offenders(records, 50)).toEqual([]);
      await form.getByRole("button", { name: "Run" }).click();
      await tab.waitForURL(/\/run\/\?id=/);
      const view = tab.locator("[data-live-run]");
      await expect
        .poll(() => view.getAttribute("data-run-state"), { timeout: 30_000 })
        .toBe("ended");
      expect(await view.getAttribute("data-run-status")).toBe("passed");
      expect(await tab.locator('[data-meta="params"]').textContent()).toBe("defaults");

      // The audit page says why it shows nothing to B.
      await tab.goto(`${baseUrl}/audit/`);
      const refusal = tab.locator("[data-list-error]");
      await expect.poll(() => refusal.isVisible()).toBe(true);
      expect(await refusal.textContent()).toBe("Reading the audit log needs the audit permission.");
    } finally {
      await tab.close();
    }
  }, 60_000);

  it("gives the requester a cancel button that stops a running step", async (ctx) => {
    const tab = await signedIn(ctx, "a", `/runbooks/${SLOW_ID}/`);
    if (!tab) return;
    const errors = collectErrors(tab);
    try {
      const form = tab.locator(`form[data-run-form="${SLOW_ID}"]`);
      await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
      await form.getByRole("button", { name: "Run" }).click();
      await tab.waitForURL(/\/run\/\?id=/);
      // The step is running (its spinner shows) when the requester cancels.
      const step = tab.locator('[data-live-step="slow_count"]');
      await expect
        .poll(() => step.getAttribute("data-step-state"), { timeout: 30_000 })
        .toBe("running");
      expect(await step.locator(".rm-spinner").isVisible()).toBe(true);
      const cancel = tab.getByRole("button", { name: "Cancel this run" });
      await cancel.click();
      const view = tab.locator("[data-live-run]");
      await expect
        .poll(() => view.getAttribute("data-run-state"), { timeout: 30_000 })
        .toBe("ended");
      expect(await view.getAttribute("data-run-status")).toBe("cancelled");
      // The cancelled step keeps no spinner: it ended (step-end) or says it did not finish.
      expect(await step.locator(".rm-spinner").count()).toBe(0);
      expect(await step.getAttribute("data-step-state")).not.toBe("running");
      expect(await cancel.isVisible()).toBe(false);
      const id = new URL(tab.url()).searchParams.get("id")!;
      const record = await tab.evaluate(async (i) => (await fetch(`/api/runs/${i}`)).json(), id);
      expect(record.status).toBe("cancelled");
      expect(record.cancelledBy).toBe(USERS.a.email);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);
});
