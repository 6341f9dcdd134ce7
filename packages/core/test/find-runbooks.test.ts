/**
 * `findRunbooks` and folders it cannot read: an error naming them, never a silent skip (a locked
 * team folder used to leave its runbooks unchecked and unrun without a word).
 *
 * Tests run as root, and root reads any folder whatever its mode; the search therefore runs in a
 * child under `setpriv`, which drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH so that a mode-000
 * folder really is "permission denied" (as in test/hardening-local.test.ts). A user other than
 * root needs no setpriv: the mode is enough.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const FILES_TS = path.join(REPO, "packages/core/src/files.ts");
const IS_ROOT = process.getuid?.() === 0;
const NO_DAC = [
  "setpriv",
  "--inh-caps=-dac_override,-dac_read_search",
  "--bounding-set=-dac_override,-dac_read_search",
];
const CAN_LOCK = !IS_ROOT || existsSync("/usr/bin/setpriv");
if (!CAN_LOCK) console.log("skipping the unreadable-folder cases: running as root without setpriv");

type Outcome = { files: string[] } | { error: { code: string; message: string } };

let root: string;
const LOCKED = ["rb/team-b", "rb/iam/locked", "rb/.hidden", "rb/node_modules/pkg", "closed"];

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "run-md-find-"));
  for (const file of [
    "rb/a.md",
    "rb/iam/c.md",
    "rb/team-b/b.md",
    "rb/iam/locked/d.md",
    "rb/.hidden/e.md",
    "rb/node_modules/pkg/f.md",
    "closed/g.md",
    "open/h.md",
  ]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), "---\ntitle: T\n---\n");
  }
  for (const dir of LOCKED) chmodSync(path.join(root, dir), 0);
});

afterAll(() => {
  for (const dir of LOCKED) chmodSync(path.join(root, dir), 0o755);
  rmSync(root, { recursive: true, force: true });
});

/** `findRunbooks` of each list of inputs, in one child that cannot read mode-000 folders. */
function findLocked(cases: string[][]): Outcome[] {
  const script = path.join(root, "find.mts");
  writeFileSync(
    script,
    `import { findRunbooks } from ${JSON.stringify(FILES_TS)};
const out = [];
for (const inputs of JSON.parse(process.argv[2])) {
  try {
    out.push({ files: await findRunbooks(inputs) });
  } catch (e) {
    out.push({ error: { code: e.code, message: e.message } });
  }
}
console.log(JSON.stringify(out));
`,
  );
  const [command, ...args] = [
    ...(IS_ROOT ? NO_DAC : []),
    process.execPath,
    "--import",
    "tsx",
    script,
    JSON.stringify(cases),
  ];
  const res = spawnSync(command as string, args, { cwd: REPO, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Outcome[];
}

describe.skipIf(!CAN_LOCK)("finding runbooks in folders that cannot be read", () => {
  it("is an unreadable-runbooks error naming each folder, never a silent skip", () => {
    const rb = path.join(root, "rb");
    const closed = path.join(root, "closed");
    const [under, itself, inside, readable] = findLocked([
      [rb],
      [closed],
      [path.join(closed, "g.md")],
      [path.join(root, "open")],
    ]);
    expect(under).toEqual({
      error: {
        code: "unreadable-runbooks",
        message: `cannot read 2 folders ${rb}/iam/locked/ (permission denied), ${rb}/team-b/ (permission denied): the runbooks in them were not looked at`,
      },
    });
    expect(itself).toEqual({
      error: {
        code: "unreadable-runbooks",
        message: `cannot read the folder ${closed}/ (permission denied): the runbooks in it were not looked at`,
      },
    });
    // A file in a folder that cannot be searched exists: not "no such file".
    expect(inside).toEqual({
      error: {
        code: "unreadable-runbooks",
        message: `cannot read ${path.join(closed, "g.md")} (permission denied)`,
      },
    });
    expect(readable).toEqual({ files: [path.join(root, "open", "h.md")] });
  });

  it("still never looks into hidden folders and node_modules, readable or not", () => {
    const iam = path.join(root, "rb", "iam");
    chmodSync(path.join(iam, "locked"), 0o755);
    chmodSync(path.join(root, "rb", "team-b"), 0o755);
    try {
      const rb = path.join(root, "rb");
      expect(findLocked([[rb]])).toEqual([
        {
          files: [
            path.join(rb, "a.md"),
            path.join(iam, "c.md"),
            path.join(iam, "locked", "d.md"),
            path.join(rb, "team-b", "b.md"),
          ],
        },
      ]);
    } finally {
      chmodSync(path.join(iam, "locked"), 0);
      chmodSync(path.join(root, "rb", "team-b"), 0);
    }
  });
});

describe("findRunbooks and a file given twice", () => {
  it("lists it once, as first given (the same runbook twice would clash with itself)", async () => {
    const { findRunbooks } = await import("../src/files.ts");
    const dir = mkdtempSync(path.join(tmpdir(), "run-md-find-twice-"));
    try {
      writeFileSync(path.join(dir, "a.md"), "---\ntitle: A\n---\n");
      writeFileSync(path.join(dir, "b.md"), "---\ntitle: B\n---\n");
      const given = `${dir}/./a.md`;
      expect(await findRunbooks([given, dir, path.join(dir, "b.md")])).toEqual([
        given,
        path.join(dir, "b.md"),
      ]);
      // A symbolic link to a runbook beside it is that runbook.
      symlinkSync(path.join(dir, "b.md"), path.join(dir, "c.md"));
      expect(await findRunbooks([dir, path.join(dir, "c.md")])).toEqual([
        path.join(dir, "a.md"),
        path.join(dir, "b.md"),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("findRunbooks and symbolic links out of the folder searched (carried: they were skipped without a word)", () => {
  it("refuses a link to a runbook or a folder outside, naming it; a link inside adds nothing", async () => {
    const { findRunbooks } = await import("../src/files.ts");
    const root = mkdtempSync(path.join(tmpdir(), "run-md-find-links-"));
    const dir = path.join(root, "runbooks");
    const shared = path.join(root, "shared");
    try {
      mkdirSync(dir);
      mkdirSync(shared);
      writeFileSync(path.join(dir, "a.md"), "---\ntitle: A\n---\n");
      writeFileSync(path.join(shared, "s.md"), "---\ntitle: S\n---\n");
      mkdirSync(path.join(dir, "team"));
      symlinkSync(path.join(dir, "a.md"), path.join(dir, "team", "alias.md"));
      symlinkSync(path.join(dir, "team"), path.join(dir, "team-link"));
      // Not a runbook: a link to something else is none of its business.
      symlinkSync("/etc/hostname", path.join(dir, "notes.txt"));
      expect(await findRunbooks([dir])).toEqual([path.join(dir, "a.md")]);
      symlinkSync(shared, path.join(dir, "shared"));
      symlinkSync(path.join(shared, "s.md"), path.join(dir, "team", "s.md"));
      symlinkSync(path.join(root, "gone.md"), path.join(dir, "dangling.md"));
      await expect(findRunbooks([dir])).rejects.toMatchObject({
        code: "unreadable-runbooks",
        message: `${path.join(dir, "dangling.md")}, ${path.join(dir, "shared")}, ${path.join(dir, "team", "s.md")} are symbolic links to a place outside ${dir} (or nowhere): the runbooks there were not looked at`,
      });
      // Named on the command line, the linked folder is searched like any.
      expect(await findRunbooks([shared])).toEqual([path.join(shared, "s.md")]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
