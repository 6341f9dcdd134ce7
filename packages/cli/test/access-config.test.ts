import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isAllowed, parseAccessConfig } from "@run-md/access";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-access-config-"));
  const f = path.join(dir, "run-md.config.yaml");
  await writeFile(f, text);
  return f;
}

describe("the access: section of run-md.config.yaml", () => {
  it("is kept as written for @run-md/access, which validates it naming the file", async () => {
    const f = await file(
      "access:\n  rules:\n    - groups: [security-leads]\n      allow: [view, query]\n  approvalTtl: 2h\n",
    );
    const c = loadConfig(f);
    const access = parseAccessConfig(c.access, c.source);
    expect(access.approvalTtlMs).toBe(7_200_000);
    expect(isAllowed(access, { user: "a", groups: ["security-leads"], via: "oidc" }, "query")).toBe(
      true,
    );
    const g = await file("access:\n  rules:\n    - groups: [x]\n      allow: [viw]\n");
    const bad = loadConfig(g);
    expect(() => parseAccessConfig(bad.access, bad.source)).toThrow(
      `${g}: access.rules[0].allow[0]: unknown action "viw" (did you mean "view"?)`,
    );
  });

  it("must be a mapping, and is absent when not written", async () => {
    const f = await file("access:\n  - groups: [x]\n");
    expect(() => loadConfig(f)).toThrow(`${f}:2:3 "access" must be a map`);
    expect(loadConfig(await file("reportsDir: out\n")).access).toBeUndefined();
  });
});
