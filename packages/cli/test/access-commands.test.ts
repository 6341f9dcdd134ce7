import { copyFile, mkdir, readFile, rename, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { AuditLog } from "@run-md/access";
import { describe, expect, it } from "vitest";
import { runMdHere as runMd } from "../../../test/in-process.ts";
import { tempDirForFile } from "../../core/test/temp-dir.ts";

const dir = tempDirForFile("access-cli");

describe("run-md token", () => {
  it("creates a token shown once, lists it without the token, revokes it, auditing each change first", async () => {
    // The default file, relative to the current folder: none yet, nothing listed.
    const empty = await runMd(["token", "list"], { cwd: dir() });
    expect([empty.code, empty.stdout]).toEqual([0, ""]);
    const file = path.join(dir(), "tokens", "tokens.json");
    const audit = path.join(dir(), "tokens", "audit.log");
    const tok = (...args: string[]) => runMd(["token", ...args, "--file", file, "--audit", audit]);
    const created = await tok(
      "create",
      "--name",
      "ci",
      "--groups",
      "security-oncall,bots",
      "--expires",
      "90d",
      "--user",
      "alice@example.com",
    );
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^rmd_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(
      /token "ci" created for security-oncall, bots, expires 20\d\d-.*shown once/,
    );
    const stored = await readFile(file, "utf8");
    expect(stored).not.toContain(token.slice(4));
    expect(JSON.parse(stored).tokens[0]).toMatchObject({
      name: "ci",
      groups: ["security-oncall", "bots"],
      user: "alice@example.com",
    });

    const listed = await tok("list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^ci\tgroups=security-oncall,bots\tuser=alice@example.com\tcreated \S+\tactive until \S+\n$/,
    );
    expect(listed.stdout).not.toContain(token.slice(4));

    const dup = await tok("create", "--name", "ci", "--groups", "x");
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('error a token named "ci" exists already');
    expect(dup.stdout).toBe("");

    const revoked = await tok("revoke", "ci");
    expect([revoked.code, revoked.stderr]).toEqual([0, 'token "ci" revoked\n']);
    const revokedAt = /\trevoked (\S+)\n$/.exec((await tok("list")).stdout)?.[1];
    expect(revokedAt).toMatch(/^20\d\d-/);
    // Again: nothing changes, and it says so rather than "revoked" as if it were now.
    const again = await tok("revoke", "ci");
    expect([again.code, again.stderr]).toEqual([
      0,
      `token "ci" was revoked already, at ${revokedAt}: nothing changed\n`,
    ]);

    // token.create and token.revoke, nothing for the refused duplicate; the token never.
    const log = await readFile(audit, "utf8");
    expect(log).not.toContain(token.slice(4));
    const entries = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.action, e.target, e.actor.startsWith("local:")])).toEqual([
      ["token.create", "ci", true],
      ["token.revoke", "ci", true],
    ]);
    expect(entries[0].details).toMatchObject({
      groups: ["security-oncall", "bots"],
      user: "alice@example.com",
    });
    expect((await runMd(["audit", "verify", audit])).code).toBe(0);
  });

  it("names the flag of a bad --expires, and refuses missing options and subcommands", async () => {
    const file = path.join(dir(), "bad", "tokens.json");
    const audit = path.join(dir(), "bad", "audit.log");
    const tok = (...args: string[]) => runMd(["token", ...args, "--file", file, "--audit", audit]);
    const bad = await tok("create", "--name", "a", "--groups", "g", "--expires", "soon");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'error --expires "soon" is neither a duration (90d, 12h) nor an ISO-8601 date or time',
    );
    const past = await tok("create", "--name", "a", "--groups", "g", "--expires", "2020-01-01");
    expect(past.stderr).toContain('--expires "2020-01-01" is in the past');
    const noGroups = await tok("create", "--name", "a");
    expect(noGroups.stderr).toContain("error --groups is required");
    const sub = await tok("make");
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('run-md token needs create, list or revoke, not "make"');
    const revoke = await tok("revoke", "nobody");
    expect(revoke.stderr).toContain('error no token named "nobody"');
    // Nothing was changed, so nothing was audited.
    await expect(readFile(audit, "utf8")).rejects.toThrow("ENOENT");
  });
});

