/**
 * A rule that allows `query` or `audit` to a group masking covers grants nothing to its members
 * (both are refused to a masked caller): the server says so at its start, naming the rule.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, FIXTURES, startTestServer } from "./helpers.ts";

describe("query or audit allowed to a masked group", () => {
  it("is warned of at the start, and its members are refused all the same", async () => {
    const warnings: string[] = [];
    const t = await startTestServer({
      runbooks: [FIXTURES],
      access: {
        rules: [
          { groups: ["contractors"], allow: ["view", "query", "audit"] },
          { groups: ["auditors"], allow: ["view", "audit"] },
        ],
        masking: [{ groups: ["contractors"], columns: ["sourceipaddress"], strategy: "redact" }],
      },
      tokens: { c: { groups: ["contractors"], user: "c@example.com" } },
      warn: (m) => warnings.push(m),
    });
    try {
      const audit = await call(`${t.url}/api/audit`, { token: t.tokens.c! });
      expect(audit.status).toBe(403);
    } finally {
      await t.close();
    }
    expect(warnings.filter((w) => w.includes("access.masking covers"))).toEqual([
      "access.rules[0] allows query and audit to contractors, which access.masking covers: its members are refused query and audit all the same (a query could read a masked column under another name, and the audit log holds the values masking hides)",
    ]);
  });
});
