/**
 * The messages between an isolated local engine (isolated.ts, in the caller's process) and its
 * child process (isolated-child.ts), over Node's IPC channel with the `advanced` serialization
 * (a window's Dates arrive as Dates). A request travels without its callbacks and signal: the
 * child calls back with `progress` and `rows` messages, and the parent sends `abort`.
 */
import type { QueryRequest, QueryResult } from "@run-md/core";
import { RunMdError } from "@run-md/core";
import type { LocalEngineOptions } from "./engine.ts";

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
