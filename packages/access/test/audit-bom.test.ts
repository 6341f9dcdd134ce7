/**
 * An audit log that starts with a UTF-8 byte order mark (an editor saved it again): `verify`
 * fails at line 1 naming the mark, and says whether the entries after it hold; the readers (the
 * server opening it to append, `audit list`/`export`) read past the mark. Truth is what the log's
 * writer returned for each append, and bytes written here by hand.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";
import { type AuditEntry, AuditLog, readAuditEntries, verifyAuditFile } from "../src/index.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-audit-bom-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A log of `n` entries, then the BOM put before its first byte; the entries as appended. */
async function bomLog(name: string, n: number): Promise<{ file: string; entries: AuditEntry[] }> {
  const file = path.join(dir, name, "audit.log");
  const log = await AuditLog.open(file);
  const entries: AuditEntry[] = [];
  for (let i = 1; i <= n; i++)
    entries.push(
      await log.append({
        actor: "alice@example.com",
        groups: [],
        action: "run.request",
        target: `rb-${i}`,
      }),
    );
  await log.close();
  await writeFile(file, Buffer.concat([BOM, await readFile(file)]));
  return { file, entries };
}

describe("an audit log starting with a UTF-8 byte order mark", () => {
  it("verify fails at line 1 naming the mark, and says the entries after it hold", async () => {
    const { file } = await bomLog("verify", 3);
    const result = await verifyAuditFile(file);
    expect(result).toMatchObject({ ok: false, line: 1 });
    expect(result.ok ? "" : result.reason).toMatch(
      /^the file starts with a UTF-8 byte order mark \(bytes EF BB BF\).*the 3 entries after it hold/,
    );
  });

  it("a broken entry after the mark is still said first, with the mark noted", async () => {
    const { file } = await bomLog("broken", 3);
    const text = (await readFile(file)).toString("utf8");
    await writeFile(file, text.replace('"target":"rb-2"', '"target":"rb-X"'));
    const result = await verifyAuditFile(file);
    expect(result).toMatchObject({ ok: false, line: 2, seq: 2 });
    expect(result.ok ? "" : result.reason).toMatch(
      /^hash mismatch.*; also, the file starts with a UTF-8 byte order mark/,
    );
  });

  it("is read past: every entry is listed, entry 1 included", async () => {
    const { file, entries } = await bomLog("read", 2);
    expect(await readAuditEntries(file, {})).toEqual(entries);
  });

  it("a one-entry log is opened and continued: the next entry chains to entry 1", async () => {
    const { file, entries } = await bomLog("open", 1);
    const log = await AuditLog.open(file);
    const next = await log.append({
      actor: "bob@example.com",
      groups: [],
      action: "run.request",
      target: "rb-2",
    });
    await log.close();
    expect([next.seq, next.prev]).toEqual([2, entries[0]!.hash]);
  });

  it("run-md audit verify names the file, line 1 and the mark; exit 1", async () => {
    const { file } = await bomLog("cli", 2);
    const res = await runMdHere(["audit", "verify", file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${file}:1: the file starts with a UTF-8 byte order mark`);
  });
});
