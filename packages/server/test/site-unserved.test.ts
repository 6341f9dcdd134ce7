/**
 * A runbook the site has pages for but the server does not serve (it does not load, or its id is
 * another's): a caller who may view every served runbook still must not get its rows, its search
 * text or its sitemap lines.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, FIXTURES, startTestServer, type TestServer } from "./helpers.ts";

const row = (id: string) =>
  `<tr data-runbook="${id}" data-status="failed"><td><a href="/runbooks/${id}/">Title of ${id}</a></td></tr>`;
const IDS = ["iam-low", "net-critical", "slow"];

let t: TestServer;
let root: string;

/** The served runbooks' pages, and those of `restricted`, which the server does not have. */
async function site(): Promise<string> {
  const dir = path.join(root, "site");
  const ids = [...IDS, "restricted"];
  const pages = [
    "pagefind/pagefind.js",
    "sitemap-0.xml",
    ...ids.map((id) => `runbooks/${id}/index.html`),
  ];
  for (const p of pages) {
    await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await writeFile(path.join(dir, p), `page ${p}\n`);
  }
  const index = `<table><tbody>${ids.map(row).join("")}</tbody></table>`;
  await writeFile(path.join(dir, "index.html"), index);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "run-md-unserved-"));
  t = await startTestServer({
    runbooks: [FIXTURES],
    access: { rules: [{ groups: ["leads"], allow: ["view"] }] },
    server: { siteDir: await site() },
    tokens: { leads: { groups: ["leads"], user: "lee@example.com" } },
  });
});
afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

describe("a site with pages of a runbook the server does not serve", () => {
  it("gives a caller who views every served runbook the list pages without it, and no search index or sitemap", async () => {
    const token = t.tokens.leads;
    const index = await call(`${t.url}/`, { token });
    expect(index.status).toBe(200);
    expect(index.body).toContain('data-runbook="slow"');
    expect(index.body).not.toContain("restricted");
    expect((await call(`${t.url}/pagefind/pagefind.js`, { token })).status).toBe(404);
    expect((await call(`${t.url}/sitemap-0.xml`, { token })).status).toBe(404);
    expect((await call(`${t.url}/runbooks/restricted/`, { token })).status).toBe(404);
  });

  it("filters the pages, never shows them whole, when the site's runbooks folder cannot be read", async () => {
    const token = t.tokens.leads;
    const runbooks = path.join(root, "site", "runbooks");
    await rename(runbooks, `${runbooks}.moved`);
    try {
      // As during a rebuild into the served folder: no runbook pages to compare with.
      expect((await call(`${t.url}/pagefind/pagefind.js`, { token })).status).toBe(404);
      const index = await call(`${t.url}/`, { token });
      expect(index.body).not.toContain("restricted");
    } finally {
      await rename(`${runbooks}.moved`, runbooks);
    }
  });
});
