import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  truncate,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { withFileLock } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditLog,
  headFile,
  readAuditEntries,
  verifyAuditFile,
  verifyAuditFiles,
} from "../src/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-audit-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A clock that moves one second per call from 2026-11-30T10:00:00Z. */
function clock(): () => Date {
  let t = Date.parse("2026-11-30T10:00:00.000Z") - 1000;
  return () => {
    t += 1000;
    return new Date(t);
  };
}

async function logOf(name: string, n: number): Promise<string> {
  const file = path.join(dir, name, "audit.log");
  const log = await AuditLog.open(file, clock());
  for (let i = 1; i <= n; i++)
    await log.append({
      actor: i % 2 ? "alice@example.com" : "bob@example.com",
      groups: ["security-leads"],
      action: i === 1 ? "server.start" : "run.request",
      target: `runbook-${i}`,
      details: { n: i, params: { user: "x" } },
    });
  await log.close();
  return file;
}

const lines = async (file: string) => (await readFile(file, "utf8")).split("\n").slice(0, -1);
const write = (file: string, ls: string[]) => writeFile(file, `${ls.join("\n")}\n`);

/** What `verifyAuditFile` says of a log of `n` entries once `edit` has changed its lines. */
async function verifyEdited(name: string, n: number, edit: (ls: string[]) => string[]) {
  const file = await logOf(name, n);
  await write(file, edit(await lines(file)));
  return verifyAuditFile(file);
}

/** A broken chain's verdict: the line, the seq, the reason (a pattern for its start). */
const brokenAt = (line: number, seq: number, reason: string | RegExp) => ({
  ok: false,
  line,
  seq,
  reason: typeof reason === "string" ? reason : expect.stringMatching(reason),
});

describe("the audit log", () => {
  it("writes the spec's chain: hash = SHA-256 of the canonical entry without hash, prev = the last hash", async () => {
    const file = await logOf("chain", 3);
    const ls = await lines(file);
    expect(ls).toHaveLength(3);
    // The canonical form written out by hand (docs/serve.md "The audit log").
    const zero = "0".repeat(64);
    const first = `{"seq":1,"time":"2026-11-30T10:00:00.000Z","actor":"alice@example.com","groups":["security-leads"],"action":"server.start","target":"runbook-1","details":{"n":1,"params":{"user":"x"}},"prev":"${zero}"}`;
    const h1 = createHash("sha256").update(first).digest("hex");
    expect(ls[0]).toBe(`${first.slice(0, -1)},"hash":"${h1}"}`);
    const second = JSON.parse(ls[1]!);
    expect(second).toMatchObject({ seq: 2, prev: h1, time: "2026-11-30T10:00:01.000Z" });
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 3 });
  });

  it("continues the chain of an existing file", async () => {
    const file = await logOf("continue", 2);
    const log = await AuditLog.open(file);
    const e = await log.append({ actor: "carol@example.com", groups: [], action: "auth.signin" });
    await log.close();
    expect(e.seq).toBe(3);
    expect(e.prev).toBe(JSON.parse((await lines(file))[1]!).hash);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 3 });
  });

  it("serializes concurrent appends into one unbroken chain", async () => {
    const file = path.join(dir, "concurrent", "audit.log");
    const log = await AuditLog.open(file);
    const entries = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        log.append({ actor: `u${i}`, groups: [], action: "query.request", details: { i } }),
      ),
    );
    await log.close();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 40 });
  });

  it("refuses an action that is not one of the spec's names, writing nothing", async () => {
    const file = path.join(dir, "names", "audit.log");
    const log = await AuditLog.open(file);
    await expect(log.append({ actor: "a", groups: [], action: "run.approved" })).rejects.toThrow(
      'action "run.approved"',
    );
    await log.append({ actor: "a", groups: [], action: "run.approve" });
    await log.close();
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 1 });
  });

  it("reads entries since a time, the newest `limit` of them", async () => {
    const file = await logOf("read", 6);
    const log = await AuditLog.open(file);
    const since = await log.read({ since: new Date("2026-11-30T10:00:03.000Z") });
    expect(since.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect((await log.read({ limit: 2 })).map((e) => e.seq)).toEqual([5, 6]);
    await log.close();
  });
});

