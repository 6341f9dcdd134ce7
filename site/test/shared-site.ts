/**
 * The one Astro build of the site that the site's tests read (about 20 s of CPU; issue 12): the
 * fixture runbooks and reports (site/test/fixtures, read by site.test.ts), the served runbooks
 * (RUNBOOK and SLOW_RUNBOOK of serve-fixture.ts, served by serve.test.ts and approval.test.ts) and
 * the hostile runbook with the report the real binary writes of it (hostile-fixture.ts, read by
 * escaping.test.ts) and the runbooks changed since their run (changed-fixture.ts, read by
 * versions.test.ts) and the runs an optional step's failure only warned (warned-fixture.ts, read
 * by warned-runs.test.ts). Made once per test run, in the run's folder (`inject("runDir")`), by
 * whichever file asks first while the others wait for it (they run in different workers). A
 * failed build fails them all, with its message. Read it, never write into it.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { toString as hastToString } from "hast-util-to-string";
import { buildSite } from "../../scripts/nightly/build-site.ts";
import { runDir } from "../../test/run-dir.ts";
import { writeChanged } from "./changed-fixture.ts";
import { writeHostile } from "./hostile-fixture.ts";
import { RUNBOOK, RUNBOOK_ID, SLOW_ID, SLOW_RUNBOOK } from "./serve-fixture.ts";
import { writeWarned } from "./warned-fixture.ts";

/** The runbooks and reports of site.test.ts, kept in the repository. */
export const FIXTURES = path.join(import.meta.dirname, "fixtures");

/** Two runbooks of one id (`twins/a/twin.md`, `twins/b/twin.md`): the second's page is `twin--twin`. */
export const TWIN_IDS = ["twin", "twin--twin"];

/**
 * The twins, and a report of id `twin` that `twins/b/twin.md` wrote (a fixture report of another
 * runbook, renamed): neither page may show it as its run.
 */
async function writeTwins(runbooksDir: string, reportsDir: string): Promise<void> {
  const book = (title: string) =>
    `---\ntitle: ${title}\n---\n\n\`\`\`sql s\nSELECT 1 AS one\n\`\`\`\n`;
  for (const [dir, title] of [
    ["a", "Twin in a"],
    ["b", "Twin in b"],
  ] as const) {
    await mkdir(path.join(runbooksDir, "twins", dir), { recursive: true });
    await writeFile(path.join(runbooksDir, "twins", dir, "twin.md"), book(title));
  }
  const report = JSON.parse(
    await readFile(path.join(FIXTURES, "reports/audit-iam/latest.json"), "utf8"),
  ) as { runbook: Record<string, unknown>; startedAt: string };
  report.runbook = { ...report.runbook, id: "twin", title: "Twin in b", path: "twins/b/twin.md" };
  await mkdir(path.join(reportsDir, "twin"), { recursive: true });
  const name = `${report.startedAt.replaceAll(":", "-")}.json`;
  await writeFile(path.join(reportsDir, "twin", name), JSON.stringify(report));
}

/** The shared build (`outDir`) and what it was built from. */
export interface SharedSite {
  outDir: string;
  runbooksDir: string;
  reportsDir: string;
}

/**
 * The shared site, built by this call or by another's; resolves once it is whole. The global
 * setup starts the build (test/global-setup.ts, passing the run's folder) when the run includes
 * a file that reads it, so that it overlaps other files' tests instead of keeping a worker
 * waiting; test files call it without arguments and wait for that build.
 */
export async function sharedSite(run: string = runDir()): Promise<SharedSite> {
  const work = path.join(run, "site-work");
  const site: SharedSite = {
    outDir: path.join(run, "site"),
    runbooksDir: path.join(work, "runbooks"),
    reportsDir: path.join(work, "reports"),
  };
  const failed = path.join(run, "site.failed");
  if (await created(work)) {
    try {
      await buildShared(work, site);
    } catch (e) {
      await writeFile(failed, e instanceof Error ? (e.stack ?? e.message) : String(e));
      throw e;
    }
  } else {
    while (!existsSync(site.outDir)) {
      if (existsSync(failed))
        throw new Error(`the shared site build failed:\n${await readFile(failed, "utf8")}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return site;
}

/** A copy of the shared site in `outDir`, for a server of its own to serve. */
export async function copySharedSite(outDir: string): Promise<void> {
  await cp((await sharedSite()).outDir, outDir, { recursive: true });
}

/** Whether this call made `dir` (false: another process made it first). */
async function created(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

async function buildShared(work: string, site: SharedSite): Promise<void> {
  const { runbooksDir, reportsDir } = site;
  await cp(path.join(FIXTURES, "runbooks"), runbooksDir, { recursive: true });
  await cp(path.join(FIXTURES, "reports"), reportsDir, { recursive: true });
  await writeFile(path.join(runbooksDir, `${RUNBOOK_ID}.md`), RUNBOOK);
  await writeFile(path.join(runbooksDir, `${SLOW_ID}.md`), SLOW_RUNBOOK);
  await writeHostile(runbooksDir, reportsDir, work);
  await writeTwins(runbooksDir, reportsDir);
  await writeChanged(runbooksDir, reportsDir);
  await writeWarned(runbooksDir, reportsDir);
  const out = path.join(work, "site");
  const result = await buildSite({ runbooksDir, reportsDir, outDir: out });
  console.log(`the shared site build: ${Math.round(result.durationMs)} ms`);
  await rename(out, site.outDir); // whole, or not at all: the others wait for this name
}

/** A built page (`route` under the site's output folder, its index.html), parsed. */
export async function builtPage(outDir: string, route: string): Promise<Root> {
  return fromHtml(await readFile(path.join(outDir, route, "index.html"), "utf8"));
}

/** A node's text as a reader sees it: white space run together, trimmed ("" for none). */
export const text = (node: Parameters<typeof hastToString>[0] | undefined): string =>
  node ? hastToString(node).replace(/\s+/g, " ").trim() : "";
