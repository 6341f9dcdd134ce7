/**
 * The child process of an isolated local engine (isolated.ts): one LocalEngine, opened by the
 * parent's `open`, answering its queries (several at once, by id) until the IPC channel closes.
 * Rows of a streamed query go back one chunk at a time, the next only after the parent's `ack`,
 * so neither side holds more than a chunk (its values cross in pieces of at most 16 MiB, a row of
 * more than 32 MiB refused: isolated-wire.ts); a chunk whose values the consumer will not read (the
 * request's `rowsWanted`, asked with each ack) goes as its length alone, unconverted. Nothing here limits memory: the parent watches this
 * process and stops it.
 */
import { rmSync } from "node:fs";
import type { QueryRequest, RowChunk } from "@run-md/core";
import { createLocalEngine, type LocalEngine } from "./engine.ts";
import {
  type FromChild,
  rowPieces,
  type ToChild,
  toWire,
  type WireRequest,
} from "./isolated-wire.ts";

let engine: LocalEngine | undefined;
const aborts = new Map<number, AbortController>();
const acks = new Map<number, (wanted: boolean) => void>();

const send = (m: FromChild) =>
  new Promise<void>((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(m, undefined, {}, () => resolve());
  });

async function open(options: Parameters<typeof createLocalEngine>[0]): Promise<void> {
  try {
    engine = await createLocalEngine(options);
    await send({ t: "opened", cacheDir: engine.sessionDir });
  } catch (e) {
    await send({ t: "open-failed", error: toWire(e) });
  }
}

/** The request with the callbacks that talk to the parent. */
function localRequest(id: number, wire: WireRequest, signal: AbortSignal): QueryRequest {
  const { streaming, wanted: first, ...request } = wire;
  let wanted = first;
  return {
    ...request,
    signal,
    onProgress: (p) => void send({ t: "progress", id, ...p }),
    ...(streaming
      ? {
          onRows: async (chunk) => {
            wanted = await sendChunk(id, chunk, wanted);
          },
        }
      : {}),
  };
}

/**
 * Sends a chunk: its length alone when its values are not wanted, else its rows in pieces of
 * bounded size (isolated-wire.ts rowPieces), each after the parent acknowledged the last; what the
 * last acknowledgement says of the next chunk's values.
 */
async function sendChunk(id: number, chunk: RowChunk, wanted: boolean): Promise<boolean> {
  const { columns } = chunk;
  const restart = chunk.restart === true;
  const pieces = wanted || restart ? rowPieces(chunk.rows()) : [null];
  let sent = 0;
  let want = wanted;
  for (const [i, rows] of pieces.entries()) {
    // The parent asked to stop (its consumer failed): the engine ends the query at the next chunk.
    if (i > 0 && aborts.get(id)?.signal.aborted) break;
    const acked = new Promise<boolean>((resolve) => acks.set(id, resolve));
    // Values no longer wanted: the rest of the chunk goes as its length.
    const values = i === 0 || want ? rows : null;
    const length = values === null ? chunk.length - sent : (rows?.length ?? chunk.length);
    await send({ t: "rows", id, columns, length, rows: values, restart: restart && i === 0 });
    sent += length;
    want = await acked;
    if (sent >= chunk.length) break;
  }
  return want;
}

async function query(id: number, wire: WireRequest): Promise<void> {
  const abort = new AbortController();
  aborts.set(id, abort);
  try {
    if (engine === undefined) throw new Error("the local engine's process was not opened");
    const result = await engine.query(localRequest(id, wire, abort.signal));
    await send({ t: "done", id, result });
  } catch (e) {
    await send({ t: "failed", id, error: toWire(e) });
  } finally {
    aborts.delete(id);
    acks.delete(id);
  }
}

process.on("message", (m: ToChild) => {
  if (m.t === "open") void open(m.options);
  else if (m.t === "query") void query(m.id, m.request);
  else if (m.t === "abort") aborts.get(m.id)?.abort();
  else if (m.t === "ack") acks.get(m.id)?.(m.wanted);
});

// The parent closed the engine, or is gone: close DuckDB (its session's temporary folder) and end.
// A query still running may be in a call no interrupt stops (a lambda building gigabytes: one
// went on to 5 GB after its server was killed), and nothing watches this process any more: its
// folder is removed and it ends at once.
process.on("disconnect", () => {
  if (aborts.size > 0) {
    if (engine !== undefined) rmSync(engine.sessionDir, { recursive: true, force: true });
    process.kill(process.pid, "SIGKILL");
  }
  void (engine?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