/**
 * The canonical form written from the rule in docs/serve.md, not with the code's helpers: the
 * keys of an object in details are integer keys (0 to 2^32 - 2 written plainly) in numeric
 * order, then the others in UTF-16 code unit order; texts as JSON.stringify escapes them.
 */
function canonicalByHand(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalByHand).join(",")}]`;
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const isIndex = (k: string) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1;
  const keys = Object.keys(v);
  const ints = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  const rest = keys.filter((k) => !isIndex(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const o = v as Record<string, unknown>;
  return `{${[...ints, ...rest].map((k) => `${JSON.stringify(k)}:${canonicalByHand(o[k])}`).join(",")}}`;
}

describe("the canonical form, from the documented rule", () => {
  it("integer-like keys, other keys, escapes and numbers in details hash as the docs say", async () => {
    const file = path.join(dir, "canonical-rule", "audit.log");
    const log = await AuditLog.open(file, clock());
    const details = {
      b: 1,
      "10": [1e21, 0.1, -0, 100],
      "9": 'tab\there \u2028 \u007f \u0001 "q" \\',
      "01": { z: null, "4294967295": true, "4294967294": false, "\u{1F600}": 1, "\uFFFF": 2 },
      é: "é",
    };
    await log.append({ actor: "alice@example.com", groups: ["g"], action: "run.request", details });
    await log.close();
    const [line] = await lines(file);
    const zero = "0".repeat(64);
    const body = `{"seq":1,"time":"2026-11-30T10:00:00.000Z","actor":"alice@example.com","groups":["g"],"action":"run.request","details":${canonicalByHand(details)},"prev":"${zero}"}`;
    expect(body).toContain('"details":{"9":');
    const hash = createHash("sha256").update(body, "utf8").digest("hex");
    expect(line).toBe(`${body.slice(0, -1)},"hash":"${hash}"}`);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 1 });
  });
});

describe("several writers", () => {
  it("two logs on one file (the server and run-md token) keep one chain", async () => {
    const file = path.join(dir, "two", "audit.log");
    const server = await AuditLog.open(file);
    const cli = await AuditLog.open(file);
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push((await server.append({ actor: "s", groups: [], action: "run.start" })).seq);
      seqs.push((await cli.append({ actor: "c", groups: [], action: "token.create" })).seq);
    }
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? server : cli).append({ actor: "x", groups: [], action: "run.end" }),
      ),
    );
    await server.close();
    await cli.close();
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 20 });
  });

  it("takes over the lock of a process that died holding it, and waits for a live one", async () => {
    const file = path.join(dir, "stale", "audit.log");
    await logOf("stale", 1);
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    await writeFile(`${file}.lock`, String(dead.pid));
    const log = await AuditLog.open(file);
    await log.append({ actor: "a", groups: [], action: "run.start" });
    await log.close();
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 2 });
    // A lock naming this pid that this process does not hold: left by an earlier process with
    // the same pid (a container's PID 1 restarted), so stale.
    await writeFile(`${file}.lock`, String(process.pid));
    expect(await withFileLock(`${file}.lock`, async () => 1, 100)).toBe(1);
    // A lock held by a live process (the parent of this test process): waited for, then a clear error.
    await writeFile(`${file}.lock`, String(process.ppid));
    await expect(withFileLock(`${file}.lock`, async () => 1, 100)).rejects.toThrow(
      `${file}.lock has been held by process ${process.ppid} for over 0.1 s`,
    );
    await rm(`${file}.lock`);
  });
});

describe("audit verify catches tampering, naming the line", () => {
  it("an edited field: hash mismatch on that line", async () => {
    const verdict = await verifyEdited("edit", 5, (ls) => {
      ls[2] = ls[2]!
        .replace("bob@example.com", "mallory@example.com")
        .replace("alice@example.com", "mallory@example.com");
      return ls;
    });
    expect(verdict).toMatchObject(brokenAt(3, 3, /^hash mismatch/));
  });

  it("a deleted line: a seq gap on the line after it", async () => {
    const verdict = await verifyEdited("delete", 5, (ls) => ls.toSpliced(1, 1));
    expect(verdict).toMatchObject(brokenAt(2, 3, "seq gap: expected 2, found 3"));
  });

  it("a deleted line renumbered and rehashed: prev mismatch", async () => {
    const verdict = await verifyEdited("renumber", 4, (lines) => {
      const ls = lines.map((l) => JSON.parse(l));
      ls.splice(1, 1);
      const e = ls[1];
      e.seq = 2;
      const { hash: _drop, ...body } = e;
      e.hash = createHash("sha256").update(JSON.stringify(body)).digest("hex");
      return ls.map((x) => JSON.stringify(x));
    });
    expect(verdict).toMatchObject(brokenAt(2, 2, /^prev mismatch/));
  });

  it("two lines swapped: a seq gap on the first of them", async () => {
    const verdict = await verifyEdited("swap", 5, (ls) => {
      [ls[2], ls[3]] = [ls[3]!, ls[2]!];
      return ls;
    });
    expect(verdict).toMatchObject(brokenAt(3, 4, "seq gap: expected 3, found 4"));
  });

  it("the last line's hash changed: hash mismatch on the last line", async () => {
    const verdict = await verifyEdited("last", 5, (ls) => {
      ls[4] = ls[4]!.replace(/"hash":"(.)/, (_m, c: string) => `"hash":"${c === "a" ? "b" : "a"}`);
      return ls;
    });
    expect(verdict).toMatchObject(brokenAt(5, 5, /^hash mismatch/));
  });

  it("a line that is not JSON, and a key added", async () => {
    const file = await logOf("garbage", 3);
    const ls = await lines(file);
    await write(file, [ls[0]!, "{oops", ls[2]!]);
    expect(await verifyAuditFile(file)).toEqual({ ok: false, line: 2, reason: "not JSON" });
    await write(file, [ls[0]!, ls[1]!.replace("{", '{"approved":true,'), ls[2]!]);
    expect(await verifyAuditFile(file)).toEqual({
      ok: false,
      line: 2,
      reason: 'unknown key "approved"',
    });
  });
});

