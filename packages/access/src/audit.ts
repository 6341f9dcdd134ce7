/**
 * The audit log (spec access-proxy.md §9): append-only JSON lines, each entry chained to the one
 * before by `prev` and sealed by `hash` (audit-entry.ts has the canonical form). `append`
 * resolves only after its line is written (one write), flushed and fsync'ed; appends are
 * serialized through one queue, and those that arrive while a write is under way go out
 * together in the next (one write, one fsync: a group commit).
 *
 * A crash mid-write leaves a last line without its newline. Its action never took effect (the
 * append had not resolved), so `open` moves those bytes to `<file>.torn-<time>`, cuts the file
 * back to its last whole line and appends a `server.recover` entry saying so: the chain stays
 * valid and the torn bytes are kept for a human to read.
 *
 * Several processes may append (the server, `run-md token`): each append holds `<file>.lock`
 * and first catches up with entries another process wrote since its own last one.
 */
import type { Stats } from "node:fs";
import {
  type FileHandle,
  mkdir,
  open,
  readFile,
  stat,
  truncate,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { RunMdError, reportFileStem, withFileLock } from "@run-md/core";
import {
  AUDIT_ACTIONS,
  type AuditEntry,
  type AuditInput,
  asEntry,
  entryHash,
  entryLine,
  GENESIS,
  isEntryLine,
  sealEntry,
} from "./audit-entry.ts";
import { readLines, readTail } from "./lines.ts";

export type { AuditAction, AuditEntry, AuditInput } from "./audit-entry.ts";
export { AUDIT_ACTIONS, canonicalJson, entryHash } from "./audit-entry.ts";

export const DEFAULT_AUDIT_FILE = ".run-md/audit.log";

/** The actor of entries the server writes on its own behalf (start, recovery). */
export const SYSTEM_ACTOR = "run-md";

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Array<{
    input: AuditInput;
    resolve: (e: AuditEntry) => void;
    reject: (e: unknown) => void;
  }> = [];
  private scheduled = false;
  private failed: unknown;
  private seq = 0;
  private last = GENESIS;
  /**
   * The file's size after this log's last look: another size means another process wrote. -1
   * before the first look; -2 before it when opened `after` an earlier log's last entry.
   */
  private size = -1;

  private constructor(
    readonly file: string,
    private fh: FileHandle | undefined,
    private readonly now: () => Date,
  ) {}

  /**
   * Opens (or creates) the log and continues its chain, repairing a torn last line first.
   * `known`: the last entry an earlier AuditLog on this file wrote (the server reopening a failed
   * log); without it, the head noted beside the log (`<file>.head`, by every writer after each
   * write). A file that no longer ends at or after it was cut, moved away or removed (while no
   * server ran, too), and a `server.recover` says so, continuing the chain from that entry.
   */
  static async open(
    file: string,
    now: () => Date = () => new Date(),
    known?: { seq: number; hash: string },
  ): Promise<AuditLog> {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const after = known ?? (await readHead(file));
    const log = new AuditLog(file, await open(file, "a"), now);
    if (after !== undefined) {
      log.seq = after.seq;
      log.last = after.hash;
      log.size = -2; // not the file's size: its last entry is read and compared with `after`
    }
    try {
      await log.exclusive(async () => undefined);
    } catch (e) {
      await log.close();
      throw e;
    }
    return log;
  }

  /** The last entry this log wrote or found (seq 0 and 64 zeros for none). */
  position(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.last };
  }

  /** Refuses (a programmer error) an action not in AUDIT_ACTIONS or an empty actor. */
  append(input: AuditInput): Promise<AuditEntry> {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(input.action) || !input.actor)
      return Promise.reject(
        new Error(`audit: bad entry (action "${input.action}", actor "${input.actor}")`),
      );
    return new Promise<AuditEntry>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      this.queue = this.queue.then(() => this.flush());
    });
  }

  /**
   * Writes every entry waiting (up to the moment it starts) with one write and one fsync: a
   * group commit. Each `append` resolves once its entry is synced, as if written alone.
   */
  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending.splice(0);
    try {
      const entries = await this.exclusive(() => this.write(batch.map((b) => b.input)));
      for (const [i, b] of batch.entries()) b.resolve(entries[i]!);
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  /**
   * Runs `fn` holding `<file>.lock` (other processes, such as `run-md token`, append too),
   * first catching up with what they wrote, or repairing what a crashed one left.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(`${this.file}.lock`, async () => {
      if (!this.fh) throw new RunMdError("audit-closed", `the audit log ${this.file} is closed`);
      const held = await this.fh.stat();
      const moved = await this.reopenIfReplaced(held);
      if (moved || held.size !== this.size) await this.catchUp(moved);
      return fn();
    });
  }

  /**
   * Opens the file at the path again when it is no longer the one this log's handle holds (moved
   * away, or another file renamed over it, such as an older copy): appends went on into the old
   * file, where `verify` of the path never saw them, and another writer started a second chain
   * at the path (found by red-team review).
   */
  private async reopenIfReplaced(held: Stats): Promise<boolean> {
    const now = await stat(this.file).catch(() => undefined);
    if (now && now.ino === held.ino && now.dev === held.dev) return false;
    const fh = this.fh!;
    this.fh = undefined;
    await fh.close();
    this.fh = await open(this.file, "a");
    return true;
  }

  /**
   * Continues from the file's last entry: another process's, or a torn line's repair. A file
   * that now ends before this log's own last entry was cut by someone: the next entry keeps this
   * log's numbering (so `verify` reports the seq gap where the entries went missing) and says
   * what was lost, rather than numbering on from the cut and hiding it (found by review). So
   * does a file whose last entry has this log's last seq but not its hash (another file). A
   * file with no entry (the log rotated) gets that entry with `prev` this log's last hash.
   */
  private async catchUp(moved = false): Promise<void> {
    const written = { seq: this.seq, hash: this.last };
    const before = (await this.fh!.stat()).size;
    const tail = await lastEntry(this.file);
    this.seq = tail.entry?.seq ?? 0;
    this.last = tail.entry?.hash ?? GENESIS;
    const cut =
      this.size !== -1 &&
      ((!moved && before < this.size) ||
        this.seq < written.seq ||
        (this.seq === written.seq && this.last !== written.hash));
    if (tail.torn) await moveTorn(this.file, tail.torn, this.now());
    this.size = (await this.fh!.stat()).size;
    const recover = (details: Record<string, unknown>) =>
      this.write([{ actor: SYSTEM_ACTOR, groups: [], action: "server.recover", details }]);
    if (tail.torn)
      await recover({ tornBytes: tail.torn.bytes, movedTo: tail.torn.movedTo, afterSeq: this.seq });
    if (cut) {
      const afterSeq = this.seq;
      this.seq = Math.max(this.seq, written.seq);
      // No entry at the path (rotated: moved away, or copied and truncated): the new piece
      // continues the chain from this log's last entry, so `verify OLD NEW` holds across them.
      if (tail.entry === undefined) this.last = written.hash;
      await recover({ cutAfterSeq: afterSeq, lastWritten: written });
    }
  }

  /** Seals and writes entries in order, one write and one fsync; the chain moves on after. */
  private async write(inputs: AuditInput[]): Promise<AuditEntry[]> {
    if (this.failed !== undefined)
      throw new RunMdError("audit-failed", `the audit log ${this.file} failed earlier`, {
        cause: this.failed,
      });
    const entries: AuditEntry[] = [];
    let prev = { seq: this.seq, hash: this.last };
    for (const input of inputs) {
      const entry = sealEntry(input, prev.seq + 1, this.now().toISOString(), prev.hash);
      entries.push(entry);
      prev = entry;
    }
    const bytes = Buffer.from(entries.map(entryLine).join(""), "utf8");
    try {
      let done = 0;
      // One write call; the loop only runs again if the kernel took part of it.
      while (done < bytes.length)
        done += (await this.fh!.write(bytes, done, bytes.length - done)).bytesWritten;
      await this.fh!.sync();
    } catch (e) {
      // The file may now end in part of a line: refuse further appends (reopening repairs it).
      this.failed = e;
      throw e;
    }
    this.seq = prev.seq;
    this.last = prev.hash;
    this.size += bytes.length;
    // The entries are written and synced: their actions go ahead even if the note cannot be
    // written (a full disk); a head left behind reads as no cut, as after a crash.
    await writeHead(this.file, prev).catch(() => undefined);
    return entries;
  }

  /** Entries at or after `since`, in order; with `limit`, the newest `limit` of them. */
  read(o: { since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
    const next = this.queue.then(() => readAuditEntries(this.file, o));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }
}

/**
 * The chain's last entry, noted beside the log after each write (under the log's lock): what lets
 * a log moved away, cut or removed while no server ran be told from a new one, and its chain go
 * on (`open`). Not synced: after a crash it may be a write behind the log, which `open` takes as
 * no cut (the log ends after it). Remove it with the log to start a new chain.
 */
export const headFile = (file: string) => `${file}.head`;

async function writeHead(file: string, last: { seq: number; hash: string }): Promise<void> {
  await writeFile(headFile(file), `${JSON.stringify({ seq: last.seq, hash: last.hash })}\n`);
}

/** The noted head; undefined when there is none or it is not one (a torn write). */
async function readHead(file: string): Promise<{ seq: number; hash: string } | undefined> {
  const text = await readFile(headFile(file), "utf8").catch(() => undefined);
  const head = parseOrUndefined(text ?? "") as { seq?: unknown; hash?: unknown } | undefined;
  if (typeof head !== "object" || head === null) return undefined;
  const { seq, hash } = head;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return undefined;
  if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  return { seq: seq as number, hash };
}

interface Torn {
  offset: number;
  bytes: number;
  movedTo: string;
}

/** The last whole entry of the file (if any) and the torn tail after it (if any). */
async function lastEntry(file: string): Promise<{ entry?: AuditEntry; torn?: Torn }> {
  const tail = await readTail(file);
  const torn = tail.torn && { ...tail.torn, movedTo: "" };
  if (tail.last === undefined) return torn ? { torn } : {};
  const parsed = parseOrUndefined(tail.last);
  const entry = asEntry(parsed);
  if (typeof entry === "string")
    throw new RunMdError(
      "audit-invalid",
      `${file}: the last line is not an audit entry (${parsed === undefined ? "not JSON" : entry}): the chain cannot be continued`,
      { hint: `run-md audit verify ${file}` },
    );
  return torn ? { entry, torn } : { entry };
}

/** Copies the torn bytes to `<file>.torn-<time>` (synced), then cuts the file before them. */
async function moveTorn(file: string, torn: Torn, at: Date): Promise<void> {
  torn.movedTo = `${file}.torn-${reportFileStem(at.toISOString())}`;
  const fh = await open(file, "r");
  const buf = Buffer.alloc(torn.bytes);
  try {
    await fh.read(buf, 0, torn.bytes, torn.offset);
  } finally {
    await fh.close();
  }
  await writeFile(torn.movedTo, buf, { flush: true });
  await truncate(file, torn.offset);
}

/**
 * The entries of a log file with `since <= time < until`, in order (lines that are not entries
 * skipped: `verifyAuditFile` is the judge of those); with `limit`, the newest `limit` of them.
 */
export async function readAuditEntries(
  file: string,
  o: { since?: Date; until?: Date; limit?: number },
): Promise<AuditEntry[]> {
  const since = o.since?.toISOString();
  const until = o.until?.toISOString();
  const out: AuditEntry[] = [];
  for await (const line of readLines(file)) {
    if (!line.terminated) continue;
    const entry = asEntry(parseOrUndefined(line.text));
    if (typeof entry === "string") continue;
    if (since !== undefined && entry.time < since) continue;
    if (until !== undefined && entry.time >= until) continue;
    out.push(entry);
    if (o.limit !== undefined && out.length > o.limit) out.shift();
  }
  return out;
}

export type VerifyResult =
  | { ok: true; entries: number; last: string }
  | { ok: false; line: number; seq?: number; reason: string };

/** A verdict on several files: a break also names the `file` it is in. */
export type FilesVerifyResult =
  | { ok: true; entries: number; last: string }
  | { ok: false; file: string; line: number; seq?: number; reason: string };

/**
 * Checks every line: JSON, an entry, the next seq, its own hash, `prev`, then that the line is
 * byte for byte the one the writer writes for that entry (`isEntryLine`). With `anchor` (a
 * `hash` kept elsewhere), also that an entry has it: the chain alone cannot show entries cut
 * off the end, or the file replaced by an older copy. A UTF-8 byte order mark before line 1 (an
 * editor's) fails it too, naming the mark; the readers (`readAuditEntries`, `AuditLog.open`)
 * read past it (`readLines`, `readTail`), so entry 1 is neither lost nor the chain stopped.
 * A later piece of a rotated log alone fails at line 1 saying to give the earlier pieces too.
 */
export async function verifyAuditFile(file: string, anchor?: string): Promise<VerifyResult> {
  const result = await verifyAuditFiles([file], anchor);
  if (result.ok) return result;
  const { file: _file, ...rest } = result;
  return rest;
}

/**
 * The pieces of a rotated log, oldest first, verified as one chain: each file's first entry
 * continues the previous file's last (its `prev` is that entry's hash, its seq the next), the
 * first file starts at seq 1. With `anchor`, an entry of some file must have it.
 */
export async function verifyAuditFiles(
  files: readonly string[],
  anchor?: string,
): Promise<FilesVerifyResult> {
  const chain: Chain = { seq: 0, prev: GENESIS, anchored: anchor === undefined, anchor };
  let lines = 0;
  for (const [i, file] of files.entries()) {
    const seen = { bom: false };
    const piece = { file, before: files[i - 1] };
    const result = await verifyChain(piece, chain, seen);
    const verdict = seen.bom ? withBom(result) : result;
    if (!verdict.ok) return { ...verdict, file };
    lines = result.ok ? result.lines : 0;
  }
  if (!chain.anchored)
    return {
      ok: false,
      file: files[files.length - 1]!,
      line: lines,
      ...(chain.seq > 0 && { seq: chain.seq }),
      reason: `no entry has the anchored hash ${anchor}: entries were cut off the end, or the file was replaced by another (an older copy)`,
    };
  return { ok: true, entries: chain.seq, last: chain.prev };
}

/** Where the chain stands after the lines read so far (carried from one file to the next). */
interface Chain {
  seq: number;
  prev: string;
  anchored: boolean;
  anchor: string | undefined;
}

type PieceResult =
  | { ok: true; entries: number; lines: number }
  | { ok: false; line: number; seq?: number; reason: string };

const BOM_FOUND =
  "the file starts with a UTF-8 byte order mark (bytes EF BB BF), which run-md never writes: an editor or a tool saved it again";

/**
 * A log whose line 1 began with a byte order mark fails verification (the file is not the bytes
 * written), saying whether the entries after it hold, so the user knows what to repair; a
 * problem of the entries themselves stays the first said.
 */
function withBom(result: PieceResult): PieceResult {
  if (!result.ok) return { ...result, reason: `${result.reason}; also, ${BOM_FOUND}` };
  return {
    ok: false,
    line: 1,
    reason: `${BOM_FOUND}; the ${result.entries} entries after it hold (seq, hashes, chain, canonical form): remove those 3 bytes (with run-md serve stopped) and verify again`,
  };
}

/**
 * One file's lines, continuing `chain` (moved on as they hold), without the byte order mark
 * verdict (`seen.bom` says one was read). `before`: the file given before this one.
 */
async function verifyChain(
  piece: { file: string; before: string | undefined },
  chain: Chain,
  seen: { bom: boolean },
): Promise<PieceResult> {
  let lines = 0;
  let entries = 0;
  for await (const line of readLines(piece.file)) {
    lines = line.number;
    if (line.bom) seen.bom = true;
    const fail = (reason: string, s?: number): PieceResult =>
      s === undefined
        ? { ok: false, line: line.number, reason }
        : { ok: false, line: line.number, seq: s, reason };
    if (!line.terminated)
      return fail(
        "torn last line (no newline): a write was cut short; run-md serve moves it aside when it starts",
      );
    const parsed = parseOrUndefined(line.text);
    if (parsed === undefined) return fail("not JSON");
    const entry = asEntry(parsed);
    if (typeof entry === "string") return fail(entry);
    const first = entries === 0 ? piece : undefined;
    if (entry.seq !== chain.seq + 1) return fail(gapReason(chain.seq, entry, first), entry.seq);
    if (entryHash(entry) !== entry.hash)
      return fail("hash mismatch: the entry was changed after it was written", entry.seq);
    if (entry.prev !== chain.prev)
      return fail(
        first?.before === undefined
          ? "prev mismatch: the entry before it was removed or changed"
          : `prev mismatch: it does not continue the last entry of ${first.before} (that entry was changed, or the files are pieces of different logs)`,
        entry.seq,
      );
    if (!isEntryLine(line.bytes, entry))
      return fail(
        "not in canonical form: the line reads as its entry but is not the text written for it (keys repeated or reordered, spacing, escapes)",
        entry.seq,
      );
    chain.seq = entry.seq;
    chain.prev = entry.hash;
    entries++;
    if (entry.hash === chain.anchor) chain.anchored = true;
  }
  return { ok: true, entries, lines };
}

/**
 * A seq gap, saying what it means at the start of a file: the first file a later piece of a
 * rotated log (give the earlier pieces first), a later file not the continuation of the one
 * before (entries missing between them, or a chain started anew).
 */
function gapReason(
  seq: number,
  entry: AuditEntry,
  first: { file: string; before: string | undefined } | undefined,
): string {
  const gap = `seq gap: expected ${seq + 1}, found ${entry.seq}`;
  if (first === undefined) return gap;
  if (first.before === undefined)
    return `${gap}: the file continues a chain from seq ${entry.seq - 1} (hash ${entry.prev}): a later piece of a rotated log (give the earlier pieces before it, oldest first: run-md audit verify EARLIER... ${first.file}), or its first entries were removed`;
  if (entry.seq === 1)
    return `${gap}: the file starts a new chain instead of continuing ${first.before} (the log was moved away or removed with its .head note while no server ran, or a chain started anew on purpose): verify it alone`;
  return `${gap}: ${first.before} ends at seq ${seq}, so entries are missing between the two files (cut off the end of ${first.before}, or lost in between), or the files are not given oldest first`;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