describe("the server's files", () => {
  it("come from server.tokens and server.audit, relative to the configuration, from any subfolder", async () => {
    const root = path.join(dir(), "repo");
    await mkdir(path.join(root, "runbooks"), { recursive: true });
    await writeFile(
      path.join(root, "run-md.config.yaml"),
      "server:\n  tokens: secrets/tokens.json\n  audit: logs/audit.log\n",
    );
    const cwd = path.join(root, "runbooks");
    const created = await runMd(["token", "create", "--name", "ci", "--groups", "g"], { cwd });
    expect(created.code).toBe(0);
    expect(
      JSON.parse(await readFile(path.join(root, "secrets/tokens.json"), "utf8")).tokens[0].name,
    ).toBe("ci");
    const verified = await runMd(["audit", "verify"], { cwd });
    expect(verified.stdout).toMatch(
      `${path.join(root, "logs/audit.log")}: 1 entry, chain intact\nlast: seq 1 hash `,
    );
    expect((await runMd(["token", "list"], { cwd })).stdout).toMatch(/^ci\tgroups=g\t/);
  });

  it("live 90 days unless --expires says otherwise; --expires never makes one that does not expire", async () => {
    const cwd = path.join(dir(), "expiry");
    await mkdir(cwd, { recursive: true });
    const before = Date.now();
    const made = await runMd(["token", "create", "--name", "ci", "--groups", "g"], { cwd });
    expect(made.stderr).toMatch(/token "ci" created for g, expires (\S+): it is shown once/);
    const until = Date.parse(/expires (\S+):/.exec(made.stderr)![1]!);
    const day = 86_400_000;
    expect(until - before).toBeGreaterThanOrEqual(90 * day - 60_000);
    expect(until - before).toBeLessThanOrEqual(90 * day + 60_000);
    const never = await runMd(
      ["token", "create", "--name", "forever", "--groups", "g", "--expires", "never"],
      { cwd },
    );
    expect(never.stderr).toContain('token "forever" created for g, never expires');
    const listed = (await runMd(["token", "list"], { cwd })).stdout;
    expect(listed).toMatch(/^ci\tgroups=g\tuser=-\tcreated \S+\tactive until \S+$/m);
    expect(listed).toMatch(/^forever\tgroups=g\tuser=-\tcreated \S+\tactive$/m);
  });
});

/** A log of three entries, one second apart from 2026-11-28T10:00:00Z, with awkward values. */
async function sampleLog(name: string): Promise<string> {
  const file = path.join(dir(), name, "audit.log");
  let t = Date.parse("2026-11-28T10:00:00Z") - 1000;
  const log = await AuditLog.open(file, () => {
    t += 1000;
    return new Date(t);
  });
  await log.append({ actor: "run-md", groups: [], action: "server.start" });
  await log.append({
    actor: 'eve "the, auditor"',
    groups: ["a", "b"],
    action: "query.request",
    details: { sql: "SELECT 1\nFROM x" },
  });
  await log.append({
    actor: "bob@example.com",
    groups: ["g"],
    action: "run.request",
    target: "audit-iam",
  });
  await log.close();
  return file;
}

/** `run-md audit export --file FILE ...args`. */
const auditExport = (file: string, ...args: string[]) =>
  runMd(["audit", "export", "--file", file, ...args]);

