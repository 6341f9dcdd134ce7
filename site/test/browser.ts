/**
 * Debian's chromium-headless-shell for the site's browser tests, driven by playwright-core: one
 * launcher for the static site's test and the served site's (run-md serve) tests.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { chromiumPath } from "../../test/ci-prerequisites.ts";

const require = createRequire(import.meta.url);

export interface Chromium {
  browser: BrowserContext;
  close(): Promise<void>;
}

/**
 * A fresh headless chromium with its own profile, or the reason there is none (the browser is
 * installed by scripts/install-chromium.sh, npm test's pretest, never by a test).
 */
export async function launchChromium(): Promise<Chromium | { skipReason: string }> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    return {
      skipReason: `the browser test needs ${executablePath}: run scripts/install-chromium.sh`,
    };
  }
  const profile = await mkdtemp(path.join(tmpdir(), "run-md-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The rules that look at colours: what a change of theme (light, dark) can change. */
export const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

/**
 * axe-core's serious and critical violations on the page shown, as `rule: target` lines: of
 * WCAG 2.2 AA's rules, or only of `rules` (COLOUR_RULES for the same page in another theme).
 */
export async function axeViolations(
  tab: Page,
  rules?: string[],
  /** The least impact reported: serious (and critical) by default. */
  least: "serious" | "moderate" = "serious",
): Promise<string[]> {
  // Expressive-code's own script makes a code block that overflows focusable, once the page
  // has settled (a resize observer, then an idle callback): check the page a reader gets.
  await tab.waitForFunction(
    () =>
      [...document.querySelectorAll(".expressive-code pre")].every(
        (pre) => pre.scrollWidth <= pre.clientWidth || pre.hasAttribute("tabindex"),
      ),
    undefined,
    { timeout: 15_000 },
  );
  // Once per page load (a page checked again in another theme has it already).
  if (!(await tab.evaluate(() => "axe" in window))) {
    // Evaluated by the browser's tools, as a page's own script could not be: the pages' policy
    // runs no script element but theirs (src/lib/script-policy.ts).
    const source = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
    await tab.evaluate(source);
  }
  const runOnly = rules
    ? { type: "rule", values: rules }
    : { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] };
  // Violations only: axe then skips the details of what passed (resultTypes), and the page hands
  // back the lines, not axe's whole result with every node it looked at (a third of the
  // browser's CPU for this check, measured on the site test's pages).
  const impacts =
    least === "serious" ? ["serious", "critical"] : ["moderate", "serious", "critical"];
  return await tab.evaluate(
    async ([only, kept]) => {
      type Violation = { id: string; impact: string; nodes: { target: string[] }[] };
      const { axe } = window as unknown as {
        axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> };
      };
      const result = await axe.run(document, { runOnly: only, resultTypes: ["violations"] });
      return result.violations
        .filter((v) => (kept as string[]).includes(v.impact))
        .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")}`));
    },
    [runOnly, impacts] as const,
  );
}
