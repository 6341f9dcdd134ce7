/**
 * Reads the site built for real from the fixture runbooks and reports (with the served and the
 * hostile runbooks of the other site tests: one shared build, shared-site.ts), then drives it in
 * Debian's chromium.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { RunReport } from "@run-md/core";
import type { Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { select, selectAll } from "hast-util-select";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/nightly/build-site.ts";
import { skipOrFail } from "../../test/ci-prerequisites.ts";
import { axeViolations, type Chromium, COLOUR_RULES, launchChromium } from "./browser.ts";
import { BROKEN_ID, CANCELLED_ID, EDITED_ID, SAMPLE_ID } from "./changed-fixture.ts";
import { HOSTILE_ID } from "./hostile-fixture.ts";
import { RUNBOOK_ID, SLOW_ID } from "./serve-fixture.ts";
import { FIXTURES, type SharedSite, sharedSite, TWIN_IDS, text } from "./shared-site.ts";
import { serveStatic } from "./static-server.ts";
import {
  CANCELLED_OPTIONAL_ID,
  CANCELLED_REQUIRED_ID,
  FAILED_AFTER_OPTIONAL_ID,
  WARNED_ID,
} from "./warned-fixture.ts";

const fixtureRunbooks = path.join(FIXTURES, "runbooks");
const fixtureReports = path.join(FIXTURES, "reports");
const artifacts = path.join(repoRoot, "test-artifacts");

let site: SharedSite;
let outDir: string;

beforeAll(async () => {
  site = await sharedSite();
  outDir = site.outDir;
}, 600_000); // a real Astro build (here or in another worker): minutes on a loaded 2-core machine

async function page(route: string): Promise<Root> {
  const file = path.join(outDir, route, route.endsWith(".html") ? "" : "index.html");
  return fromHtml(await readFile(file, "utf8"));
}

/** The fixture runbooks of this file. */
const fixtureIds = [
  "audit-iam",
  "broken-typo",
  "kms-key-deletion",
  "root-usage",
  "s3-public-access",
  "unauthorized-access",
];
/**
 * Every runbook of the shared build: the fixtures, the served two, the hostile one and those of
 * versions.test.ts (changed since their run, run over the sample data, or cancelled) and of
 * warned-runs.test.ts (runs an optional step's failed check only warned).
 */
const topIds = [
  ...fixtureIds,
  HOSTILE_ID,
  RUNBOOK_ID,
  SLOW_ID,
  EDITED_ID,
  BROKEN_ID,
  SAMPLE_ID,
  CANCELLED_ID,
  CANCELLED_OPTIONAL_ID,
  CANCELLED_REQUIRED_ID,
  WARNED_ID,
  FAILED_AFTER_OPTIONAL_ID,
].sort();
/** The failed runbooks, worst first: the high one, then the others by title. */
const failedIds = [
  "unauthorized-access",
  EDITED_ID,
  SAMPLE_ID,
  HOSTILE_ID,
  FAILED_AFTER_OPTIONAL_ID,
];
const runbookIds = [...topIds, ...TWIN_IDS].sort();

/** The runbook ids of the Markdown files in `dir`, sorted. */
async function idsIn(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".md"));
  return files.map((f) => path.basename(f, ".md")).sort();
}

