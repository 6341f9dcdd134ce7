import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirForFile } from "../../core/test/temp-dir.ts";
import { parseWhen, TokenStore } from "../src/index.ts";

const dir = tempDirForFile("tokens");

describe("TokenStore", () => {
  it("stores only the token's SHA-256 and verifies the token to its caller", async () => {
    const file = path.join(dir(), "a", "tokens.json");
    const store = new TokenStore(file);
    const { token } = await store.create({ name: "ci", groups: ["security-oncall", "bots"] });
    expect(token).toMatch(/^rmd_[A-Za-z0-9_-]{43}$/);
    const text = await readFile(file, "utf8");
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(4));
    expect(JSON.parse(text).tokens[0].sha256).toBe(
      createHash("sha256").update(token).digest("hex"),
    );
    expect(await store.verify(token)).toEqual({
      ok: true,
      caller: { user: "token:ci", groups: ["security-oncall", "bots"], via: "token", token: "ci" },
    });
    // A second store (another process) reads the same file.
    expect((await new TokenStore(file).verify(token)).ok).toBe(true);
  });

  it("a tokens file that cannot be written is refused before the audit entry: nothing recorded", async () => {
    // /proc takes no new files, even for root: the save would fail after the entry (a token
    // recorded, never stored).
    const store = new TokenStore("/proc/run-md-nowhere/tokens.json");
    const recorded: string[] = [];
    await expect(
      store.create({ name: "ci", groups: ["g"] }, async (info) => {
        recorded.push(info.name);
      }),
    ).rejects.toMatchObject({ code: "tokens-invalid" });
    expect(recorded).toEqual([]);
  });

  it("a tokens file that cannot be read, or is no tokens file, is an error naming it", async () => {
    const folder = path.join(dir(), "unreadable");
    const file = path.join(folder, "tokens.json");
    await mkdir(file, { recursive: true }); // a folder where the file belongs: EISDIR, even for root
    const store = new TokenStore(file);
    for (const read of [() => store.list(), () => store.verify("rmd_x")]) {
      await expect(read()).rejects.toMatchObject({
        code: "tokens-unreadable",
        message: expect.stringContaining(`the tokens file ${file} cannot be read (EISDIR`),
        details: { reason: "EISDIR" },
      });
    }
    await rm(file, { recursive: true });
    await writeFile(file, "[]");
    await expect(store.list()).rejects.toMatchObject({
      code: "tokens-invalid",
      message: `the tokens file ${file} is not a run-md tokens file`,
    });
    await rm(file);
    expect(await store.list()).toEqual([]); // a missing file holds no tokens
  });

  it("makes a different token every time", async () => {
    const store = new TokenStore(path.join(dir(), "b", "tokens.json"));
    const a = await store.create({ name: "one", groups: ["g"] });
    const b = await store.create({ name: "two", groups: ["g"] });
    expect(a.token).not.toBe(b.token);
  });

  it("keeps every token of concurrent creates", async () => {
    const store = new TokenStore(path.join(dir(), "f", "tokens.json"));
    const made = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.create({ name: `t${i}`, groups: ["g"] })),
    );
    expect((await store.list()).map((t) => t.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${i}`).sort(),
    );
    for (const { token } of made) expect((await store.verify(token)).ok).toBe(true);
  });

  it("changes nothing when the hook before saving (the audit entry) fails", async () => {
    const store = new TokenStore(path.join(dir(), "g", "tokens.json"));
    const fail = async () => {
      throw new Error("audit log unwritable");
    };
    await expect(store.create({ name: "x", groups: ["g"] }, fail)).rejects.toThrow(
      "audit log unwritable",
    );
    expect(await store.list()).toEqual([]);
    const seen: string[] = [];
    await store.create({ name: "y", groups: ["g"] }, async (info) => {
      seen.push(`${info.name}:${info.groups.join(",")}:${"sha256" in info}`);
    });
    await expect(store.revoke("y", fail)).rejects.toThrow("audit log unwritable");
    expect((await store.list())[0]!.revokedAt).toBeUndefined();
    expect(seen).toEqual(["y:g:false"]);
  });

  it("binds a token to a person with user", async () => {
    const store = new TokenStore(path.join(dir(), "c", "tokens.json"));
    const { token } = await store.create({
      name: "alice-laptop",
      groups: ["g"],
      user: "alice@example.com",
    });
    expect(await store.verify(token)).toMatchObject({
      ok: true,
      caller: { user: "alice@example.com", token: "alice-laptop" },
    });
  });

  it("refuses unknown, revoked and expired tokens with their reason", async () => {
    let now = new Date("2026-11-30T12:00:00Z");
    const store = new TokenStore(path.join(dir(), "d", "tokens.json"), () => now);
    const expiring = await store.create({
      name: "short",
      groups: ["g"],
      expiresAt: new Date("2026-12-01T12:00:00Z"),
    });
    const revoked = await store.create({ name: "gone", groups: ["g"] });
    await store.revoke("gone");
    expect(await store.verify(revoked.token)).toEqual({ ok: false, reason: "revoked" });
    expect((await store.verify(expiring.token)).ok).toBe(true);
    now = new Date("2026-12-01T12:00:00Z");
    expect(await store.verify(expiring.token)).toEqual({ ok: false, reason: "expired" });
    expect(await store.verify(`${expiring.token.slice(0, -1)}x`)).toEqual({
      ok: false,
      reason: "unknown",
    });
    expect(await store.verify("")).toEqual({ ok: false, reason: "unknown" });
    const list = await store.list();
    expect(list.map((t) => [t.name, t.revokedAt, t.expiresAt])).toEqual([
      ["short", undefined, "2026-12-01T12:00:00.000Z"],
      ["gone", "2026-11-30T12:00:00.000Z", undefined],
    ]);
    expect(JSON.stringify(list)).not.toContain("sha256");
  });

  it("refuses duplicate names (revoked ones too), bad names, no groups, a past expiry, an unknown revoke", async () => {
    const store = new TokenStore(
      path.join(dir(), "e", "tokens.json"),
      () => new Date("2026-11-30T12:00:00Z"),
    );
    await store.create({ name: "ci", groups: ["g"] });
    await expect(store.create({ name: "ci", groups: ["h"] })).rejects.toThrow(
      'a token named "ci" exists already',
    );
    await store.revoke("ci");
    await expect(store.create({ name: "ci", groups: ["h"] })).rejects.toThrow("exists already");
    await expect(store.create({ name: "a b", groups: ["g"] })).rejects.toThrow(
      'invalid token name "a b"',
    );
    await expect(store.create({ name: "x", groups: [] })).rejects.toThrow("at least one group");
    await expect(
      store.create({ name: "y", groups: ["g"], expiresAt: new Date("2026-11-30T11:00:00Z") }),
    ).rejects.toThrow("is past");
    await expect(store.revoke("nope")).rejects.toThrow('no token named "nope"');
  });
});

describe("parseWhen", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  it("reads durations and ISO dates, and names the flag otherwise", () => {
    expect(parseWhen("90d", "--expires", now, 1).toISOString()).toBe("2027-02-28T12:00:00.000Z");
    expect(parseWhen("12h", "--since", now, -1).toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(parseWhen("2027-03-01", "--expires", now, 1).toISOString()).toBe(
      "2027-03-01T00:00:00.000Z",
    );
    expect(() => parseWhen("90 days", "--expires", now, 1)).toThrow(
      '--expires "90 days" is neither a duration (90d, 12h) nor an ISO-8601 date or time',
    );
    expect(() => parseWhen("2027-13-45", "--until", now, -1)).toThrow('--until "2027-13-45"');
  });
});
