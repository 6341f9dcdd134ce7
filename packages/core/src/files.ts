/** Finding runbooks: files as given, directories searched recursively for `*.md`. */
import { type Dirent, readdir } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { glob } from "tinyglobby";
import { ERROR_CODES } from "./error-codes.ts";
import { RunMdError } from "./errors.ts";

const UNREADABLE_HINT = ERROR_CODES["unreadable-runbooks"].hint;

/**
 * The runbook files among `inputs`: a file is taken as given; a directory is searched recursively
 * for `*.md`, skipping `node_modules` and `README.md` files (a folder's readme documents the
 * folder, it is not a runbook). The result is sorted and without duplicates. A path that does
 * not exist is a `RunMdError` with code `not-found`; a path or folder under it that cannot be
 * read (permission denied) is one with code `unreadable-runbooks` naming it, never a silent skip:
 * the runbooks in it would go unchecked and unrun without a word.
 */
export async function findRunbooks(inputs: string[]): Promise<string[]> {
  // By real path: a file given twice (`./runbooks/a.md runbooks/`, or through a symbolic link
  // beside it) is one runbook.
  const found = new Map<string, string>();
  const add = async (file: string) => {
    const real = await realpath(file).catch(() => resolve(file));
    if (!found.has(real)) found.set(real, file);
  };
  for (const input of inputs) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(input);
    } catch (e) {
      const denied = deniedError(input, e);
      if (denied) throw denied;
      // `runbooks/audit-iam`, typed as the id is: the file it meant, when there is one.
      const meant = await stat(`${input}.md`).then(
        (s) => s.isFile(),
        () => false,
      );
      throw new RunMdError("not-found", `no such file or directory: ${input}`, {
        hint: meant
          ? `did you mean ${input}.md?`
          : "give runbook files or folders that hold them, such as runbooks/",
        cause: e,
      });
    }
    if (!info.isDirectory()) {
      await add(input);
      continue;
    }
    for (const file of await searchFolder(input)) {
      if (/(^|\/)readme\.md$/i.test(file)) continue;
      await add(join(input, file));
    }
  }
  return [...found.values()].sort();
}

function isDenied(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "EACCES" || code === "EPERM";
}

/**
 * The error for a runbook path the process may not read (EACCES, EPERM), naming it; undefined
 * for another failure. Never a crash, whose exit 1 reads as "an expectation failed".
 */
export function deniedError(file: string, e: unknown): RunMdError | undefined {
  if (!isDenied(e)) return undefined;
  return new RunMdError("unreadable-runbooks", `cannot read ${file} (permission denied)`, {
    hint: UNREADABLE_HINT,
    cause: e,
  });
}

type ReaddirCallback = (error: NodeJS.ErrnoException | null, entries: Dirent[]) => void;

/**
 * The `*.md` files under `dir`, relative to it. tinyglobby (fdir) passes over a folder it cannot
 * list as if it were empty; its `readdir` is watched here so that such a folder is an error.
 * Folders the search skips (hidden ones, `node_modules`) are never listed, so never reported.
 */
async function searchFolder(dir: string): Promise<string[]> {
  const unread: { path: string; error: NodeJS.ErrnoException }[] = [];
  const links: string[] = [];
  const watched = (path: string, options: { withFileTypes: true }, callback: ReaddirCallback) =>
    readdir(path, options, (error, entries) => {
      // A folder gone since its parent was listed holds nothing to miss.
      if (error && error.code !== "ENOENT") unread.push({ path, error });
      for (const e of entries ?? []) {
        if (e.isSymbolicLink() && !e.name.startsWith(".") && e.name !== "node_modules")
          links.push(join(path, e.name));
      }
      callback(error, entries);
    });
  const files = await glob("**/*.md", {
    cwd: dir,
    ignore: ["**/node_modules/**"],
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    caseSensitiveMatch: false,
    fs: { readdir: watched as unknown as typeof readdir },
  });
  await refuseLinksOut(dir, links);
  refuseUpperCase(dir, files);
  if (unread.length === 0) return files;
  const named = unread
    .map(({ path, error }) => {
      const folder = `${join(dir, relative(resolve(dir), path)).replace(/\/+$/, "")}/`;
      return `${folder} (${isDenied(error) ? "permission denied" : error.message})`;
    })
    .sort();
  const them = named.length === 1 ? "the folder" : `${named.length} folders`;
  throw new RunMdError(
    "unreadable-runbooks",
    `cannot read ${them} ${named.join(", ")}: the runbooks in ${named.length === 1 ? "it" : "them"} were not looked at`,
    { hint: UNREADABLE_HINT, details: { folders: named } },
  );
}

