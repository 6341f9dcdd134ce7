/** Reading a JSON-lines file line by line without holding it whole. */
import { createReadStream } from "node:fs";

export interface Line {
  /** 1-based. */
  number: number;
  text: string;
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
      const text = buf.subarray(0, nl).toString("utf8");
      yield { number: ++number, text, terminated: true, offset };
      offset += nl + 1;
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(10);
    }
    rest = buf;
  }
  if (rest.length > 0)
    yield { number: ++number, text: rest.toString("utf8"), terminated: false, offset };
}
