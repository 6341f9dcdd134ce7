/**
 * The site's runbook loader and runbooks that share an id: every one of them is shown with core's
 * error (none of them runs: docs/writing-runbooks.md), none keeps a page that looks healthy, and
 * an entry stored with the clash is not taken from the cache once the clash is gone.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LoaderContext } from "astro/loaders";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunbookDoc, runbooksLoader } from "../src/lib/loader.ts";

let dir: string;
const book = (title: string, id: string) =>
  `---\ntitle: ${title}\nid: ${id}\n---\n\n\`\`\`sql s\nSELECT 1 AS one\n\`\`\`\n`;

/** What the loader uses of Astro's content layer: a store kept across loads, as between builds. */
function context(entries: Map<string, { data: Record<string, unknown>; digest?: string }>) {
  const store = {
    set: (e: { id: string; data: Record<string, unknown>; digest?: string }) => {
      entries.set(e.id, e);
      return true;
    },
    get: (id: string) => entries.get(id),
    entries: () => [...entries.entries()],
    keys: () => [...entries.keys()],
    delete: (id: string) => entries.delete(id),
  };
  return {
    store,
    logger: { info() {}, warn() {}, error() {} },
    generateDigest: (s: string) => createHash("sha256").update(s).digest("hex"),
    renderMarkdown: async () => ({ html: "<p></p>", metadata: { headings: [] } }),
  } as unknown as LoaderContext;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-loader-ids-"));
  await writeFile(path.join(dir, "a.md"), book("A", "same"));
  await writeFile(path.join(dir, "b.md"), book("B", "same"));
  await writeFile(path.join(dir, "c.md"), book("C", "other"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the site's loader and a shared id", () => {
  it("shows both with the error, the second under an id of its own; the clash gone, both are valid again", async () => {
    const entries = new Map<string, { data: Record<string, unknown> }>();
    await runbooksLoader({ dir }).load(context(entries));
    const doc = (id: string) => entries.get(id)?.data as unknown as RunbookDoc;
    expect([...entries.keys()].sort()).toEqual(["other", "same", "same--b"]);
    expect(doc("same").valid).toBe(false);
    expect(doc("same--b").valid).toBe(false);
    expect(doc("other").valid).toBe(true);
    expect(doc("same").diagnostics.map((d) => d.text)).toContain(
      'a.md:1:1 error duplicate runbook id "same" (also b.md): set another id: in one of them, or rename its file [duplicate-runbook-id]',
    );
    expect(doc("same--b").diagnostics.map((d) => d.text)).toContain(
      'b.md:1:1 error duplicate runbook id "same" (also a.md): set another id: in one of them, or rename its file [duplicate-runbook-id]',
    );
    // The next build, after b.md got an id of its own: a.md's entry is made again, valid.
    await writeFile(path.join(dir, "b.md"), book("B", "b"));
    await runbooksLoader({ dir }).load(context(entries));
    expect([...entries.keys()].sort()).toEqual(["b", "other", "same"]);
    expect(doc("same").valid).toBe(true);
    expect(doc("same").diagnostics).toEqual([]);
  });

  it("gives a runbook whose file name is no id a page address without # or % (review)", async () => {
    const d3 = await mkdtemp(path.join(tmpdir(), "run-md-loader-names-"));
    try {
      const plain = `---\ntitle: T\n---\n\n\`\`\`sql s\nSELECT 1 AS one\n\`\`\`\n`;
      await writeFile(path.join(d3, "x#frag.md"), plain);
      await writeFile(path.join(d3, "a%2fb.md"), plain);
      const entries = new Map<string, { data: Record<string, unknown> }>();
      await runbooksLoader({ dir: d3 }).load(context(entries));
      const ids = [...entries.keys()].sort();
      expect(ids).toHaveLength(2);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(ids[0]).toMatch(/^a-2fb-[0-9a-f]{8}$/);
      expect(ids[1]).toMatch(/^x-frag-[0-9a-f]{8}$/);
      // Still shown, with the parser's reason and the file's own name.
      const doc = entries.get(ids[1]!)?.data as unknown as RunbookDoc;
      expect(doc.valid).toBe(false);
      expect(doc.diagnostics.map((d) => d.text).join("\n")).toContain('runbook id "x#frag"');
    } finally {
      await rm(d3, { recursive: true, force: true });
    }
  });

  it("counts ids that differ in case only as one, and never renames onto another runbook's id", async () => {
    const d2 = await mkdtemp(path.join(tmpdir(), "run-md-loader-case-"));
    try {
      await writeFile(path.join(d2, "a.md"), book("A", "Same"));
      await writeFile(path.join(d2, "b.md"), book("B", "same"));
      // An id that is exactly what the renamed b.md would be called.
      await writeFile(path.join(d2, "c.md"), book("C", "same--b"));
      const entries = new Map<string, { data: Record<string, unknown> }>();
      await runbooksLoader({ dir: d2 }).load(context(entries));
      expect([...entries.keys()].sort()).toEqual(["Same", "same--b", "same--b-2"]);
      const doc = (id: string) => entries.get(id)?.data as unknown as RunbookDoc;
      expect(doc("Same").valid).toBe(false);
      expect(doc("same--b").valid).toBe(true);
      expect(doc("same--b").title).toBe("C");
      expect(doc("same--b-2").valid).toBe(false);
      expect(doc("same--b-2").title).toBe("B");
    } finally {
      await rm(d2, { recursive: true, force: true });
    }
  });
});
