/**
 * Where a step's full result goes (`--format csv|json|ndjson`, `--output FILE`): every masked row
 * the engine streams (core's `RowSink`), encoded chunk by chunk and written with back-pressure,
 * so memory holds one chunk whatever the size of the result. A file is written under a temporary
 * name beside it and renamed only by `commit()`: an error, a timeout or Ctrl-C leaves no
 * half-written FILE (the temporary file is removed, on process exit too).
 */
import { randomBytes } from "node:crypto";
import { unlinkSync } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { type RowChunk, type RowSink, RunMdError } from "@run-md/core";
import { ENCODERS, type Encoder, type FileFormat } from "./formats.ts";

type Out = NodeJS.WritableStream;

export class ResultOutput {
  private out: Out;
  private readonly encoder: Encoder;
  private started = false;
  private wroteRows = false;
  private finished = false;
  private readonly removeOnExit = () => {
    if (this.tmp !== undefined) {
      try {
        unlinkSync(this.tmp);
      } catch {
        // already gone
      }
    }
  };

  private constructor(
    format: FileFormat,
    out: Out,
    /** The file written, when not standard output. */
    readonly file?: string,
    private readonly tmp?: string,
    private readonly handle?: FileHandle,
  ) {
    this.encoder = ENCODERS[format];
    this.out = out;
    if (tmp !== undefined) process.on("exit", this.removeOnExit);
  }

  /** Standard output: rows appear as they come (a pipe into `head` or `jq` sees them at once). */
  static toStdout(format: FileFormat): ResultOutput {
    return new ResultOutput(format, process.stdout);
  }

  /**
   * FILE, through a temporary file beside it (same file system, so the rename is atomic). Fails
   * with a usage error naming FILE when its folder does not exist or cannot be written.
   */
  static async toFile(file: string, format: FileFormat): Promise<ResultOutput> {
    const target = path.resolve(file);
    const tmp = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
    );
    let handle: FileHandle;
    try {
      handle = await open(tmp, "wx");
    } catch (e) {
      throw new RunMdError(
        "usage",
        `--output ${file}: cannot write in ${path.dirname(target)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        { hint: "Give a file in an existing folder you can write to." },
      );
    }
    return new ResultOutput(
      format,
      handle.createWriteStream({ autoClose: false }),
      target,
      tmp,
      handle,
    );
  }

  /** Core's row sink for the step whose result this is. */
  readonly sink: RowSink = async (chunk: RowChunk) => {
    if (chunk.restart === true && this.started) await this.restart();
    const columns = chunk.columns.map((c) => c.name);
    if (!this.started) await this.write(this.encoder.header(columns));
    this.started = true;
    if (chunk.length === 0) return;
    await this.write(this.encoder.rows(columns, chunk.rows(), !this.wroteRows));
    this.wroteRows = true;
  };

  /**
   * Ends the output: the header when no row came (`columns` are the step's), the format's end,
   * then (for a file) fsync and the rename onto FILE.
   */
  async commit(columns: readonly string[]): Promise<void> {
    if (!this.started) await this.write(this.encoder.header(columns));
    this.started = true;
    await this.write(this.encoder.footer(this.wroteRows));
    this.finished = true;
    if (this.handle === undefined || this.tmp === undefined || this.file === undefined) return;
    await this.endStream();
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tmp, this.file);
    process.off("exit", this.removeOnExit);
  }

  /** Gives the output up: a file's temporary file is removed and FILE is left as it was. */
  async discard(): Promise<void> {
    if (this.finished || this.handle === undefined || this.tmp === undefined) return;
    this.finished = true;
    await this.endStream().catch(() => {});
    await this.handle.close().catch(() => {});
    await rm(this.tmp, { force: true });
    process.off("exit", this.removeOnExit);
  }

  private async write(text: string): Promise<void> {
    if (text === "") return;
    if (!this.out.write(text)) await once(this.out, "drain");
  }

  private async endStream(): Promise<void> {
    const done = once(this.out, "finish");
    this.out.end();
    await done;
  }

  /** The engine ran the query again: start the file over (standard output cannot be taken back). */
  private async restart(): Promise<void> {
    if (this.handle === undefined) {
      throw new RunMdError(
        "output-restart",
        "the engine had to run the query again after rows were already written to standard output",
        { hint: "Write the result to a file with --output, which starts over in that case." },
      );
    }
    await this.endStream();
    await this.handle.truncate(0);
    this.out = this.handle.createWriteStream({ autoClose: false, start: 0 });
    this.started = false;
    this.wroteRows = false;
  }
}