/**
 * A file named `*.MD` (or `.Md`): GitHub shows it as Markdown, a runbook like the others, but the
 * site and the nightly job take `*.md` only, so it would go unchecked and unrun without a word
 * (review): an error naming it, as for a folder that cannot be read. README files are no runbooks.
 */
function refuseUpperCase(dir: string, files: readonly string[]): void {
  const odd = files.filter((f) => !f.endsWith(".md") && !/(^|\/)readme\.md$/i.test(f)).sort();
  if (odd.length === 0) return;
  const named = odd.map((f) => join(dir, f));
  throw new RunMdError(
    "unreadable-runbooks",
    `${named.join(", ")}: a runbook's file name ends in .md, in lower case, and ${named.length === 1 ? "this one was" : "these were"} not looked at`,
    {
      hint: "Rename it with .md (git mv x.MD x.md), or move it out of the runbooks folder if it is not a runbook.",
      details: { files: named },
    },
  );
}

/**
 * The symbolic links of a searched folder are not followed: one to a runbook or a folder inside
 * it adds nothing (what it leads to is searched anyway), but one that leads out of it (or
 * nowhere) would leave its runbooks unchecked and unrun without a word: an error naming it.
 */
async function refuseLinksOut(dir: string, links: string[]): Promise<void> {
  const root = await realpath(dir);
  const out: string[] = [];
  for (const link of links) {
    const real = await realpath(link).catch(() => undefined);
    const info = real === undefined ? undefined : await stat(real).catch(() => undefined);
    const runbookish = info?.isDirectory() || /\.md$/.test(link);
    if (!runbookish) continue;
    const inside = real !== undefined && !relative(root, real).startsWith("..");
    if (!inside) out.push(join(dir, relative(resolve(dir), link)));
  }
  if (out.length === 0) return;
  out.sort();
  throw new RunMdError(
    "unreadable-runbooks",
    `${out.join(", ")} ${out.length === 1 ? "is a symbolic link" : "are symbolic links"} to a place outside ${dir} (or nowhere): the runbooks there were not looked at`,
    {
      hint: "Name the linked file or folder itself (run-md check runbooks/ /path/to/shared/), or copy it in: links are followed only within the folder searched.",
      details: { links: out },
    },
  );
}

/**
 * A path as a person would type it from `from` (the current folder): relative when below it,
 * else as given (`runbooks/audit-iam.md`, not the machine's `/home/runner/work/...`).
 */
export function displayPath(p: string, from: string = process.cwd()): string {
  const rel = relative(from, p);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? p : rel;
}

/**
 * Why `dir` cannot be read as a folder of log files, or undefined when it can: it does not
 * exist, it cannot be looked at (a folder above it without search permission: its code), or it
 * is a file (`--log-dir trail/events.jsonl`), said with the folder that holds it.
 */
export async function notADirectory(dir: string): Promise<string | undefined> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? "does not exist"
      : `cannot be read (${code ?? (e as Error).message})`;
  }
  if (st.isDirectory()) return undefined;
  return `is a file, not a directory: give the directory that holds it (${dirname(dir)}), whose CloudTrail files are all read`;
}
