/**
 * Where a step's full result goes (`--format csv|json|ndjson`, `--output FILE`): every masked row
 * the engine streams (core's `RowSink`), encoded chunk by chunk and written with back-pressure,
 * so memory holds one chunk whatever the size of the result. A file is written under a temporary
 * name beside it and renamed only by `commit()`: an error, a timeout or Ctrl-C leaves no
 * half-written FILE (the temporary file is removed, on process exit too).
 */
import { once } from "node:events";
import fs from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { type RowChunk, type RowSink, RunMdError, tempBeside } from "@run-md/core";
import { type Encoder, encoderFor, type FileFormat } from "./formats.ts";

type Out = NodeJS.WritableStream;

export class ResultOutput {
  private out: Out;
  private readonly encoder: Encoder;
  private started = false;
  private wroteRows = false;
  private finished = false;
  /** A write error (a closed pipe, a full disk): every later write fails with it. */
  private failure: Error | undefined;
  private readonly onError = (e: Error) => {
    this.failure ??= e;
  };
  private readonly removeOnExit = () => {
    if (this.tmp !== undefined) {
      try {
        fs.unlinkSync(this.tmp);
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
    /** The temporary file's descriptor (fd streams: a FileHandle's stream blocks its fsync). */
    private readonly fd?: number,
  ) {
    this.encoder = encoderFor(
      format,
      file === undefined && (out as { isTTY?: boolean }).isTTY === true,
    );
    this.out = out;
    out.on("error", this.onError);
    if (tmp !== undefined) process.on("exit", this.removeOnExit);
  }

  /**
   * Standard output: rows appear as they come (a pipe into `head` or `jq` sees them at once). On
   * a terminal, csv values' control characters are written as `\uXXXX` (formats.ts csvField).
   */
  static toStdout(format: FileFormat): ResultOutput {
    return new ResultOutput(format, process.stdout);
  }

  /**
   * FILE, through a temporary file beside it (same file system, so the rename is atomic). Fails
   * with a usage error naming FILE when its folder does not exist or cannot be written.
   */
  static async toFile(file: string, format: FileFormat): Promise<ResultOutput> {
    const target = path.resolve(file);
    const tmp = tempBeside(target);
    let fd: number;
    try {
      fd = await promisify(fs.open)(tmp, "wx");
    } catch (e) {
      throw new RunMdError(
        "usage",
        `--output ${file}: cannot write in ${path.dirname(target)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        { hint: "Give a file in an existing folder you can write to." },
      );
    }
    return new ResultOutput(format, fileStream(fd), target, tmp, fd);
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
    if (this.fd === undefined || this.tmp === undefined || this.file === undefined) return;
    await this.endStream();
    await promisify(fs.fsync)(this.fd);
    await promisify(fs.close)(this.fd);
    await rename(this.tmp, this.file);
    process.off("exit", this.removeOnExit);
  }

  /** Gives the output up: a file's temporary file is removed and FILE is left as it was. */
  async discard(): Promise<void> {
    if (this.finished || this.fd === undefined || this.tmp === undefined) return;
    this.finished = true;
    await this.endStream().catch(() => {});
    await promisify(fs.close)(this.fd).catch(() => {});
    await rm(this.tmp, { force: true });
    process.off("exit", this.removeOnExit);
  }

  private async write(text: string): Promise<void> {
    if (this.failure !== undefined) throw writeError(this.failure, this.file);
    if (text === "") return;
    // `once` rejects when the stream errors while waiting, so a closed pipe cannot hang the run.
    if (!this.out.write(text))
      await once(this.out, "drain").catch((e: Error) => {
        throw writeError(e, this.file);
      });
  }

  private async endStream(): Promise<void> {
    const done = once(this.out, "finish");
    this.out.end();
    await done;
  }

  /** The engine ran the query again: start the file over (standard output cannot be taken back). */
  private async restart(): Promise<void> {
    if (this.fd === undefined) {
      throw new RunMdError(
        "output-restart",
        "the engine had to run the query again after rows were already written to standard output",
        { hint: "Write the result to a file with --output, which starts over in that case." },
      );
    }
    await this.endStream();
    await promisify(fs.ftruncate)(this.fd, 0);
    this.out = fileStream(this.fd, 0);
    this.out.on("error", this.onError);
    this.started = false;
    this.wroteRows = false;
  }
}

/** A write stream on `fd` that leaves it open (it is fsynced and closed by `commit`). */
function fileStream(fd: number, start?: number): fs.WriteStream {
  return fs.createWriteStream("", {
    fd,
    autoClose: false,
    ...(start === undefined ? {} : { start }),
  });
}

/** A write failure as a user error: the reader of standard output went away, or FILE failed. */
function writeError(e: Error, file: string | undefined): RunMdError {
  const code = (e as NodeJS.ErrnoException).code;
  if (file === undefined && code === "EPIPE") {
    return new RunMdError(
      "output-closed",
      "standard output was closed before the whole result was written",
    );
  }
  return new RunMdError(
    "output-failed",
    `writing ${file ?? "standard output"} failed: ${e.message}`,
  );
}
