import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Catalog } from "../src/catalog.ts";

const book = (front: string) => `---\n${front}\n---\n\n\`\`\`sql s\nSELECT 1 AS one\n\`\`\`\n`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-catalog-"));
  // One id twice, with different tags: whose tags would decide who may run it?
  await writeFile(path.join(dir, "a.md"), book("title: A\nid: same\ntags: [restricted]"));
  await writeFile(path.join(dir, "b.md"), book("title: B\nid: same"));
  await writeFile(path.join(dir, "c.md"), book("title: C"));
  await writeFile(path.join(dir, "d.md"), book("title: D\nseverity: urgent"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the server's catalog", () => {
  it("serves the runbooks that load, and none of those sharing an id, each said", async () => {
    const warnings: string[] = [];
    // Files are named from the folder the server started in, as run-md run names them.
    const cwd = process.cwd();
    process.chdir(path.dirname(dir));
    const catalog = await Catalog.load([dir], (m) => warnings.push(m)).finally(() =>
      process.chdir(cwd),
    );
    const rel = path.basename(dir);
    expect(catalog.all().map((e) => e.facts.id)).toEqual(["c"]);
    expect(catalog.get("same")).toBeUndefined();
    expect(warnings).toEqual([
      `${rel}/d.md: not served (1 problem(s); run-md check ${rel}/d.md)`,
      `${rel}/a.md: not served (duplicate runbook id "same" (also ${rel}/b.md): set another id: in one of them, or rename its file)`,
      `${rel}/b.md: not served (duplicate runbook id "same" (also ${rel}/a.md): set another id: in one of them, or rename its file)`,
    ]);
  });
});

describe("a runbook with a query that does not parse", () => {
  it("is not served when the CLI's check of its queries says so", async () => {
    const { unparsedQueries } = await import("../../cli/src/lint.ts");
    const broken = await mkdtemp(path.join(tmpdir(), "run-md-catalog-sql-"));
    try {
      await writeFile(path.join(broken, "ok.md"), book("title: Fine"));
      const bad = `---\ntitle: Bad\n---\n\n\`\`\`sql one\nSELECT 1 AS n\n\`\`\`\n\n\`\`\`sql two\nSELEC eventname FROM cloudtrail_logs\n\`\`\`\n`;
      await writeFile(path.join(broken, "bad.md"), bad);
      const warnings: string[] = [];
      const catalog = await Catalog.load(
        [broken],
        (m) => warnings.push(m),
        (rb) => unparsedQueries(rb.path, rb.steps, { params: rb.meta.params }),
      );
      expect(catalog.all().map((e) => e.facts.id)).toEqual(["ok"]);
      expect(warnings).toEqual([
        expect.stringMatching(/bad\.md: not served \(1 problem\(s\); run-md check /),
      ]);
      const unchecked = await Catalog.load([broken], () => {});
      expect(unchecked.all().map((e) => e.facts.id)).toEqual(["bad", "ok"]);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
