import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runbookPageUrl, runPageUrl } from "@run-md/core";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-config-"));
  const f = path.join(dir, "run-md.config.yaml");
  await writeFile(f, text);
  return f;
}

const saved = process.env.RUN_MD_SITE_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.RUN_MD_SITE_URL;
  else process.env.RUN_MD_SITE_URL = saved;
});

describe("the site's URL (site.url)", () => {
  it("is read from the configuration, and RUN_MD_SITE_URL overrides it", async () => {
    delete process.env.RUN_MD_SITE_URL;
    const f = await file("site:\n  url: https://org.github.io/run-md\n");
    expect(loadConfig(f).site.url).toBe("https://org.github.io/run-md");
    expect(loadConfig(undefined, tmpdir()).site.url).toBeUndefined();
    process.env.RUN_MD_SITE_URL = "https://sec.example.com/runbooks/";
    expect(loadConfig(f).site.url).toBe("https://sec.example.com/runbooks/");
  });

  it("must be an http(s) address: the error names the file, line and key, or the variable", async () => {
    delete process.env.RUN_MD_SITE_URL;
    const f = await file("reportsDir: out\nsite:\n  url: org.github.io/run-md\n");
    expect(() => loadConfig(f)).toThrow(
      `${f}:3:8 "site.url" must be an http(s) address such as https://org.github.io/run-md`,
    );
    const g = await file("site:\n  adress: https://x.example\n");
    expect(() => loadConfig(g)).toThrow(`${g}:2:3 unknown key "adress" in "site"`);
    process.env.RUN_MD_SITE_URL = "ftp://x";
    expect(() => loadConfig(undefined, tmpdir())).toThrow(
      'RUN_MD_SITE_URL "ftp://x" is not an http(s) address',
    );
  });

  it("gives each run a permanent page named after its report file, where the site builds it", () => {
    expect(
      runPageUrl(
        "https://org.github.io/run-md/",
        "audit-iam",
        "reports/audit-iam/2026-11-24T10-00-00.123Z.json",
      ),
    ).toBe("https://org.github.io/run-md/runbooks/audit-iam/runs/2026-11-24T10-00-00.123Z/");
    expect(
      runPageUrl("https://x.example", "a", "/abs/a/2026-11-24T10-00-00.123Z-1a2b3c4d.json"),
    ).toBe("https://x.example/runbooks/a/runs/2026-11-24T10-00-00.123Z-1a2b3c4d/");
    expect(runbookPageUrl("https://x.example/", "a b")).toBe("https://x.example/runbooks/a%20b/");
  });
});
