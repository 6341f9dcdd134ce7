/**
 * Debian's chromium for the site's browser tests, driven by playwright-core: one launcher for
 * the static site's test and the served site's (run-md serve) test.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { chromiumPath } from "../../test/ci-prerequisites.ts";

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
