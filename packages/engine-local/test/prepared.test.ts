import { DuckDBInstance } from "@duckdb/node-api";
import { expect, it } from "vitest";
import { callPrepared, callsEnded } from "../src/prepared.ts";

it("gives each of many concurrent calls on one connection the answer to its own value", async () => {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
    const answers = await Promise.all(
      values.map((v) => callPrepared(conn, "SELECT $1::VARCHAR || '!'", v)),
    );
    expect(answers).toEqual(values.map((v) => `${v}!`));
    // A statement DuckDB refuses fails its call and is not kept: the next call tries again.
    await expect(callPrepared(conn, "SELECT no_such_function($1)", "x")).rejects.toThrow(
      /no_such_function/,
    );
    await conn.run("CREATE MACRO no_such_function(x) AS x || '?'");
    expect(await callPrepared(conn, "SELECT no_such_function($1)", "x")).toBe("x?");
  } finally {
    conn.closeSync();
    db.closeSync();
  }
});

it("lets the calls in flight end before their connection is closed", async () => {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    // A call that runs a while; closed under it, it would never settle.
    const slow = callPrepared(conn, "SELECT count(*) FROM range($1::BIGINT)", "100000000");
    await callsEnded(conn);
    conn.closeSync();
    const late = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("the call never ended")), 5000).unref(),
    );
    expect(await Promise.race([slow, late])).toBe("100000000");
  } finally {
    db.closeSync();
  }
});