describe("a line that reads as its entry but is not the text written for it", () => {
  const canonical = /^not in canonical form/;
  it.each([
    [
      "a forged set of keys put before the real ones (JSON keeps the last of a repeated key)",
      (l: string) =>
        `{"seq":20,"time":"2030-01-01T00:00:00.000Z","actor":"forged","groups":["admins"],"action":"token.create",${l.slice(1)}`,
    ],
    ["a space after a comma", (l: string) => l.replace(',"time"', ', "time"')],
    ["a space before the line ends", (l: string) => `${l} `],
    ["a \\u escape for a plain letter", (l: string) => l.replace('"actor":"b', '"actor":"\\u0062')],
    [
      "keys in another order",
      (l: string) => l.replace(/^\{"seq":(\d+),("time":"[^"]*"),/, '{$2,"seq":$1,'),
    ],
    ["a carriage return before the newline", (l: string) => `${l}\r`],
  ])("%s: the verdict names the line", async (what, edit) => {
    const verdict = await verifyEdited(`canonical-${what.replace(/\W+/g, "-")}`, 3, (ls) => {
      const edited = edit(ls[1]!);
      expect(edited).not.toBe(ls[1]);
      // JSON reads the edited line as the very entry written: only the bytes differ.
      expect(JSON.parse(edited)).toEqual(JSON.parse(ls[1]!));
      ls[1] = edited;
      return ls;
    });
    expect(verdict).toMatchObject(brokenAt(2, 2, canonical));
  });

  it("a byte that is not UTF-8 where the entry has U+FFFD (both read as U+FFFD): the bytes decide", async () => {
    const file = path.join(dir, "canonical-bytes", "audit.log");
    const log = await AuditLog.open(file, clock());
    await log.append({ actor: "a\uFFFDb", groups: [], action: "auth.signin" });
    await log.close();
    const written = await readFile(file);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 1 });
    const at = written.indexOf(Buffer.from("\uFFFD", "utf8"));
    const edited = Buffer.concat([
      written.subarray(0, at),
      Buffer.from([0xff]),
      written.subarray(at + 3),
    ]);
    expect(edited.toString("utf8")).toBe(written.toString("utf8"));
    await writeFile(file, edited);
    expect(await verifyAuditFile(file)).toMatchObject(brokenAt(1, 1, canonical));
  });
});