describe("the generated HTML", () => {
  it("gives every page one script policy, which allows each of its inline scripts by hash", async () => {
    let pages = 0;
    for (const f of await readdir(outDir, { recursive: true })) {
      if (!f.endsWith(".html")) continue;
      pages++;
      const html = fromHtml(await readFile(path.join(outDir, f), "utf8"));
      const policies = selectAll('head meta[http-equiv="content-security-policy"]', html);
      expect(policies.length, f).toBe(1);
      const policy = String(policies[0]?.properties.content);
      expect(policy, f).toMatch(/^script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
      expect(policy, f).not.toContain("unsafe-inline");
      for (const script of selectAll("script:not([src])", html)) {
        const body = script.children.map((c) => (c.type === "text" ? c.value : "")).join("");
        const hash = createHash("sha256").update(body).digest("base64");
        expect(policy, `${f}: ${body.slice(0, 60)}`).toContain(`'sha256-${hash}'`);
      }
    }
    expect(pages).toBeGreaterThan(30);
  });

  it("has a page for every runbook, titled as its front matter says", async () => {
    expect(await idsIn(fixtureRunbooks)).toEqual(fixtureIds);
    expect(await idsIn(site.runbooksDir)).toEqual(topIds);
    for (const id of runbookIds) {
      expect(existsSync(path.join(outDir, "runbooks", id, "index.html")), id).toBe(true);
    }
    const iam = await page("runbooks/audit-iam");
    expect(text(select("h1", iam))).toBe("Audit IAM changes");
  });

  it("lists every runbook on the index with its latest status, severity, owner, tags and schedule", async () => {
    const index = await page("");
    const rows = selectAll("tr[data-runbook]", index);
    const byId = Object.fromEntries(
      rows.map((r) => [String(r.properties.dataRunbook), r] as const),
    );
    expect(Object.keys(byId).sort()).toEqual(runbookIds);
    expect(byId["unauthorized-access"]?.properties.dataStatus).toBe("failed");
    expect(byId["kms-key-deletion"]?.properties.dataStatus).toBe("errored");
    expect(byId["s3-public-access"]?.properties.dataStatus).toBe("warned");
    expect(byId["audit-iam"]?.properties.dataStatus).toBe("passed");
    expect(byId["root-usage"]?.properties.dataStatus).toBe("none");
    expect(byId[HOSTILE_ID]?.properties.dataStatus).toBe("failed");
    expect(byId[RUNBOOK_ID]?.properties.dataStatus).toBe("none");
    const ua = text(byId["unauthorized-access"]);
    for (const s of [
      "Detect unauthorized access attempts",
      "failed",
      "3 failed checks",
      "2026-11-23 02:00:03 UTC",
      "high",
      "security-oncall",
      "access",
      "security",
      "nightly",
    ]) {
      expect(ua).toContain(s);
    }
    expect(text(byId["root-usage"])).toContain("no run yet");
    // Failures first (the hostile runbook has no severity: after the high one).
    expect(rows.slice(0, failedIds.length).map((r) => r.properties.dataRunbook)).toEqual(failedIds);
  });

  it("keeps every index row visible without JavaScript, with static status and tag pages as the filter", async () => {
    const index = await page("");
    expect(selectAll("tr[data-runbook][hidden]", index)).toHaveLength(0);
    expect(select("form[data-rm-filter]", index)?.properties.hidden).toBe(true);
    const failed = await page("status/failed");
    expect(selectAll("tr[data-runbook]", failed).map((r) => r.properties.dataRunbook)).toEqual(
      failedIds,
    );
    const iam = await page("tags/iam");
    expect(
      selectAll("tr[data-runbook]", iam)
        .map((r) => r.properties.dataRunbook)
        .sort(),
    ).toEqual(["audit-iam", "root-usage"]);
    expect(
      selectAll('tr[data-runbook="audit-iam"] a.rm-tag', index).map((a) => a.properties.href),
    ).toEqual(["/tags/iam/", "/tags/audit/", "/tags/compliance/"]);
    const none = await page("status/none");
    expect(
      selectAll("tr[data-runbook]", none)
        .map((r) => r.properties.dataRunbook)
        .sort(),
    ).toEqual(["broken-typo", RUNBOOK_ID, "root-usage", SLOW_ID, ...TWIN_IDS].sort());
  });

  it("shows each expectation with its actual value and the offending rows of a failed check", async () => {
    const ua = await page("runbooks/unauthorized-access");
    const checks = selectAll("[data-expect=denied_by_principal] tr.rm-check", ua);
    expect(checks.map((c) => c.properties.dataCheckStatus)).toEqual(["failed", "failed"]);
    expect(text(checks[0])).toContain("max(calls) < 50");
    expect(text(checks[0])).toContain("62");
    expect(text(checks[0])).toContain("max(calls) = 62, expected < 50");
    expect(text(checks[0])).toContain("a burst of denials from one principal is worth a page");
    const offending = select("[data-expect=denied_by_principal] .rm-offending", ua);
    expect(text(offending)).toContain("arn:aws:iam::210987654321:root");
    expect(text(offending)).not.toContain("user/intruder");
  });

  it("shows each step's latest result: status, duration, data or records scanned, first rows", async () => {
    const ua = await page("runbooks/unauthorized-access");
    const denied = text(select("[data-step-result=denied_by_principal]", ua));
    expect(denied).toContain("failed");
    expect(denied).toContain("180 ms");
    expect(denied).toContain("data scanned 18.3 MB");
    expect(denied).toContain("arn:aws:iam::123456789012:user/intruder");
    const logins = text(select("[data-step-result=failed_console_logins]", ua));
    expect(logins).toContain("records scanned 48,211");
    // The query itself is highlighted by expressive-code.
    expect(select("[data-step=denied_by_principal] .expressive-code pre", ua)).toBeDefined();
    expect(text(select("[data-step=denied_by_principal]", ua))).toContain(
      "useridentity.arn LIKE {{principal_pattern}}",
    );
  });

  it("renders the objective, the parameters, the prose and the escalation of the runbook", async () => {
    const ua = await page("runbooks/unauthorized-access");
    expect(text(select(".rm-objective", ua))).toContain("Failed sign-ins and access-denied calls");
    const params = text(select(".rm-params", ua));
    expect(params).toContain("principal_pattern");
    expect(params).toContain("LIKE pattern of the principal ARNs to look at");
    const prose = select('.rm-document a[href="https://docs.aws.amazon.com/"]', ua);
    expect(text(prose)).toBe("AWS guide");
    expect(text(select("h2#escalation + *", ua))).toContain("Page the security on-call");
  });

  it("marks a warning check once, with its warned outcome", async () => {
    const s3 = await page("runbooks/s3-public-access");
    const checks = selectAll("[data-expect=bucket_policy_changes] tr.rm-check", s3);
    expect(checks.map((c) => c.properties.dataCheckStatus)).toEqual(["warned"]);
    expect(text(select("code", checks[0]))).toBe("warn: rows < 3");
    expect(text(checks[0])).toContain("rows = 3, expected < 3");
  });

  it("shows a step's attributes with its query, and its own window beside its result (review)", async () => {
    const s3 = await page("runbooks/s3-public-access");
    expect(text(select("[data-step=bucket_policy_changes] .title", s3))).toBe(
      "sql · bucket_policy_changes · engine=athena window=30d",
    );
    // The report's truth: the step's window is not the run's.
    const report = JSON.parse(
      await readFile(path.join(fixtureReports, "s3-public-access/latest.json"), "utf8"),
    ) as RunReport;
    const own = report.steps[0]!.window;
    expect(own.start).not.toBe(report.window.start);
    const shown = `${own.start.slice(0, 19).replace("T", " ")} UTC → ${own.end.slice(0, 19).replace("T", " ")} UTC (this step's own)`;
    expect(text(select("[data-step-result=bucket_policy_changes] [data-step-window] dd", s3))).toBe(
      shown,
    );
    const run = await page(
      `runbooks/s3-public-access/runs/${report.startedAt.replaceAll(":", "-")}`,
    );
    expect(text(select("[data-step-window] dd", run))).toBe(shown);
    // A step over the run's own window says nothing more.
    const iam = await page("runbooks/audit-iam");
    expect(selectAll("[data-step-window]", iam)).toHaveLength(0);
    expect(text(select("[data-step] .title", iam))).toMatch(/^sql · [a-z_]+$/);
  });

  it("names a step removed since the run without a dead link, and says why an errored step's checks have no outcome (review)", async () => {
    const kms = await page("runbooks/kms-key-deletion");
    const ids = new Set(selectAll("[id]", kms).map((e) => String(e.properties.id)));
    for (const a of selectAll('[data-summary] a[href^="#"]', kms))
      expect(ids).toContain(String(a.properties.href).slice(1));
    expect(text(select('[data-summary] [data-step-removed="kms_old"]', kms))).toBe(
      "Keys disabled (no longer in the runbook)",
    );
    expect(select('[data-summary] a[href="#step-kms_deletions"]', kms)).toBeTruthy();
    expect(text(select("[data-expect=kms_deletions] [data-no-outcome]", kms))).toBe(
      "not judged: the step errored",
    );
    // A runbook never run says so; a check of a step that ran says what it found.
    const root = await page("runbooks/root-usage");
    expect(text(select("[data-expect=root_calls] [data-no-outcome]", root))).toBe("No run yet");
  });

  it("shows the error and its hint of an errored run", async () => {
    const kms = text(await page("runbooks/kms-key-deletion"));
    expect(kms).toContain("ATHENA_QUERY_FAILED");
    expect(kms).toContain("Table 'awsdatacatalog.default.cloudtrail_logs' does not exist");
    expect(kms).toContain("Hint: Create the CloudTrail table");
  });

  it("says so when a runbook has no run yet", async () => {
    const root = await page("runbooks/root-usage");
    expect(text(select(".rm-norun--runbook", root))).toContain("No run yet");
    expect(text(select("[data-step-result=root_calls]", root))).toContain("No run yet");
    expect(selectAll(".rm-strip a", root)).toHaveLength(0);
  });

  it("gives every heading of a page its own id: the prose's never take the page's sections' (review)", async () => {
    const root = await page("runbooks/root-usage");
    const ids = selectAll("[id]", root).map((e) => String(e.properties.id));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // The page's History section keeps its id; the prose's "History" and its two "Notes" (one
    // before the step and one after it: the prose is one document) get others.
    expect(text(select("h2#history", root))).toBe("History");
    expect(
      selectAll(".sl-markdown-content :is(h2, h3)", root)
        .filter((h) => ["History", "Notes"].includes(text(h)))
        .map((h) => [text(h), h.properties.id]),
    ).toEqual([
      ["History", "history-1"],
      ["Notes", "notes"],
      ["Notes", "notes-1"],
      ["History", "history"],
    ]);
    // The renaming never touches a query's text (review).
    expect(text(select("[data-step=root_calls]", root))).toContain('id="history"');
    // Every link of the table of contents reaches an element of the page.
    for (const a of selectAll(
      'starlight-toc a[href^="#"], mobile-starlight-toc a[href^="#"]',
      root,
    )) {
      const target = String(a.properties.href).slice(1);
      if (target !== "_top") expect(ids).toContain(target);
    }
  });

  it("links to another runbook's file, as GitHub reads it, go to that runbook's page (review)", async () => {
    const root = await page("runbooks/root-usage");
    const hrefs = selectAll(".rm-document a", root).map((a) => String(a.properties.href));
    expect(hrefs).toContain("/runbooks/audit-iam/#new-access-keys");
    expect(hrefs).toContain("/runbooks/audit-iam/");
    // A Markdown file that is no runbook of the site is not on the site: its text stays, not as a
    // link that would lead nowhere (and the build warns).
    expect(hrefs.filter((h) => h.includes("writing-runbooks"))).toEqual([]);
    const kept = select(
      '.rm-document a[data-not-on-site="../../../docs/writing-runbooks.md"]',
      root,
    );
    expect(text(kept)).toBe("format");
    expect(hrefs.filter((h) => h.endsWith("audit-iam.md"))).toEqual([]);
  });

  it("shows what events start a runbook: the pattern, the parameters taken from the event and the window (review)", async () => {
    const root = await page("runbooks/root-usage");
    expect(text(select("h2#triggers", root))).toBe("Started by events");
    const triggers = selectAll("[data-trigger]", root);
    expect(triggers).toHaveLength(1);
    expect(JSON.parse(text(select("pre code", triggers[0])))).toEqual({
      source: ["aws.guardduty"],
      "detail-type": ["GuardDuty Finding"],
      detail: { type: [{ prefix: "Policy:IAMUser/RootCredentialUsage" }] },
    });
    expect(
      selectAll("tbody tr", triggers[0]).map((r) => selectAll("td", r).map((td) => text(td))),
    ).toEqual([["account_id", "$.account"]]);
    // The window as written (7d before), the spec's default after (1h).
    expect(text(select("[data-trigger-window]", triggers[0]))).toBe(
      "Window: from 7d before the event's time to 1h after it.",
    );
    expect(text(select("dl.rm-meta", root))).toContain("manual · started by events");
    const index = await page("");
    expect(text(select('tr[data-runbook="root-usage"]', index))).toContain("manual · on events");
    // A runbook without triggers has no such section.
    expect(select("h2#triggers", await page("runbooks/audit-iam"))).toBeUndefined();
  });

  it("shows the runs of an id two runbooks share on neither page (review: b's run was a's, 'an earlier version')", async () => {
    for (const id of TWIN_IDS) {
      const twin = await page(`runbooks/${id}`);
      expect(text(select("[data-shared-id]", twin))).toContain("another runbook has the id twin");
      expect(text(twin)).not.toContain("earlier version");
      expect(selectAll(".rm-strip a", twin)).toHaveLength(0);
      expect(select("[data-summary]", twin)).toBeUndefined();
    }
    const index = await page("");
    for (const id of TWIN_IDS)
      expect(select(`tr[data-runbook="${id}"]`, index)?.properties.dataStatus).toBe("none");
  });

  it("lists every status page the build writes in the sidebar (review: Unreadable was missing)", async () => {
    const iam = await page("runbooks/audit-iam");
    const linked = new Set(
      selectAll('nav.sidebar a[href^="/status/"]', iam).map((a) => String(a.properties.href)),
    );
    const written = (await readdir(path.join(outDir, "status"))).map((s) => `/status/${s}/`);
    expect(written).toContain("/status/unreadable/");
    expect([...linked].sort()).toEqual(written.sort());
  });

  it("shows an invalid runbook's diagnostics from the core's parser, above its text", async () => {
    const broken = await page("runbooks/broken-typo");
    expect(text(select("h1", broken))).toBe("Console logins without MFA");
    expect(text(select(".rm-diagnostics", broken))).toContain(
      'broken-typo.md:4:1 error unknown front matter key "scedule"',
    );
    expect(text(select(".rm-document", broken))).toContain("json_extract_scalar");
  });

  it("links each run of the history strip to its report page and JSON file", async () => {
    const ua = await page("runbooks/unauthorized-access");
    const links = selectAll(".rm-strip a", ua).map((a) => String(a.properties.href));
    expect(links).toEqual([
      "/runbooks/unauthorized-access/runs/2026-11-21T02-00-05.000Z/",
      "/runbooks/unauthorized-access/runs/2026-11-22T02-00-04.000Z/",
      "/runbooks/unauthorized-access/runs/2026-11-23T02-00-03.000Z/",
    ]);
    expect(selectAll(".rm-strip a", ua).map((a) => String(a.properties.className))).toEqual([
      expect.stringContaining("passed"),
      expect.stringContaining("failed"),
      expect.stringContaining("failed"),
    ]);
    for (const href of links)
      expect(existsSync(path.join(outDir, href, "index.html")), href).toBe(true);
    const run = await page("runbooks/unauthorized-access/runs/2026-11-22T02-00-04.000Z");
    expect(text(select("[data-step=denied_by_principal]", run))).toContain(
      "arn:aws:iam::123456789012:root",
    );
    const json = JSON.parse(
      await readFile(
        path.join(outDir, "reports/unauthorized-access/2026-11-22T02-00-04.000Z.json"),
        "utf8",
      ),
    );
    expect(json.runId).toBe("unauthorized-access-2026-11-22T020004000Z");
  });

  it("publishes each report a page links to, byte for byte, and no other", async () => {
    const linked = new Set<string>();
    for (const f of await readdir(path.join(outDir, "runbooks"), { recursive: true })) {
      if (!f.endsWith(".html")) continue;
      const html = fromHtml(await readFile(path.join(outDir, "runbooks", f), "utf8"));
      for (const a of selectAll('a[href$=".json"]', html)) linked.add(String(a.properties.href));
    }
    // unauthorized-access alone has three runs.
    expect(linked.size).toBeGreaterThan(3);
    const published = (await readdir(path.join(outDir, "reports"), { recursive: true }))
      .filter((f) => f.endsWith(".json"))
      .map((f) => `/reports/${f}`);
    expect(published.sort()).toEqual([...linked].sort());
    for (const href of linked) {
      // The runner's file names are URL-safe here, so the slug is the file name.
      const [, id, name] = /^\/reports\/([^/]+)\/(.+)$/.exec(href)!;
      expect(await readFile(path.join(outDir, href), "utf8"), href).toBe(
        await readFile(path.join(site.reportsDir, id!, name!), "utf8"),
      );
    }
  });

  it("indexes for search exactly the pages marked for it: the runbooks, not the run pages", async () => {
    const entry = JSON.parse(
      await readFile(path.join(outDir, "pagefind/pagefind-entry.json"), "utf8"),
    ) as { languages: Record<string, { page_count: number }> };
    // Truth from the HTML, parsed: the pages with an element Pagefind indexes.
    const marked: string[] = [];
    for (const f of await readdir(outDir, { recursive: true })) {
      if (!f.endsWith(".html")) continue;
      const tree = fromHtml(await readFile(path.join(outDir, f), "utf8"));
      if (select("[data-pagefind-body]", tree)) marked.push(f);
    }
    expect(marked).toContain("runbooks/unauthorized-access/index.html");
    expect(marked.filter((f) => f.includes("/runs/"))).toEqual([]);
    const counts = Object.values(entry.languages).map((l) => l.page_count);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(marked.length);
  });

  it("shows new and resolved offending rows compared with the previous run", async () => {
    const ua = await page("runbooks/unauthorized-access");
    const added = text(select(".rm-diff__new", ua));
    const resolved = text(select(".rm-diff__resolved", ua));
    expect(added).toContain("arn:aws:iam::210987654321:root");
    expect(resolved).toContain("arn:aws:iam::123456789012:root");
    expect(text(select(".rm-diff", ua))).toContain("actual 7 → 62");
  });
});

/**
 * Opens `url` and waits until the page's request to /api/me has ended (answered or failed) and
 * the page is idle after it: what its scripts do without a server is done. Playwright's
 * "networkidle" waits half a second of silence after each page instead.
 */
async function openSettled(tab: Page, url: string): Promise<void> {
  const me = new Promise<void>((resolve) => {
    const ended = (r: Request) => {
      if (new URL(r.url()).pathname !== "/api/me") return;
      tab.off("requestfinished", ended);
      tab.off("requestfailed", ended);
      resolve();
    };
    tab.on("requestfinished", ended);
    tab.on("requestfailed", ended);
  });
  await tab.goto(url);
  await me;
  await tab.evaluate(
    () => new Promise<void>((r) => requestIdleCallback(() => r(), { timeout: 2000 })),
  );
}

describe("in a browser", () => {
  let chrome: Chromium | undefined;
  let browser: Chromium["browser"] | undefined;
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  let skipReason: string | undefined;

  beforeAll(async () => {
    const launched = await launchChromium();
    if ("skipReason" in launched) {
      skipReason = launched.skipReason;
      return;
    }
    chrome = launched;
    browser = launched.browser;
    server = await serveStatic(outDir);
    await mkdir(artifacts, { recursive: true });
  }, 360_000); // a browser on a busy machine

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
  });

  /** A fresh tab, or undefined (and the test skipped, saying why) without chromium. */
  async function newTab(ctx: { skip: () => void }): Promise<Page | undefined> {
    if (!browser) {
      skipOrFail(ctx, skipReason ?? "the browser did not start");
      return undefined;
    }
    const tab = await browser.newPage();
    await tab.setViewportSize({ width: 1280, height: 900 });
    await tab.emulateMedia({ colorScheme: "light" });
    return tab;
  }

  it("filters the index to failed runbooks, opens one and shows its failed expectation with the offending rows", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    try {
      await tab.goto(`${server.url}/`);
      const all = runbookIds.length;
      await expect.poll(() => tab.locator("tr[data-runbook]:visible").count()).toBe(all);
      // The fixtures' nightly runs are of November 2026: stale against the browser's clock.
      const stale = tab.locator('tr[data-runbook="kms-key-deletion"] [data-rm-stale]');
      await expect.poll(() => stale.isVisible()).toBe(true);
      expect(await stale.textContent()).toMatch(
        /^⚠ stale: the last run is \d+ days old \(schedule: nightly\)$/,
      );

      // Failed: unauthorized-access, the hostile runbook and two of versions.test.ts.
      await tab.getByRole("button", { name: /^failed/ }).click();
      const failed = failedIds.length;
      await expect.poll(() => tab.locator("tr[data-runbook]:visible").count()).toBe(failed);
      expect(new URL(tab.url()).search).toBe("?status=failed");
      expect(await tab.locator("[data-filter-count]").textContent()).toBe(
        `${failed} of ${all} shown`,
      );
      await tab.screenshot({ path: path.join(artifacts, "site-index-failed.png") });

      await tab.locator("tr[data-runbook]:visible a.rm-index__title").first().click();
      await tab.waitForURL(/\/runbooks\/unauthorized-access\/$/);
      // Its latest nightly run is of November 2026 too: stale on its page as on the index.
      await expect.poll(() => tab.locator("[data-summary] [data-rm-stale]").isVisible()).toBe(true);
      const failedCheck = tab.locator(
        '[data-expect=denied_by_principal] tr[data-check-status="failed"]',
        {
          hasText: "no principal like '%:root'",
        },
      );
      await expect.poll(() => failedCheck.isVisible()).toBe(true);
      const offending = tab.locator("[data-expect=denied_by_principal] .rm-offending");
      expect(await offending.isVisible()).toBe(true);
      expect(await offending.textContent()).toContain("arn:aws:iam::210987654321:root");

      // A viewport shot centred on the failed expectation (a full-page shot repeats the sticky
      // header in the middle of the picture).
      await tab.setViewportSize({ width: 1280, height: 1200 });
      await failedCheck.evaluate((el) => el.scrollIntoView({ block: "center" }));
      const shot = path.join(artifacts, "site-failed-runbook.png");
      await tab.screenshot({ path: shot });
      expect((await readFile(shot)).length).toBeGreaterThan(10_000);

      // Dark mode (Starlight follows the system's preference when left on "Auto").
      await tab.emulateMedia({ colorScheme: "dark" });
      await tab.reload();
      expect(await tab.locator("html").getAttribute("data-theme")).toBe("dark");
      await failedCheck.evaluate((el) => el.scrollIntoView({ block: "center" }));
      await tab.screenshot({ path: path.join(artifacts, "site-failed-runbook-dark.png") });

      // The tag filter narrows the list too, and the filter survives a reload through the URL.
      await tab.goto(`${server.url}/?tag=iam`);
      await expect.poll(() => tab.locator("tr[data-runbook]:visible").count()).toBe(2);
      // A tag with a space is one tag (review: "incident" matched "incident response" too, and
      // "incident response" matched nothing), as on the static tag pages.
      const shown = async (tag: string) => {
        await tab.goto(`${server!.url}/?tag=${encodeURIComponent(tag)}`);
        await expect.poll(() => tab.locator("tr[data-runbook]:visible").count()).toBe(1);
        return tab.locator("tr[data-runbook]:visible").getAttribute("data-runbook");
      };
      expect(await shown("incident")).toBe("kms-key-deletion");
      expect(await shown("incident response")).toBe("unauthorized-access");
    } finally {
      await tab.close();
    }
  }, 120_000);

  it("after a nightly with failures: reads each failing check and its value on the index, then the runbook's summary with the offending actor above the first step", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    try {
      // Truth from the report file itself: the latest run's failed checks, label and message.
      const report = JSON.parse(
        await readFile(path.join(fixtureReports, "unauthorized-access/latest.json"), "utf8"),
      ) as RunReport;
      const failed = report.steps.flatMap((st) => st.checks.filter((c) => c.status === "failed"));
      expect(failed).toHaveLength(3);

      await tab.goto(`${server.url}/`);
      const row = tab.locator('tr[data-runbook="unauthorized-access"]');
      const items = row.locator("[data-failing-check]");
      await expect.poll(() => items.count()).toBe(failed.length);
      for (const [i, c] of failed.entries()) {
        const item = items.nth(i);
        expect(await item.locator(".rm-failing__label").textContent()).toBe(c.label ?? c.check);
        expect(await item.locator(".rm-failing__value").textContent()).toBe(`(${c.message})`);
      }
      expect(await items.first().locator(".rm-failing__value").textContent()).toBe(
        "(max(calls) = 62, expected < 50)",
      );
      // The heat strip: one cell per day, ending on the day of the site's newest run (truth from
      // the report files), the last three days' runs passed, failed, failed.
      expect((await newestRun(site.reportsDir)).slice(0, 10)).toBe("2026-11-23");
      const days = row.locator("[data-day]");
      expect(await days.count()).toBe(30);
      const statuses = await days.evaluateAll((els) =>
        els.map((e) => (e as HTMLElement).dataset.dayStatus),
      );
      expect(statuses.slice(-3)).toEqual(["passed", "failed", "failed"]);
      expect(statuses.slice(0, -3).every((st) => st === "none")).toBe(true);
      expect(await days.last().locator(".rm-sr-only").textContent()).toBe("2026-11-23: failed");
      await tab.screenshot({ path: path.join(artifacts, "site-index.png"), fullPage: true });

      await row.locator("a.rm-index__title").click();
      await tab.waitForURL(/\/runbooks\/unauthorized-access\/$/);
      const summary = tab.locator("[data-summary]");
      await expect.poll(() => summary.isVisible()).toBe(true);
      // The burst's actor: the row with the most calls in the step's result, found here.
      const step = report.steps.find((st) => st.id === "denied_by_principal")!;
      const top = [...step.rows].sort((a, b) => Number(b[2]) - Number(a[2]))[0]![0];
      expect(top).toBe("arn:aws:iam::123456789012:user/intruder");
      const first = summary.locator("[data-summary-check]").first();
      expect(await first.getAttribute("data-summary-check")).toBe("max(calls) < 50");
      expect(await first.locator(".rm-offender").textContent()).toBe(top);
      // The root principal of the `no ... like` check is its first offending row.
      const root = summary.locator(
        "[data-summary-check=\"no principal like '%:root'\"] .rm-offender",
      );
      expect(await root.textContent()).toBe("arn:aws:iam::210987654321:root");
      expect(await summary.textContent()).toContain("Page the security on-call");
      // Above the first step, and in the first screen.
      const summaryBox = (await summary.boundingBox())!;
      const stepBox = (await tab.locator("[data-step]").first().boundingBox())!;
      expect(summaryBox.y + summaryBox.height).toBeLessThan(stepBox.y);
      expect(summaryBox.y).toBeLessThan(900);
      await tab.screenshot({ path: path.join(artifacts, "site-runbook-summary.png") });

      // The hour-by-hour chart, drawn at build time: a bar per hour, two marked ✗.
      const chart = tab.locator("[data-step-result=denied_per_hour] [data-chart=series]");
      await chart.scrollIntoViewIfNeeded();
      expect(await chart.locator("svg g.rm-bars rect").count()).toBe(
        report.steps.find((st) => st.id === "denied_per_hour")!.rows.length,
      );
      expect(await chart.locator("svg g.rm-offending-marks text").count()).toBe(2);
      await tab.setViewportSize({ width: 1280, height: 1100 });
      await chart.evaluate((el) => el.scrollIntoView({ block: "center" }));
      await tab.screenshot({ path: path.join(artifacts, "site-runbook-chart.png") });

      // The run's permanent page, from the summary.
      await summary.getByRole("link", { name: "this run's page" }).click();
      await tab.waitForURL(/\/runbooks\/unauthorized-access\/runs\/2026-11-23T02-00-03\.000Z\/$/);
      const cost = tab.locator("[data-chart=cost] svg g.rm-step-bars rect");
      expect(await cost.count()).toBe(report.steps.length);
      await tab.screenshot({ path: path.join(artifacts, "site-run-page.png") });
    } finally {
      await tab.close();
    }
  }, 120_000);

  it("finds a runbook with the search box", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    // What the page went through, for the message when the form never comes (seen once in a
    // full run under perf: nothing said why).
    const trouble: string[] = [];
    tab.on("pageerror", (e) => trouble.push(`page error: ${e.message}`));
    tab.on("console", (m) => m.type() === "error" && trouble.push(`console: ${m.text()}`));
    tab.on("requestfailed", (r) => trouble.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    tab.on("response", (r) => r.status() >= 400 && trouble.push(`${r.status()}: ${r.url()}`));
    try {
      await tab.goto(`${server.url}/`);
      await tab.locator("button[data-open-modal]").click();
      // Starlight makes the search form when the browser is idle: slow on a busy machine.
      const input = tab.locator("#starlight__search input");
      await input.waitFor({ timeout: 90_000 }).catch((e: Error) => {
        const open = tab.evaluate(() => document.querySelector("dialog")?.open ?? "no dialog");
        return open.then((o) => {
          throw new Error(`${e.message}\ndialog open: ${o}\n${trouble.join("\n") || "no error"}`);
        });
      });
      await input.fill("unauthorized");
      const hit = tab.locator('#starlight__search a[href*="/runbooks/unauthorized-access/"]');
      await expect.poll(() => hit.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    } finally {
      await tab.close();
    }
  }, 150_000);

  const MODERATE_RULES = ["heading-order", "landmark-unique"];

  it("has no serious or critical accessibility violations (axe-core) on the index, a runbook page and a run page, light and dark", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    try {
      const pages = [
        "/",
        "/runbooks/unauthorized-access/",
        "/runbooks/unauthorized-access/runs/2026-11-23T02-00-03.000Z/",
        "/runbooks/kms-key-deletion/",
        "/query/",
      ];
      // Every page and theme first, then one assertion: the failure lists all there is to fix.
      const found: string[] = [];
      const theme = () => tab.evaluate(() => document.documentElement.dataset.theme);
      for (const p of pages) {
        await tab.emulateMedia({ colorScheme: "light" });
        await tab.goto(`${server.url}${p}`);
        expect(await theme(), p).toBe("light");
        for (const v of await axeViolations(tab)) found.push(`${p} (light) ${v}`);
        // Two moderate rules too (review): headings in order, and a name of its own for each
        // region (every step's rows were "Result rows").
        for (const v of await axeViolations(tab, MODERATE_RULES, "moderate"))
          found.push(`${p} (light) ${v}`);
        // Dark: the rules a theme can change (the others looked at the same page in light). A
        // page with Starlight's theme picker follows the system's switch as it happens (the
        // picker listens); another page reads the theme when it loads, so it is loaded again.
        const follows = await tab.evaluate(
          () => document.querySelector("starlight-theme-select") !== null,
        );
        await tab.emulateMedia({ colorScheme: "dark" });
        if (follows) {
          await tab.waitForFunction(() => document.documentElement.dataset.theme === "dark");
        } else {
          await tab.goto(`${server.url}${p}`);
        }
        expect(await theme(), p).toBe("dark");
        for (const v of await axeViolations(tab, COLOUR_RULES)) found.push(`${p} (dark) ${v}`);
      }
      expect(found).toEqual([]);
      // The check sees a violation: grey text on grey, added to the last page.
      await tab.evaluate(() =>
        document.body.insertAdjacentHTML(
          "beforeend",
          '<p id="rm-low-contrast" style="color:#777;background:#888">hard to read</p>',
        ),
      );
      expect(await axeViolations(tab, COLOUR_RULES)).toEqual([
        "color-contrast (serious): #rm-low-contrast",
      ]);
    } finally {
      await tab.close();
    }
  }, 180_000);

  /** What the pages' policy refused so far (recorded from the tab's first script on). */
  const refusals = (tab: Page) =>
    tab.evaluate(() => (window as unknown as { rmRefused: string[] }).rmRefused);

  it("runs no script but the site's own: no page breaks its policy, and script a value brings never runs", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    await tab.addInitScript(() => {
      const refused: string[] = [];
      (window as unknown as { rmRefused: string[] }).rmRefused = refused;
      document.addEventListener("securitypolicyviolation", (e) =>
        refused.push(`${e.effectiveDirective} ${e.blockedURI || "inline"}`),
      );
    });
    try {
      // Every kind of page: Starlight's, the runbook with its chart, the hostile runbook's, a
      // run page, the pages that need the server.
      for (const p of [
        "/",
        "/runbooks/unauthorized-access/",
        `/runbooks/${HOSTILE_ID}/`,
        "/runbooks/unauthorized-access/runs/2026-11-23T02-00-03.000Z/",
        "/run/?id=r1",
        "/runs/",
        "/audit/",
        "/query/",
      ]) {
        await openSettled(tab, `${server.url}${p}`);
        expect(await tab.locator("h1").count(), p).toBeGreaterThan(0);
        expect(await refusals(tab), p).toEqual([]);
      }
      // A value that reached the page as markup (by the build or by the live view): a script
      // element and an event handler attribute, on a Starlight page and on a plain one.
      for (const p of [`/runbooks/${HOSTILE_ID}/`, "/run/?id=r1"]) {
        await openSettled(tab, `${server.url}${p}`);
        await tab.evaluate(() => {
          const w = window as unknown as { rmRan: string[] };
          w.rmRan = [];
          const script = document.createElement("script");
          script.textContent = "window.rmRan.push('script element')";
          document.body.append(script);
          document.body.insertAdjacentHTML(
            "beforeend",
            `<img src="/no-such-picture.png" alt="" onerror="window.rmRan.push('onerror')">`,
          );
        });
        await expect
          .poll(() => refusals(tab), { timeout: 10_000 })
          .toEqual(["script-src-elem inline", "script-src-attr inline"]);
        const ran = await tab.evaluate(() => (window as unknown as { rmRan: string[] }).rmRan);
        expect(ran, p).toEqual([]);
      }
    } finally {
      await tab.close();
    }
  }, 120_000);

  it("shows no run form, session links or live view without run-md serve, and logs no error", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    const errors: string[] = [];
    const api: string[] = [];
    const apiPath = (u: string) => new URL(u, server!.url).pathname;
    tab.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
    tab.on("request", (r) => {
      if (apiPath(r.url()).startsWith("/api/")) api.push(apiPath(r.url()));
    });
    // The one error a browser logs by itself: the failed load of /api/me (404 here, as on
    // GitHub Pages). Any other (a script error, another failed request) fails the test.
    tab.on("console", (m) => {
      if (m.type() !== "error") return;
      if (m.text().startsWith("Failed to load resource") && apiPath(m.location().url) === "/api/me")
        return;
      errors.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    try {
      // As served statically (404), then as when the fetch itself fails.
      for (const broken of [false, true]) {
        if (broken) await tab.route("**/api/**", (r) => r.abort("connectionrefused"));
        for (const p of [
          "/runbooks/unauthorized-access/",
          "/run/?id=r1",
          "/runs/",
          "/audit/",
          "/query/",
        ]) {
          api.length = 0;
          await openSettled(tab, `${server.url}${p}`);
          expect(api, p).toEqual(["/api/me"]);
          expect(await tab.locator("[data-rm-session]:visible").count(), p).toBe(0);
        }
        // The runbook page was built with its form, which stays hidden.
        await openSettled(tab, `${server.url}/runbooks/unauthorized-access/`);
        expect(await tab.locator("form[data-run-form]").count()).toBe(1);
        expect(await tab.locator("form[data-run-form]").isVisible()).toBe(false);
        await openSettled(tab, `${server.url}/run/?id=r1`);
        expect(await tab.locator("[data-needs-server]").isVisible()).toBe(true);
        expect(await tab.locator("[data-live-run]").isVisible()).toBe(false);
      }
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);

  it("works from the keyboard: the runbook link is reached with Tab, shows its focus and opens with Enter", async (ctx) => {
    const tab = await newTab(ctx);
    if (!tab || !server) return;
    try {
      await tab.goto(`${server.url}/`);
      const target = 'tr[data-runbook="unauthorized-access"] a.rm-index__title';
      let reached = false;
      for (let i = 0; i < 80 && !reached; i++) {
        await tab.keyboard.press("Tab");
        reached = await tab.locator(target).evaluate((el) => el === document.activeElement);
      }
      expect(reached).toBe(true);
      const outline = await tab
        .locator(target)
        .evaluate((el) => getComputedStyle(el).outlineStyle !== "none");
      expect(outline).toBe(true);
      await tab.keyboard.press("Enter");
      await tab.waitForURL(/\/runbooks\/unauthorized-access\/$/);
    } finally {
      await tab.close();
    }
  }, 60_000);
});

/** The newest `startedAt` of the report files under `reportsDir` (one folder per runbook). */
async function newestRun(reportsDir: string): Promise<string> {
  let newest = "";
  for (const f of await readdir(reportsDir, { recursive: true })) {
    if (!f.endsWith(".json")) continue;
    const r = JSON.parse(await readFile(path.join(reportsDir, f), "utf8")) as RunReport;
    if (r.startedAt > newest) newest = r.startedAt;
  }
  return newest;
}
