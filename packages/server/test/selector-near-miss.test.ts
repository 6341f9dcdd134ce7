/**
 * A rule's selector that names a runbook's tag or id in another case (or with blanks around it)
 * does not select it: tags and ids are compared exactly. For an allow that fails closed, but a
 * `deny` or an approval rule then fails open: `deny: [run]` for `tags: [iam]` let everyone run a
 * runbook tagged `IAM`, and an approval rule for `tags: [network]` let a runbook tagged
 * `Network` run unapproved (red-team, 2026-12-07). The server says so at its start.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, FIXTURES, startTestServer } from "./helpers.ts";

describe("selectors that miss a runbook only by case", () => {
  it("are warned of at the start, naming the rule, the runbook and both spellings", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-near-miss-"));
    try {
      const text = await readFile(path.join(FIXTURES, "net-critical.md"), "utf8");
      await writeFile(
        path.join(dir, "net-upper.md"),
        text.replace("tags: [network]", "tags: [Network, IAM]"),
      );
      const warnings: string[] = [];
      const t = await startTestServer({
        runbooks: [dir],
        access: {
          rules: [
            { groups: ["ops"], allow: ["view", "run"] },
            { groups: ["ops"], deny: ["run"], runbooks: { tags: ["iam"] } },
            { groups: ["ops"], allow: ["view"], runbooks: { ids: ["NET-UPPER"] } },
          ],
          approvals: [{ runbooks: { tags: ["network"] }, approvers: ["leads"] }],
        },
        tokens: { ops: { groups: ["ops"], user: "ops@example.com" } },
        warn: (m) => warnings.push(m),
      });
      try {
        // What the warnings are about: the deny and the approval rule miss the runbook.
        const r = await call(`${t.url}/api/runs`, {
          token: t.tokens.ops!,
          body: { runbook: "net-upper" },
        });
        expect([r.status, r.body.status]).toEqual([202, "queued"]);
      } finally {
        await t.close();
      }
      const said = warnings.filter((w) => w.includes("compared exactly"));
      expect(said).toEqual([
        expect.stringMatching(
          /^access\.rules\[1\]\.runbooks\.tags: "iam" .*runbook net-upper, .*"IAM"/,
        ),
        expect.stringMatching(
          /^access\.rules\[2\]\.runbooks\.ids: "NET-UPPER" .*runbook net-upper/,
        ),
        expect.stringMatching(
          /^access\.approvals\[0\]\.runbooks\.tags: "network" .*runbook net-upper, .*"Network"/,
        ),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