describe("entries cut off the end while the server runs", () => {
  it("are not numbered over: the next entry keeps the server's numbering and says what went missing", async () => {
    const file = path.join(dir, "cut", "audit.log");
    const log = await AuditLog.open(file, clock());
    for (const action of ["server.start", "query.request", "access.refused"] as const)
      await log.append({ actor: "lead@example.com", groups: [], action });
    const ls = await lines(file);
    const third = JSON.parse(ls[2]!);
    await write(file, ls.slice(0, 1)); // someone drops entries 2 and 3
    await log.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await log.close();
    const after = (await lines(file)).map((l) => JSON.parse(l));
    expect(after.map((e) => [e.seq, e.action])).toEqual([
      [1, "server.start"],
      [4, "server.recover"],
      [5, "run.request"],
    ]);
    expect(after[1].details).toEqual({
      cutAfterSeq: 1,
      lastWritten: { seq: 3, hash: third.hash },
    });
    // verify names the place: seq 2 and 3 were written and are gone.
    expect(await verifyAuditFile(file)).toEqual(brokenAt(2, 4, "seq gap: expected 2, found 4"));
  });
});

describe("the file replaced or moved while the server runs", () => {
  it("by an older copy (renamed over it): the next entry goes to the file at the path and says what went missing", async () => {
    const file = path.join(dir, "replaced", "audit.log");
    const log = await AuditLog.open(file, clock());
    await log.append({ actor: "lead@example.com", groups: [], action: "server.start" });
    const older = await readFile(file);
    for (const action of ["query.request", "access.refused"] as const)
      await log.append({ actor: "lead@example.com", groups: [], action });
    const third = JSON.parse((await lines(file))[2]!);
    await writeFile(`${file}.old`, older);
    await rename(`${file}.old`, file); // a new file at the path: the log's handle is the old one's
    await log.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await log.close();
    const after = (await lines(file)).map((l) => JSON.parse(l));
    expect(after.map((e) => [e.seq, e.action])).toEqual([
      [1, "server.start"],
      [4, "server.recover"],
      [5, "run.request"],
    ]);
    expect(after[1].details).toEqual({ cutAfterSeq: 1, lastWritten: { seq: 3, hash: third.hash } });
    expect(await verifyAuditFile(file)).toEqual(brokenAt(2, 4, "seq gap: expected 2, found 4"));
  });

  it("moved away (and another writer starting a new file there): one chain, no fork", async () => {
    const file = path.join(dir, "moved", "audit.log");
    const server = await AuditLog.open(file, clock());
    await server.append({ actor: "lead@example.com", groups: [], action: "server.start" });
    await rename(file, `${file}.1`);
    const token = await AuditLog.open(file, clock());
    await token.append({ actor: "lead@example.com", groups: [], action: "token.create" });
    await token.close();
    await server.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await server.close();
    // The server's entry follows the token's in the file at the path, not in the moved one.
    expect(await lines(`${file}.1`)).toHaveLength(1);
    const after = (await lines(file)).map((l) => JSON.parse(l));
    // The token's writer found the head noted beside the log (seq 1) and no entry at the path:
    // it continued the chain, saying so; the server then followed the token's entry.
    expect(after.map((e) => [e.seq, e.action])).toEqual([
      [2, "server.recover"],
      [3, "token.create"],
      [4, "run.request"],
    ]);
    expect(after[0].details).toMatchObject({ cutAfterSeq: 0, lastWritten: { seq: 1 } });
    expect(await verifyAuditFiles([`${file}.1`, file])).toMatchObject({ ok: true, entries: 4 });
    expect(chainByHand([...(await lines(`${file}.1`)), ...(await lines(file))])).toBe(true);
  });
});