describe("run-md audit", () => {
  it("verify: 0 and the count when the chain holds, 1 naming the line and seq that breaks it", async () => {
    const file = await sampleLog("verify");
    const ok = await runMd(["audit", "verify", file]);
    expect(ok.code).toBe(0);
    const lines = (await readFile(file, "utf8")).split("\n");
    const last = JSON.parse(lines[2]!).hash;
    expect(ok.stdout).toBe(`${file}: 3 entries, chain intact\nlast: seq 3 hash ${last}\n`);
    // The printed hash, kept elsewhere, shows the last entry cut off (the chain still holds).
    await writeFile(file, `${lines.slice(0, 2).join("\n")}\n`);
    const cut = await runMd(["audit", "verify", "--anchor", last, file]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toBe(
      `error ${file}:2 (seq 2): no entry has the anchored hash ${last}: entries were cut off the end, or the file was replaced by another (an older copy)\n`,
    );
    expect((await runMd(["audit", "verify", "--anchor", "x", file])).code).toBe(2);
    lines[1] = lines[1]!.replace("query.request", "query.denied");
    await writeFile(file, lines.join("\n"));
    const broken = await runMd(["audit", "verify", "--file", "ignored", file]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      `error ${file}:2 (seq 2): hash mismatch: the entry was changed after it was written\n`,
    );
    const missing = await runMd(["audit", "verify", path.join(dir(), "none.log")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("none.log does not exist");
  });

  it("export --format csv escapes commas, quotes and newlines (RFC 4180)", async () => {
    const file = await sampleLog("csv");
    const res = await auditExport(
      file,
      "--since",
      "2026-11-28T10:00:01Z",
      "--until",
      "2026-11-28T10:00:02Z",
      "--format",
      "csv",
    );
    expect(res.code).toBe(0);
    const entry = JSON.parse((await readFile(file, "utf8")).split("\n")[1]!);
    expect(res.stdout).toBe(
      "seq,time,actor,groups,action,target,details,prev,hash\r\n" +
        `2,2026-11-28T10:00:01.000Z,"eve ""the, auditor""",a;b,query.request,,"{""sql"":""SELECT 1\\nFROM x""}",${entry.prev},${entry.hash}\r\n`,
    );
  });

  it("export --format json writes the stored lines, to --output when given", async () => {
    const file = await sampleLog("json");
    const out = path.join(dir(), "json", "export.jsonl");
    const res = await auditExport(
      file,
      "--since",
      "2026-11-28",
      "--format",
      "json",
      "--output",
      out,
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("");
    expect(await readFile(out, "utf8")).toBe(await readFile(file, "utf8"));
    // -o, as query and run take it.
    const short = path.join(dir(), "json", "short.jsonl");
    const o = await auditExport(file, "--since", "2026-11-28", "--format", "json", "-o", short);
    expect(o.stderr).toBe("");
    expect(o.code).toBe(0);
    expect(await readFile(short, "utf8")).toBe(await readFile(file, "utf8"));
    const none = await auditExport(file, "--since", "2026-11-29", "--format", "json");
    expect(none.stdout).toBe("");
  });

  const rotations = {
    "moved away (logrotate's create)": (file: string) => rename(file, `${file}.1`),
    "copied and truncated (copytruncate)": async (file: string) => {
      await copyFile(file, `${file}.1`);
      await truncate(file, 0);
    },
  };
  for (const [how, rotate] of Object.entries(rotations))
    it(`verify OLD NEW: a log ${how} while the server appends is one chain; a removed entry is named`, async () => {
      const file = path.join(dir(), `rotate-${how.split(" ")[0]}`, "audit.log");
      const log = await AuditLog.open(file);
      await log.append({ actor: "run-md", groups: [], action: "server.start" });
      await log.append({ actor: "lead@example.com", groups: [], action: "query.request" });
      await rotate(file);
      await log.append({ actor: "alice@example.com", groups: [], action: "run.request" });
      await log.close();
      const old = (await readFile(`${file}.1`, "utf8")).split("\n").slice(0, -1);
      const now = (await readFile(file, "utf8")).split("\n").slice(0, -1);
      // By hand: the new piece's first line follows the old piece's last (seq 3 = 2 + 1).
      expect(JSON.parse(now[0]!)).toMatchObject({ seq: 3, prev: JSON.parse(old[1]!).hash });
      const ok = await runMd(["audit", "verify", `${file}.1`, file]);
      expect(ok).toMatchObject({ code: 0, stderr: "" });
      expect(ok.stdout).toBe(
        `${file}.1 + ${file}: 4 entries, chain intact\nlast: seq 4 hash ${JSON.parse(now[1]!).hash}\n`,
      );
      const alone = await runMd(["audit", "verify", file]);
      expect(alone.code).toBe(1);
      expect(alone.stderr).toContain(
        `error ${file}:1 (seq 3): seq gap: expected 1, found 3: the file continues a chain from seq 2`,
      );
      expect(alone.stderr).toContain(`run-md audit verify EARLIER... ${file}`);
      // The pieces exported together are the stored lines, oldest first.
      const both = await runMd([
        "audit",
        "export",
        "--file",
        `${file}.1`,
        "--file",
        file,
        "--since",
        "1d",
        "--format",
        "json",
      ]);
      expect(both).toMatchObject({
        code: 0,
        stderr: "",
        stdout: [...old, ...now].map((l) => `${l}\n`).join(""),
      });
      await writeFile(`${file}.1`, `${old[1]}\n`); // entry 1 removed from the old piece
      const first = await runMd(["audit", "verify", `${file}.1`, file]);
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(
        new RegExp(`^error ${file}\\.1:1 \\(seq 2\\): seq gap: expected 1, found 2`),
      );
      await writeFile(`${file}.1`, `${old.join("\n")}\n`);
      await writeFile(file, `${now[1]}\n`); // the server.recover removed from the new piece
      const second = await runMd(["audit", "verify", `${file}.1`, file]);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `error ${file}:1 (seq 4): seq gap: expected 3, found 4: ${file}.1 ends at seq 2, so entries are missing between the two files (cut off the end of ${file}.1, or lost in between), or the files are not given oldest first\n`,
      );
      const missing = await runMd(["audit", "verify", `${file}.2`, file]);
      expect(missing).toMatchObject({
        code: 2,
        stderr: expect.stringContaining(`${file}.2 does not exist`),
      });
    });

  it("export names a bad flag", async () => {
    const file = await sampleLog("bad");
    const fmt = await auditExport(file, "--format", "xml");
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain('--format "xml": expected json or csv');
    const since = await auditExport(file, "--format", "csv", "--since", "last week");
    expect(since.stderr).toContain('--since "last week" is neither a duration');
    const none = await auditExport(file, "--since", "2026-11-28");
    expect(none).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--format is required"),
    });
    const out = path.join(dir(), "bad", "audit.json");
    const clash = await auditExport(file, "--format", "csv", "-o", out);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain(`--format csv but --output ${out} ends .json`);
    await expect(readFile(out, "utf8")).rejects.toThrow(/ENOENT/);
    // The extension as written, not the format's name (.jsonl is not .json).
    const jsonl = path.join(dir(), "bad", "audit.jsonl");
    const lines = await auditExport(file, "--format", "csv", "-o", jsonl);
    expect(lines.stderr).toContain(`--format csv but --output ${jsonl} ends .jsonl`);
  });

  it("export takes the format --output's extension names", async () => {
    const file = await sampleLog("ext");
    const stored = await readFile(file, "utf8");
    for (const name of ["a.json", "b.JSONL", "c.ndjson"]) {
      const out = path.join(dir(), "ext", name);
      const res = await auditExport(file, "--since", "2026-11-28", "-o", out);
      expect(res, name).toMatchObject({ code: 0, stderr: "" });
      expect(await readFile(out, "utf8"), name).toBe(stored);
    }
    const csv = path.join(dir(), "ext", "d.csv");
    expect((await auditExport(file, "--since", "2026-11-28", "-o", csv)).code).toBe(0);
    const [header, ...rows] = (await readFile(csv, "utf8")).trimEnd().split("\n");
    expect(header).toMatch(/^seq,/);
    expect(rows).toHaveLength(stored.trimEnd().split("\n").length);
    const txt = await auditExport(file, "-o", path.join(dir(), "ext", "e.txt"));
    expect(txt.stderr).toContain("does not end .json, .jsonl or .csv");
    // An extension that names a property of every object names no format (second review,
    // 2026-12-07: `.constructor` was taken for one, and CSV written there, or json refused).
    const odd = path.join(dir(), "ext", "f.constructor");
    const guessed = await auditExport(file, "--since", "2026-11-28", "-o", odd);
    expect(guessed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("does not end .json"),
    });
    await expect(readFile(odd, "utf8")).rejects.toThrow(/ENOENT/);
    const given = await auditExport(file, "--since", "2026-11-28", "--format", "json", "-o", odd);
    expect(given, "--format json").toMatchObject({ code: 0, stderr: "" });
    expect(await readFile(odd, "utf8")).toBe(stored);
  });
});
