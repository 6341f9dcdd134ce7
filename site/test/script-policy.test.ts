import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inlineScriptHashes, scriptPolicy } from "../src/lib/script-policy.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-script-policy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the pages' script policy", () => {
  it("allows the inline scripts of the components by their hash, and no other script", async () => {
    await mkdir(path.join(dir, "deep", "er"), { recursive: true });
    // Hashes by `printf '%s' TEXT | openssl dgst -sha256 -binary | base64`.
    writeFileSync(
      path.join(dir, "A.astro"),
      `<head><script is:inline>window.rmRan = 1;</script></head>\n<script>bundled();</script>`,
    );
    writeFileSync(
      path.join(dir, "deep", "er", "B.astro"),
      `<script is:inline aria-hidden="true">\n  ok();\n</script>\n<script is:inline>window.rmRan = 1;</script>`,
    );
    writeFileSync(path.join(dir, "C.md"), `<script is:inline>notAComponent();</script>`);
    const hashes = inlineScriptHashes([dir]);
    expect(hashes).toEqual([
      "sha256-GajpxVuH6MyVIDuysGvjpmihnNuOv0+/xCSJle1d78k=",
      "sha256-jf9VN5g1Vr51N+35uLyyFnGfAtf/+tqtg/y2NmDJiXM=",
    ]);
    expect(scriptPolicy(hashes)).toBe(
      "script-src 'self' 'wasm-unsafe-eval' 'sha256-GajpxVuH6MyVIDuysGvjpmihnNuOv0+/xCSJle1d78k=' 'sha256-jf9VN5g1Vr51N+35uLyyFnGfAtf/+tqtg/y2NmDJiXM='; object-src 'none'; base-uri 'self'",
    );
  });
});