/**
 * The chain checked by hand over the raw lines of the pieces, in order (independent of
 * `verifyAuditFiles`): seq 1, 2, ..., each hash the SHA-256 of the line without it, each prev
 * the hash before.
 */
function chainByHand(ls: string[]): boolean {
  let prev = "0".repeat(64);
  return ls.every((l, i) => {
    const { hash, ...body } = JSON.parse(l);
    const ok =
      body.seq === i + 1 &&
      body.prev === prev &&
      createHash("sha256").update(JSON.stringify(body)).digest("hex") === hash &&
      l === `${JSON.stringify(body).slice(0, -1)},"hash":"${hash}"}`;
    prev = hash;
    return ok;
  });
}

describe("a rotated log (logrotate's create mode, or copytruncate) while the server runs", () => {
  const rotations = {
    "moved away": (file: string) => rename(file, `${file}.1`),
    "copied and truncated": async (file: string) => {
      await copyFile(file, `${file}.1`);
      await truncate(file, 0);
    },
  };
  for (const [how, rotate] of Object.entries(rotations))
    it(`${how}: the new piece continues the chain, verified with the old one and not alone`, async () => {
      const file = path.join(dir, `rotated-${how.split(" ")[0]}`, "audit.log");
      const log = await AuditLog.open(file, clock());
      await log.append({ actor: "run-md", groups: [], action: "server.start" });
      await log.append({ actor: "lead@example.com", groups: [], action: "query.request" });
      await rotate(file);
      await log.append({ actor: "alice@example.com", groups: [], action: "run.request" });
      await log.append({ actor: "bob@example.com", groups: [], action: "run.cancel" });
      await log.close();
      const old = await lines(`${file}.1`);
      const now = await lines(file);
      expect(old).toHaveLength(2);
      // The rotation is said in the new piece: a server.recover continuing the old one's last entry.
      const last = JSON.parse(old[1]!);
      expect(now.map((l) => JSON.parse(l).action)).toEqual([
        "server.recover",
        "run.request",
        "run.cancel",
      ]);
      expect(JSON.parse(now[0]!).details).toEqual({
        cutAfterSeq: 0,
        lastWritten: { seq: 2, hash: last.hash },
      });
      expect(chainByHand([...old, ...now])).toBe(true);
      expect(await verifyAuditFiles([`${file}.1`, file])).toEqual({
        ok: true,
        entries: 5,
        last: JSON.parse(now[2]!).hash,
      });
      // Alone, the new piece says what to give with it.
      expect(await verifyAuditFile(file)).toEqual(
        brokenAt(
          1,
          3,
          `seq gap: expected 1, found 3: the file continues a chain from seq 2 (hash ${last.hash}): a later piece of a rotated log (give the earlier pieces before it, oldest first: run-md audit verify EARLIER... ${file}), or its first entries were removed`,
        ),
      );
      // An entry removed from either piece is named by file, line and seq.
      await write(`${file}.1`, old.slice(0, 1));
      expect(await verifyAuditFiles([`${file}.1`, file])).toEqual({
        file,
        ...brokenAt(
          1,
          3,
          `seq gap: expected 2, found 3: ${file}.1 ends at seq 1, so entries are missing between the two files (cut off the end of ${file}.1, or lost in between), or the files are not given oldest first`,
        ),
      });
      await write(`${file}.1`, old);
      await write(file, [now[0]!, now[2]!]);
      expect(await verifyAuditFiles([`${file}.1`, file])).toEqual({
        file,
        ...brokenAt(2, 5, "seq gap: expected 4, found 5"),
      });
      await write(file, now);
      expect(await verifyAuditFiles([file, `${file}.1`])).toMatchObject({
        ok: false,
        file,
        line: 1,
        seq: 3,
      });
    });

  it("a piece logrotate compressed (gzip) is read as the text it holds; one cut short is named", async () => {
    const file = path.join(dir, "rotated-gzip", "audit.log");
    const log = await AuditLog.open(file, clock());
    for (let i = 0; i < 3; i++)
      await log.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await rename(file, `${file}.1`);
    await log.append({ actor: "bob@example.com", groups: [], action: "run.cancel" });
    await log.close();
    const text = await readFile(`${file}.1`);
    await writeFile(`${file}.1.gz`, gzipSync(text));
    await rm(`${file}.1`);
    expect(await verifyAuditFiles([`${file}.1.gz`, file])).toMatchObject({ ok: true, entries: 5 });
    const seqs = (await readAuditEntries(`${file}.1.gz`, {})).map((e) => e.seq);
    expect(seqs).toEqual([1, 2, 3]);
    const gz = await readFile(`${file}.1.gz`);
    await writeFile(`${file}.1.gz`, gz.subarray(0, gz.length - 12));
    await expect(verifyAuditFiles([`${file}.1.gz`, file])).rejects.toThrow(
      `${file}.1.gz: the gzip-compressed piece cannot be read whole (unexpected end of file)`,
    );
  });

  it("moved away while no server ran: the next server continues the chain from the noted head", async () => {
    const file = path.join(dir, "rotated-stopped", "audit.log");
    const first = await AuditLog.open(file, clock());
    await first.append({ actor: "run-md", groups: [], action: "server.start" });
    await first.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await first.close();
    await rename(file, `${file}.1`);
    const second = await AuditLog.open(file, clock());
    await second.append({ actor: "run-md", groups: [], action: "server.start" });
    await second.close();
    const next = (await lines(file)).map((l) => JSON.parse(l));
    expect(next.map((e) => [e.seq, e.action])).toEqual([
      [3, "server.recover"],
      [4, "server.start"],
    ]);
    const moved = (await lines(`${file}.1`)).map((l) => JSON.parse(l));
    expect(next[0].details).toEqual({
      cutAfterSeq: 0,
      lastWritten: { seq: 2, hash: moved[1].hash },
    });
    expect(await verifyAuditFiles([`${file}.1`, file])).toMatchObject({ ok: true, entries: 4 });
    expect(chainByHand([...(await lines(`${file}.1`)), ...(await lines(file))])).toBe(true);
  });

  it("removed or cut while no server ran: the next entry says what is missing, verify of the rest fails", async () => {
    const file = path.join(dir, "removed-stopped", "audit.log");
    const first = await AuditLog.open(file, clock());
    for (let i = 0; i < 3; i++)
      await first.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await first.close();
    const all = await lines(file);
    await write(file, all.slice(0, 1)); // entries 2 and 3 cut off the end
    const cut = await AuditLog.open(file, clock());
    await cut.append({ actor: "run-md", groups: [], action: "server.start" });
    await cut.close();
    const after = (await lines(file)).map((l) => JSON.parse(l));
    expect(after.map((e) => [e.seq, e.action])).toEqual([
      [1, "run.request"],
      [4, "server.recover"],
      [5, "server.start"],
    ]);
    expect(after[1].details).toMatchObject({ cutAfterSeq: 1, lastWritten: { seq: 3 } });
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 2, seq: 4 });
    await rm(file);
    const removed = await AuditLog.open(file, clock());
    await removed.append({ actor: "run-md", groups: [], action: "server.start" });
    await removed.close();
    const fresh = (await lines(file)).map((l) => JSON.parse(l));
    expect(fresh.map((e) => [e.seq, e.action])).toEqual([
      [6, "server.recover"],
      [7, "server.start"],
    ]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 1, seq: 6 });
  });

  it("an append whose entry is synced succeeds though its head note cannot be written", async () => {
    const file = path.join(dir, "head-unwritable", "audit.log");
    const log = await AuditLog.open(file, clock());
    await log.append({ actor: "run-md", groups: [], action: "server.start" });
    await rm(headFile(file));
    await mkdir(headFile(file)); // writing the note now fails (EISDIR)
    const entry = await log.append({
      actor: "alice@example.com",
      groups: [],
      action: "run.request",
    });
    await log.close();
    expect(entry.seq).toBe(2);
    expect((await lines(file)).map((l) => JSON.parse(l).seq)).toEqual([1, 2]);
  });

  it("a piece a server started anew (the log and its head removed) is named as a new chain", async () => {
    const file = path.join(dir, "rotated-anew", "audit.log");
    const first = await AuditLog.open(file, clock());
    await first.append({ actor: "run-md", groups: [], action: "server.start" });
    await first.close();
    await rename(file, `${file}.1`);
    await rm(headFile(file), { force: true });
    const second = await AuditLog.open(file, clock());
    await second.append({ actor: "run-md", groups: [], action: "server.start" });
    await second.close();
    expect(await verifyAuditFiles([`${file}.1`, file])).toMatchObject({
      ok: false,
      file,
      line: 1,
      seq: 1,
      reason: expect.stringContaining(
        `the file starts a new chain instead of continuing ${file}.1`,
      ),
    });
  });
});

