/** `streamRows`: what a consumer is told when a query is run again after rows reached it. */
import { DuckDBInstance } from "@duckdb/node-api";
import type { RowChunk } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { streamRows } from "../src/stream.ts";

async function run(sql: string, state: { delivered: boolean }) {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const chunks: RowChunk[] = [];
    const r = await streamRows(await conn.prepare(sql), {
      insights: false,
      state,
      cancelled: () => new Error("cancelled"),
      onRows: (c) => {
        chunks.push(c);
      },
    });
    return { r, chunks };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe("streamRows after an attempt that delivered rows", () => {
  it("a retry without rows still tells the consumer to drop the earlier ones", async () => {
    const { r, chunks } = await run("SELECT 1 AS n WHERE false", { delivered: true });
    expect(r.rowCount).toBe(0);
    expect(chunks.map((c) => [c.length, c.restart])).toEqual([[0, true]]);
  });

  it("a retry with rows says so on its first chunk only; a first attempt never", async () => {
    const again = await run("SELECT range AS n FROM range(5000)", { delivered: true });
    expect(again.chunks.map((c) => c.restart ?? false)).toEqual([true, false, false]);
    const first = await run("SELECT 1 AS n WHERE false", { delivered: false });
    expect(first.chunks).toEqual([]);
  });
});
