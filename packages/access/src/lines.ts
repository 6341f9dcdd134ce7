/** Reading a JSON-lines file line by line without holding it whole. */
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

export interface Line {
  /** 1-based. */
  number: number;
  text: string;
  /** The line's bytes as on disk, without the newline (`text` is them decoded as UTF-8). */
  bytes: Buffer;
  /** False for a last line without its newline (a write cut short). */
  terminated: boolean;
  /** Byte offset where the line starts. */
  offset: number;
}

export async function* readLines(file: string): AsyncGenerator<Line> {
  let rest = Buffer.alloc(0);
  let number = 0;
  let offset = 0;
  for await (const chunk of createReadStream(file)) {
    let buf = Buffer.concat([rest, chunk as Buffer]);
    let nl = buf.indexOf(10);
    while (nl >= 0) {
      const bytes = buf.subarray(0, nl);
      yield { number: ++number, text: bytes.toString("utf8"), bytes, terminated: true, offset };
      offset += nl + 1;
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(10);
    }
    rest = buf;
  }
  if (rest.length > 0)
    yield { number: ++number, text: rest.toString("utf8"), bytes: rest, terminated: false, offset };
}

/**
 * The last whole line of a file (without its newline) and the bytes after it that have none,
 * read backwards from the end in `chunk`-sized pieces, so a long log costs what its tail costs.
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
    let pos = size;
    let buf = Buffer.alloc(0);
    for (;;) {
      const end = buf.lastIndexOf(10);
      const start = end <= 0 ? -1 : buf.lastIndexOf(10, end - 1);
      if ((end >= 0 && start >= 0) || pos === 0) {
        const tornStart = end < 0 ? pos : pos + end + 1;
        const out: { last?: string; torn?: { offset: number; bytes: number } } = {};
        if (size > tornStart) out.torn = { offset: tornStart, bytes: size - tornStart };
        if (end >= 0) out.last = buf.subarray(start + 1, end).toString("utf8");
        return out;
      }
      const n = Math.min(chunk, pos);
      const piece = Buffer.alloc(n);
      await fh.read(piece, 0, n, pos - n);
      pos -= n;
      buf = Buffer.concat([piece, buf]);
    }
  } finally {
    await fh.close();
  }
}