describe("an anchor kept elsewhere", () => {
  it("shows entries cut off the end, an older copy and a chain hashed again, which verify alone takes", async () => {
    const file = await logOf("anchor", 3);
    const ls = await lines(file);
    const verdict = await verifyAuditFile(file);
    expect(verdict).toEqual({ ok: true, entries: 3, last: JSON.parse(ls[2]!).hash });
    const last = verdict.ok ? verdict.last : "";
    expect(await verifyAuditFile(file, last)).toMatchObject({ ok: true, entries: 3 });
    await write(file, ls.slice(0, 2)); // the last entry cut off: the chain still holds
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 2 });
    expect(await verifyAuditFile(file, last)).toEqual(
      brokenAt(2, 2, /^no entry has the anchored hash [0-9a-f]{64}: entries were cut off the end/),
    );
    await writeFile(file, "");
    expect(await verifyAuditFile(file, last)).toMatchObject({ ok: false, line: 0 });
    // An entry changed and every hash from it on computed again: the chain holds, not the anchor.
    const rehashed: string[] = [];
    let prev = "0".repeat(64);
    for (const l of ls) {
      const { hash: _drop, ...body } = JSON.parse(l);
      if (body.seq === 2) body.actor = "mallory@example.com";
      body.prev = prev;
      prev = createHash("sha256").update(JSON.stringify(body)).digest("hex");
      rehashed.push(JSON.stringify({ ...body, hash: prev }));
    }
    await write(file, rehashed);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 3 });
    expect(await verifyAuditFile(file, last)).toMatchObject({ ok: false, line: 3, seq: 3 });
  });
});

