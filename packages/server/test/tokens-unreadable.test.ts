/**
 * A tokens file (`server.tokens`) the server cannot read, or that is no tokens file: the start is
 * refused with `tokens-unreadable` / `tokens-invalid` naming the file, before any state is
 * touched; while the server runs, every request with a token is answered 503 with that code and
 * why (not a bare 500, and without the file's path, which any client would read), each refusal
 * is audited (bounded, as refusals before sign-in are) and the server warns once per problem,
 * naming the file, and again once it can be read.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, FIXTURES, startTestServer } from "./helpers.ts";

const ACCESS = { rules: [{ groups: ["ops"], allow: ["view", "run"] }] };

describe("a tokens file that cannot be read", () => {
  it("stops the start with an error naming the file, before any state is touched", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-server-tokens-"));
    const file = path.join(dir, ".run-md/tokens.json");
    try {
      await mkdir(file, { recursive: true }); // a folder where the file belongs: EISDIR
      await expect(
        startTestServer({ dir, runbooks: [FIXTURES], access: ACCESS }),
      ).rejects.toMatchObject({
        code: "tokens-unreadable",
        message: expect.stringContaining(`the tokens file ${file} cannot be read (EISDIR`),
      });
      expect(existsSync(path.join(dir, ".run-md/audit.log"))).toBe(false);
      expect(existsSync(path.join(dir, ".run-md/runs/server.lock"))).toBe(false);

      await rm(file, { recursive: true });
      await writeFile(file, "{ not json");
      await expect(
        startTestServer({ dir, runbooks: [FIXTURES], access: ACCESS }),
      ).rejects.toMatchObject({
        code: "tokens-invalid",
        message: expect.stringContaining(`the tokens file ${file} is not JSON`),
      });
      await writeFile(file, '{"tokens": {}}');
      await expect(
        startTestServer({ dir, runbooks: [FIXTURES], access: ACCESS }),
      ).rejects.toMatchObject({
        code: "tokens-invalid",
        message: `the tokens file ${file} is not a run-md tokens file`,
      });
      expect(existsSync(path.join(dir, ".run-md/audit.log"))).toBe(false);

      // `none` mode reads no tokens: it starts.
      const local = await startTestServer({
        dir,
        runbooks: [FIXTURES],
        access: ACCESS,
        auth: { mode: "none", groups: ["ops"] },
      });
      await local.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("while the server runs: 503 naming the problem, audited, warned once per problem", async () => {
    const warnings: string[] = [];
    const t = await startTestServer({
      runbooks: [FIXTURES],
      access: ACCESS,
      tokens: { ops: { groups: ["ops"], user: "ops@example.com" } },
      warn: (m) => warnings.push(m),
    });
    const file = t.config.tokens;
    const token = t.tokens.ops!;
    const me = () => call(`${t.url}/api/me`, { token });
    try {
      expect((await me()).status).toBe(200);
      const good = await readFile(file, "utf8");

      await writeFile(file, "{ not json");
      for (let i = 0; i < 2; i++) {
        const r = await me();
        expect(r.status).toBe(503);
        expect(r.body.code).toBe("tokens-invalid");
        expect(r.body.error).toMatch(
          /^the server cannot check tokens now: its tokens file is invalid \(not JSON\)/,
        );
        expect(r.body.error).not.toContain(file);
      }
      const told = (w: string) => w.includes(file);
      expect(warnings.filter(told)).toEqual([
        `the tokens file ${file} is not JSON: every request with a token is answered 503 until it can be read`,
      ]);

      await rm(file);
      await mkdir(file);
      const run = await call(`${t.url}/api/runs`, { token, body: { runbook: "iam-low" } });
      expect([run.status, run.body.code]).toEqual([503, "tokens-unreadable"]);
      expect(run.body.error).toMatch(/its tokens file cannot be read \(EISDIR\)/);
      expect(warnings.filter(told)).toHaveLength(2);
      expect(warnings.at(-1)).toMatch(/cannot be read \(EISDIR/);

      const refused = (await t.audit()).filter((e) => e.action === "auth.refused");
      expect(refused.map((e) => (e.details as { reason: string }).reason)).toEqual([
        "token not checked: tokens-invalid",
        "token not checked: tokens-invalid",
        "token not checked: tokens-unreadable",
      ]);
      expect((await t.audit()).some((e) => e.action === "run.request")).toBe(false);

      await rm(file, { recursive: true });
      await writeFile(file, good);
      expect((await me()).status).toBe(200);
      expect(warnings.at(-1)).toBe(
        `the tokens file ${file} can be read again: tokens are accepted`,
      );
    } finally {
      await t.close();
    }
  });
});
