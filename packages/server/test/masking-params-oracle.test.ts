/**
 * A parameter a masked caller chooses, compared with a field masked for them (red-team,
 * 2026-12-07): with `run:params`, a contractor whose rule masks `sourceipaddress` ran a runbook
 * filtering `sourceipaddress LIKE {{ip_pattern}}` with `52.%`, `52.9%`, `52.94.%`, ... and read
 * from its counts which prefixes exist, one character at a time: the masked addresses, through
 * the very filter `query` is refused to them for. Such a parameter keeps its value as written for
 * them (403, audited); other parameters, the window, and unmasked callers are as before.
 */
import path from "node:path";
import { expect, it } from "vitest";
import { call, maskedParamsServer, waitForEnd } from "./helpers.ts";

const t = maskedParamsServer(path.join(import.meta.dirname, "mask-param-fixtures"));

const run = (token: string, params: Record<string, unknown>, since?: string) =>
  call(`${t.url}/api/runs`, {
    token,
    body: { runbook: "calls-from", params, ...(since === undefined ? {} : { since }) },
  });

/** The calls the by_address step counts for a pattern, as an unmasked caller reads them. */
async function counted(pattern: string): Promise<number> {
  const r = await run(t.ops, { ip_pattern: pattern });
  expect(r.status).toBe(202);
  const done = await waitForEnd(t, r.body.id, t.ops);
  const step = done.result.steps.find((s: { id: string }) => s.id === "by_address");
  return step.rows.reduce((n: number, row: [string, number]) => n + row[1], 0);
}

it("the pattern tells addresses apart (the oracle's premise)", async () => {
  expect(await counted("52.94.%")).toBeGreaterThan(0);
  expect(await counted("52.95.%")).toBe(0);
});

it("refuses a masked caller's value for a parameter compared with a masked field", async () => {
  const before = (await call(`${t.url}/api/runs?limit=500`, { token: t.ops })).body.length;
  const r = await run(t.tokens.con!, { ip_pattern: "52.94.%" });
  expect(r.status).toBe(403);
  expect(r.body.code).toBe("forbidden");
  expect(r.body.error).toContain('"run:params"');
  expect(r.body.error).toContain("ip_pattern");
  // Nothing recorded or queued; the refusal audited with the parameter's name, not its value.
  expect((await call(`${t.url}/api/runs?limit=500`, { token: t.ops })).body).toHaveLength(before);
  const refused = (await t.audit()).filter(
    (e) => e.action === "access.refused" && e.actor === "con@example.com",
  );
  expect(refused.at(-1)?.details).toMatchObject({ action: "run:params", params: ["ip_pattern"] });
  expect(JSON.stringify(refused.at(-1))).not.toContain("52.94");
});

it("still lets a masked caller change the window and other parameters", async () => {
  const window = await run(t.tokens.con!, {}, "3d");
  expect(window.status).toBe(202);
  const other = await run(t.tokens.con!, { source: "iam.amazonaws.com" }, "3d");
  expect(other.status).toBe(202);
  // The value as written, given again, is no choice of theirs.
  const same = await run(t.tokens.con!, { ip_pattern: "%" });
  expect(same.status).toBe(202);
  for (const r of [window, other, same]) await waitForEnd(t, r.body.id, t.tokens.con!);
});