describe("a log opened after an earlier one's last entry (the server reopening a failed log)", () => {
  it("notices entries cut off the end meanwhile, an emptied file too", async () => {
    for (const keep of [1, 0]) {
      const file = path.join(dir, `after-${keep}`, "audit.log");
      const first = await AuditLog.open(file, clock());
      for (const action of ["server.start", "query.request", "access.refused"] as const)
        await first.append({ actor: "lead@example.com", groups: [], action });
      const at = first.position();
      await first.close();
      const kept = (await lines(file)).slice(0, keep);
      await writeFile(file, kept.map((l) => `${l}\n`).join("")); // cut while the log was failed
      const again = await AuditLog.open(file, clock(), at);
      await again.append({ actor: "alice@example.com", groups: [], action: "run.request" });
      await again.close();
      const after = (await lines(file)).map((l) => JSON.parse(l));
      expect(after.map((e) => [e.seq, e.action]).slice(keep)).toEqual([
        [4, "server.recover"],
        [5, "run.request"],
      ]);
      expect(after[keep].details).toEqual({ cutAfterSeq: keep, lastWritten: at });
      expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: keep + 1, seq: 4 });
    }
  });

  it("continues as usual when the file still ends with it", async () => {
    const file = await logOf("after-same", 2);
    const first = await AuditLog.open(file, clock());
    const at = first.position();
    await first.close();
    const again = await AuditLog.open(file, clock(), at);
    await again.append({ actor: "alice@example.com", groups: [], action: "run.request" });
    await again.close();
    expect((await lines(file)).map((l) => JSON.parse(l).action)).toEqual([
      "server.start",
      "run.request",
      "run.request",
    ]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 3 });
  });
});

