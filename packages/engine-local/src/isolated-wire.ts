/**
 * The messages between an isolated local engine (isolated.ts, in the caller's process) and its
 * child process (isolated-child.ts), over Node's IPC channel with the `advanced` serialization
 * (a window's Dates arrive as Dates). A request travels without its callbacks and signal: the
 * child calls back with `progress` and `rows` messages, and the parent sends `abort`.
 */
import type { QueryRequest, QueryResult } from "@run-md/core";
import { formatBytes, RunMdError, valueBytes } from "@run-md/core";
import type { LocalEngineOptions } from "./engine.ts";

/**
 * What one `rows` message may carry (a character or a number counting as a byte): a chunk above
 * it crosses in pieces, each acknowledged. The parent, the server, is not watched as the child is:
 * one chunk of 2,048 values of 200 KB (a check reading every value) grew it by 1.2 GB and held its
 * event loop, and so the child's watch, for 11 s. A SELECT * of CloudTrail events needs 1.5 MB a
 * chunk at most (bench-data's 1M events: rows of 1.5 KB; the shared data sets: rows up to 7.7 KB).
 */
export const MESSAGE_BYTES = 16 * 2 ** 20;
/** A row above this is refused (`row-too-large`): Athena refuses a row over 32 MB too. */
export const ROW_BYTES = 32 * 2 ** 20;

/** A request as it crosses: what the engine reads, and whether rows are streamed back. */
export type WireRequest = Omit<QueryRequest, "signal" | "onProgress" | "onRows" | "rowsWanted"> & {
  streaming: boolean;
  /** Whether the first chunk's values are wanted (the request's `rowsWanted`). */
  wanted: boolean;
};

export type ToChild =
  | { t: "open"; options: LocalEngineOptions }
  | { t: "query"; id: number; request: WireRequest }
  | { t: "abort"; id: number }
  /** The parent has consumed a chunk of rows: the child may send the next, with its values or not. */
  | { t: "ack"; id: number; wanted: boolean };

export type FromChild =
  /** The engine's session folder (spill files): the parent removes it if it must kill the child. */
  | { t: "opened"; cacheDir: string }
  | { t: "open-failed"; error: WireError }
  | { t: "progress"; id: number; message: string; stats?: Record<string, number | string> }
  | {
      t: "rows";
      id: number;
      columns: QueryResult["columns"];
      length: number;
      /** Null when the values were not wanted (a chunk with `restart` always has them). */
      rows: unknown[][] | null;
      restart: boolean;
    }
  | { t: "done"; id: number; result: QueryResult }
  | { t: "failed"; id: number; error: WireError };

/** An error as it crosses: a RunMdError keeps its code, hint, exit code and details. */
export interface WireError {
  message: string;
  code?: string;
  hint?: string;
  exitCode?: number;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export function toWire(e: unknown): WireError {
  if (e instanceof RunMdError) {
    return {
      message: e.message,
      code: e.code,
      exitCode: e.exitCode,
      retryable: e.retryable,
      ...(e.hint === undefined ? {} : { hint: e.hint }),
      ...(e.details === undefined ? {} : { details: e.details }),
    };
  }
  return { message: e instanceof Error ? e.message : String(e) };
}

export function fromWire(w: WireError): Error {
  if (w.code === undefined) return new Error(w.message);
  return new RunMdError(w.code, w.message, {
    ...(w.hint === undefined ? {} : { hint: w.hint }),
    ...(w.exitCode === undefined ? {} : { exitCode: w.exitCode }),
    ...(w.retryable === undefined ? {} : { retryable: w.retryable }),
    ...(w.details === undefined ? {} : { details: w.details }),
  });
}

/**
 * A chunk's rows in consecutive pieces of at most `budget` bytes (core's valueBytes), a row above
 * `budget` alone; `row-too-large` for a row above ROW_BYTES.
 */
export function rowPieces(rows: unknown[][], budget = MESSAGE_BYTES): unknown[][][] {
  const pieces: unknown[][][] = [];
  let piece: unknown[][] = [];
  let bytes = 0;
  rows.forEach((row, i) => {
    const size = valueBytes(row);
    if (size > ROW_BYTES) {
      throw new RunMdError(
        "row-too-large",
        `row ${i + 1} of a chunk of the result holds about ${formatBytes(size)}, more than the ${formatBytes(ROW_BYTES)} a row may hold (Athena refuses such a row too); the local engine in a process of its own does not hand it to the server`,
        { details: { engine: "local" } },
      );
    }
    if (piece.length > 0 && bytes + size > budget) {
      pieces.push(piece);
      piece = [];
      bytes = 0;
    }
    piece.push(row);
    bytes += size;
  });
  if (piece.length > 0 || pieces.length === 0) pieces.push(piece);
  return pieces;
}
