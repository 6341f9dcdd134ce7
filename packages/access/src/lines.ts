/** Reading a JSON-lines file line by line without holding it whole (gzip-compressed or not). */
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { RunMdError } from "@run-md/core";

export interface Line {
  /** 1-based. */
  number: number;
  text: string;
  /** The line's bytes as on disk, without the newline (`text` is them decoded as UTF-8). */
  bytes: Buffer;
  /** False for a last line without its newline (a write cut short). */
  terminated: boolean;
  /** Byte offset where the line starts (after a byte order mark). */
  offset: number;
  /**
   * Line 1 began with a UTF-8 byte order mark, taken off `text` and `bytes`: no writer of these
   * files writes one, an editor or a tool that saved the file again may.
   */
  bom?: true;
}

/** The UTF-8 byte order mark, EF BB BF. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Whether a file's first bytes are a UTF-8 byte order mark. */
function startsWithBom(bytes: Buffer): boolean {
  return bytes.subarray(0, BOM.length).equals(BOM);
}

/** A line as read, line 1 without a byte order mark. */
function lineOf(number: number, bytes: Buffer, terminated: boolean, offset: number): Line {
  if (number !== 1 || !startsWithBom(bytes))
    return { number, text: bytes.toString("utf8"), bytes, terminated, offset };
  const rest = bytes.subarray(BOM.length);
  return {
    number,
    text: rest.toString("utf8"),
    bytes: rest,
    terminated,
    offset: BOM.length,
    bom: true,
  };
}

/** gzip's first two bytes. */
const GZIP = Buffer.from([0x1f, 0x8b]);

/**
 * The file's bytes; a gzip file's (a piece logrotate compressed: `compress`, any name)
 * decompressed as it is read. A gzip stream that is damaged or cut short fails naming the file
 * (offsets are then in the decompressed text; only the live log, never compressed, is repaired).
 */
async function contentOf(file: string): Promise<AsyncIterable<Buffer>> {
  const fh = await open(file, "r");
  const head = Buffer.alloc(2);
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (!head.equals(GZIP)) return createReadStream(file);
  const gunzip = createGunzip();
  pipeline(createReadStream(file), gunzip, () => {});
  return (async function* () {
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (e) {
      throw new RunMdError(
        "audit-invalid",
        `${file}: the gzip-compressed piece cannot be read whole (${(e as Error).message})`,
        { hint: "Compare it with its copy, or give the pieces that are whole." },
      );
    }
  })();
}

/**
 * A line longer than a chunk is kept as its pieces and joined once, at its newline: joining at
 * every chunk (and searching the line again from its start) took 8 s for one 40 MB line.
 */
export async function* readLines(file: string): AsyncGenerator<Line> {
  let rest: Buffer[] = [];
  let number = 0;
  let offset = 0;
  for await (const chunk of await contentOf(file)) {
    let buf = chunk as Buffer;
    let nl = buf.indexOf(10);
    while (nl >= 0) {
      const bytes =
        rest.length === 0 ? buf.subarray(0, nl) : Buffer.concat([...rest, buf.subarray(0, nl)]);
      rest = [];
      yield lineOf(++number, bytes, true, offset);
      offset += bytes.length + 1;
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(10);
    }
    if (buf.length > 0) rest.push(buf);
  }
  if (rest.length > 0) {
    yield lineOf(++number, Buffer.concat(rest), false, offset);
  }
}

/**
 * The last whole line of a file (without its newline) and the bytes after it that have none,
 * read backwards from the end in `chunk`-sized pieces, so a long log costs what its tail costs.
 * Each piece is searched once and the line read once found: joining the pieces at every step
 * took 8 s for one 40 MB last line.
 */
export async function readTail(
  file: string,
  chunk = 65_536,
): Promise<{ last?: string; torn?: { offset: number; bytes: number } }> {
  let fh: FileHandle;
  try {
    fh = await open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    // The offsets of the file's last two newlines, the last first.
    const newlines: number[] = [];
    let pos = size;
    const piece = Buffer.alloc(Math.min(chunk, size));
    while (newlines.length < 2 && pos > 0) {
      const n = Math.min(chunk, pos);
      await fh.read(piece, 0, n, pos - n);
      pos -= n;
      for (let i = n; newlines.length < 2 && i > 0; ) {
        i = piece.lastIndexOf(10, i - 1);
        if (i < 0) break;
        newlines.push(pos + i);
      }
    }
    const [end, start = -1] = newlines;
    const out: { last?: string; torn?: { offset: number; bytes: number } } = {};
    const tornStart = end === undefined ? 0 : end + 1;
    if (size > tornStart) out.torn = { offset: tornStart, bytes: size - tornStart };
    if (end !== undefined) {
      const line = Buffer.alloc(end - start - 1);
      await fh.read(line, 0, line.length, start + 1);
      // The file's first line: without a byte order mark, as readLines gives it.
      out.last = (start < 0 && startsWithBom(line) ? line.subarray(BOM.length) : line).toString(
        "utf8",
      );
    }
    return out;
  } finally {
    await fh.close();
  }
}