describe("a crash mid-write", () => {
  it("a torn last line is moved aside on open and a server.recover entry keeps the chain valid", async () => {
    const file = await logOf("torn", 3);
    const torn = '{"seq":4,"time":"2026-11-30T10:00:03.000Z","actor":"ali';
    await writeFile(file, torn, { flag: "a" });
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 4,
      reason: expect.stringMatching(/^torn last line/),
    });
    const log = await AuditLog.open(file, () => new Date("2026-11-30T11:00:00.000Z"));
    await log.close();
    const ls = await lines(file);
    const recover = JSON.parse(ls[3]!);
    const moved = `${file}.torn-2026-11-30T11-00-00.000Z`;
    expect(recover).toMatchObject({
      seq: 4,
      action: "server.recover",
      details: { tornBytes: torn.length, movedTo: moved, afterSeq: 3 },
    });
    expect(await readFile(moved, "utf8")).toBe(torn);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 4 });
  });

  it("a torn first line leaves a file that starts over at seq 1", async () => {
    const file = path.join(dir, "torn-first", "audit.log");
    await logOf("torn-first", 0);
    await writeFile(file, '{"seq":1,"ti');
    const log = await AuditLog.open(file);
    await log.close();
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 1 });
  });

  it("refuses to continue a chain whose last line is not an entry", async () => {
    const file = await logOf("broken-tail", 2);
    await writeFile(file, "not json\n", { flag: "a" });
    await expect(AuditLog.open(file)).rejects.toThrow(
      `${file}: the last line is not an audit entry (not JSON)`,
    );
  });

  it("a process killed with SIGKILL while appending leaves a file that verifies, every acknowledged entry in it", async () => {
    const file = path.join(dir, "kill", "audit.log");
    let acknowledged = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(here, "append-loop.ts"), file],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const target = acknowledged + 30 + round * 7;
      await new Promise<void>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          // Whole lines only (a chunk may end inside a number); the entries resolve out of order.
          const seqs = out
            .slice(0, out.lastIndexOf("\n") + 1)
            .split("\n")
            .filter(Boolean);
          acknowledged = Math.max(acknowledged, ...seqs.map(Number));
          if (acknowledged >= target && child.exitCode === null) {
            child.kill("SIGKILL");
          }
        });
        child.on("exit", (_code, signal) =>
          signal === "SIGKILL" ? resolve() : reject(new Error(`exited ${_code}`)),
        );
      });
      const log = await AuditLog.open(file);
      await log.close();
      const result = await verifyAuditFile(file);
      expect(result).toMatchObject({ ok: true });
      expect((result as { entries: number }).entries).toBeGreaterThanOrEqual(acknowledged);
      acknowledged = (result as { entries: number }).entries;
    }
    expect((await readdir(path.dirname(file))).filter((f) => !f.startsWith("audit.log"))).toEqual(
      [],
    );
  }, 60_000);
});
