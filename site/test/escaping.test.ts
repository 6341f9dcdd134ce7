/**
 * The site under hostile input (issue 10): a runbook title that closes `<title>`, raw HTML and
 * `javascript:` links in prose, log values that are markup, and tags with `/`. Builds a real site
 * from a runbook and a report the real `run-md` wrote, then reads the HTML.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Element, Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { select, selectAll } from "hast-util-select";
import { toString as hastToString } from "hast-util-to-string";
import { visit } from "unist-util-visit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "../../scripts/nightly/build-site.ts";
import { runMdHere as runMd } from "../../test/in-process.ts";

const TITLE = "x </title><script>alert(1)</script>";
const AGENT = "<img src=x onerror=alert(2)>";
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";

const RUNBOOK = `---
title: "${TITLE}"
description: "Objective <script>alert(9)</script>"
tags: [ci/cd, ci-cd, "a<b"]
schedule: nightly
---

Some prose <script>alert(3)</script> and <img src=x onerror="alert(4)"> and
[click](javascript:alert(5)) and <a href="javascript:alert(6)">raw link</a> and
[spaced](  JaVaScRiPt:alert(7)) and ![pic](javascript:alert(8)) and **bold** and
[a real link](https://example.com/docs).

<iframe src="https://evil.example"></iframe>

## Who called

\`\`\`sql agents
SELECT useragent, useridentity.accesskeyid AS key_id, count(*) AS calls
FROM cloudtrail_logs GROUP BY 1, 2 ORDER BY 1
\`\`\`

\`\`\`expect
no useragent like '%onerror%'
\`\`\`
`;

let work: string;
let outDir: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-site-escaping-"));
  const runbooks = path.join(work, "runbooks");
  const reports = path.join(work, "reports");
  const logs = path.join(work, "logs");
  outDir = path.join(work, "dist");
  await Promise.all([mkdir(runbooks), mkdir(logs)]);
  await writeFile(path.join(runbooks, "hostile.md"), RUNBOOK);
  // Inside the runbook's own window (the last 24 hours): a full run, which is what the site
  // shows as a runbook's result (a run with another window is an investigation, kept apart).
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  const record = {
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      arn: "arn:aws:iam::111122223333:user/eve",
      userName: "eve",
      accessKeyId: KEY_ID,
    },
    eventTime: at.toISOString().replace(".000Z", "Z"),
    eventSource: "sts.amazonaws.com",
    eventName: "GetCallerIdentity",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.9",
    userAgent: AGENT,
    eventID: "00000000-0000-4000-8000-000000000001",
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
  };
  await writeFile(path.join(logs, "events.json"), JSON.stringify({ Records: [record] }));
  // Published to a wide audience: the run hides access key ids (mask.accessKeyIds: hide).
  const run = await runMd(
    [path.join(runbooks, "hostile.md"), "--log-dir", logs, "--reports-dir", reports],
    { env: { RUN_MD_MASK_ACCESS_KEY_IDS: "hide" } },
  );
  expect(run.code, run.stderr).toBe(1); // the check found the hostile agent
  await buildSite({ runbooksDir: runbooks, reportsDir: reports, outDir });
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function page(route: string): Promise<Root> {
  return fromHtml(await readFile(path.join(outDir, route, "index.html"), "utf8"));
}

/** Everything in a page that would run script: event handlers, script URLs, scripts we did not write. */
function liveScript(tree: Root): string[] {
  const found: string[] = [];
  visit(tree, "element", (el: Element) => {
    for (const [name, value] of Object.entries(el.properties)) {
      if (/^on/i.test(name)) found.push(`${el.tagName} ${name}`);
      const v = String(value ?? "").replace(/[\s\u0000-\u001f]/g, "");
      if (/^(href|src|action|formAction)$/i.test(name) && /^javascript:/i.test(v)) {
        found.push(`${el.tagName} ${name}=${v}`);
      }
    }
    if (el.tagName === "script" && /alert\(/.test(hastToString(el))) found.push("script alert");
    if (el.tagName === "iframe") found.push("iframe");
  });
  return found;
}

describe("the site escapes and sanitizes what runbooks and logs put in it", () => {
  it("escapes the runbook title in <title> and shows it as written", async () => {
    const doc = await page("runbooks/hostile");
    expect(hastToString(select("title", doc)!)).toBe(`${TITLE} | run-md runbooks`);
    expect(hastToString(select("h1", doc)!)).toBe(TITLE);
    const runs = await readdir(path.join(outDir, "runbooks/hostile/runs"));
    const run = await page(`runbooks/hostile/runs/${runs[0]}`);
    expect(hastToString(select("title", run)!)).toContain(TITLE);
    for (const route of ["", "runbooks/hostile", `runbooks/hostile/runs/${runs[0]}`]) {
      expect(liveScript(await page(route)), route).toEqual([]);
    }
  });

  it("sanitizes the prose: no raw HTML, no javascript: links, the Markdown itself kept", async () => {
    const doc = await page("runbooks/hostile");
    const prose = select(".rm-document", doc)!;
    expect(liveScript({ type: "root", children: [prose] })).toEqual([]);
    // The only script is expressive-code's own (its copy button), loaded from the site; the
    // image whose src was a javascript: URL is left without one.
    const scripts = selectAll("img, iframe, script", prose).map(
      (e) => `${e.tagName} ${String(e.properties.src ?? "")}`,
    );
    expect(scripts.filter((s) => !/^script \/_astro\/ec\.[\w-]+\.js$/.test(s))).toEqual(["img "]);
    expect(text(select("strong", prose))).toBe("bold");
    expect(select('a[href="https://example.com/docs"]', prose)).toBeDefined();
    expect(text(select("h2#who-called", prose))).toBe("Who called");
  });

  it("shows hostile log values as text", async () => {
    const doc = await page("runbooks/hostile");
    expect(hastToString(select("[data-step-result=agents]", doc)!)).toContain(AGENT);
    expect(selectAll("img", doc).filter((i) => i.properties.src === "x")).toHaveLength(0);
  });

  it("publishes no access key id when the runs hid them", async () => {
    const runs = await readdir(path.join(outDir, "runbooks/hostile/runs"));
    const json = await readdir(path.join(outDir, "reports/hostile"));
    const texts = [
      await readFile(path.join(outDir, "runbooks/hostile/index.html"), "utf8"),
      await readFile(path.join(outDir, "runbooks/hostile/runs", runs[0]!, "index.html"), "utf8"),
      await readFile(path.join(outDir, "reports/hostile", json[0]!), "utf8"),
    ];
    for (const t of texts) {
      expect(t).not.toContain(KEY_ID);
      expect(t).toContain("AKIA****************");
    }
  });

  it("gives tags with / and other characters pages of their own", async () => {
    const doc = await page("runbooks/hostile");
    const hrefs = selectAll("a.rm-tag", doc).map((a) => String(a.properties.href));
    expect(hrefs).toHaveLength(3);
    expect(new Set(hrefs).size).toBe(3); // ci/cd and ci-cd never share a page
    expect(hrefs).toContain("/tags/ci-cd/");
    for (const [i, tag] of ["ci/cd", "ci-cd", "a<b"].entries()) {
      const href = hrefs[i]!;
      expect(href).toMatch(/^\/tags\/[A-Za-z0-9_.-]+\/$/);
      const tagPage = await page(href.slice(1, -1));
      expect(text(select("h1", tagPage))).toBe(`Runbooks tagged ${tag}`);
      expect(selectAll("tr[data-runbook]", tagPage).map((r) => r.properties.dataRunbook)).toEqual([
        "hostile",
      ]);
    }
  });
});

function text(node: Element | undefined): string {
  return node ? hastToString(node).replace(/\s+/g, " ").trim() : "";
}
