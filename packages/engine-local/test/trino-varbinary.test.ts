import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function rows(sql: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  const r = await engine().query(queryRequest("sql", sql, day));
  return { rows: r.rows, types: r.columns.map((c) => c.type) };
}

/** A seeded generator, so a failure names values that can be run again. */
function* random(seed: number): Generator<number> {
  let s = seed >>> 0;
  for (;;) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    yield s;
  }
}

/** Bit patterns of every kind: normal, subnormal, zero, infinities; NaNs left out (one bit set). */
function doubles(n: number): Buffer[] {
  const g = random(20261204);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(g.next().value as number, 0);
    b.writeUInt32BE(g.next().value as number, 4);
    if (i % 5 === 0) b[0] = (b[0] as number) & 0x80; // a subnormal (exponent bits cleared)
    if (i % 5 === 0) b[1] = (b[1] as number) & 0x0f;
    if (!Number.isNaN(b.readDoubleBE(0))) out.push(b);
  }
  const special = [0, -0, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, Number.MIN_VALUE, 1, 2, 0.5];
  for (const x of special) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x, 0);
    out.push(b);
  }
  return out;
}

/** A number's shortest round-trip text, -0 with its sign. */
const text = (x: number) => (Object.is(x, -0) ? "-0" : String(x));

describe("varbinary encodings as Trino's VarbinaryFunctions (truth: Node's Buffer and zlib)", () => {
  it("to_ieee754_64 writes a double's bits and from_ieee754_64 reads them back", async () => {
    const bits = doubles(400);
    // The text of each double is JavaScript's shortest round-trip form; DuckDB reads it exactly.
    const values = bits
      .map((b) => `('${b.toString("hex").toUpperCase()}', '${text(b.readDoubleBE(0))}')`)
      .join(", ");
    const r = await rows(
      `SELECT h, to_hex(to_ieee754_64(CAST(t AS double))) AS written, to_hex(to_ieee754_64(from_ieee754_64(from_hex(h)))) AS read FROM (VALUES ${values}) v(h, t)`,
    );
    const wrong = r.rows.filter(([h, written, read]) => written !== h || read !== h);
    expect(r.rows).toHaveLength(bits.length);
    expect(wrong).toEqual([]);
  });

  it("to_ieee754_32 and from_ieee754_32 for reals", async () => {
    const g = random(7);
    const bits: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(g.next().value as number, 0);
      if (i % 4 === 0) b[0] = (b[0] as number) & 0x80;
      if (i % 4 === 0) b[1] = (b[1] as number) & 0x7f;
      if (!Number.isNaN(b.readFloatBE(0))) bits.push(b);
    }
    const values = bits
      .map((b) => `('${b.toString("hex").toUpperCase()}', '${text(b.readFloatBE(0))}')`)
      .join(", ");
    const r = await rows(
      `SELECT h, to_hex(to_ieee754_32(CAST(t AS real))), to_hex(to_ieee754_32(from_ieee754_32(from_hex(h)))) FROM (VALUES ${values}) v(h, t)`,
    );
    expect(r.rows.filter(([h, written, read]) => written !== h || read !== h)).toEqual([]);
  });

  it("writes NaN as Java's canonical NaN and reads an infinity", async () => {
    const r = await rows(
      "SELECT to_hex(to_ieee754_64(nan())), to_hex(to_ieee754_32(CAST(nan() AS real))), from_ieee754_64(from_hex('FFF0000000000000')), from_ieee754_32(from_hex('3F800000'))",
    );
    expect(r.rows[0]).toEqual(["7FF8000000000000", "7FC00000", "-Infinity", 1]);
    expect(r.types).toEqual(["varchar", "varchar", "double", "real"]);
  });

  it("reads and writes 2's complement big-endian integers", async () => {
    const g = random(99);
    const cases = Array.from({ length: 50 }, () => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(g.next().value as number, 0);
      b.writeUInt32BE(g.next().value as number, 4);
      return b;
    });
    const values = cases
      .map((b) => `('${b.toString("hex")}', ${b.readBigInt64BE(0)}, ${b.readInt32BE(4)})`)
      .join(", ");
    const r = await rows(
      `SELECT from_big_endian_64(from_hex(h)) = n, to_hex(to_big_endian_64(n)) = upper(h), from_big_endian_32(from_hex(substr(h, 9))) = m, to_hex(to_big_endian_32(CAST(m AS integer))) = upper(substr(h, 9)) FROM (VALUES ${values}) v(h, n, m)`,
    );
    expect(r.rows.filter((row) => row.some((x) => x !== true))).toEqual([]);
    expect(r.rows).toHaveLength(50);
  });

  it.each([
    ["from_big_endian_64(from_hex('1111'))", /expected 8-byte input, but got instead: 2/],
    ["from_big_endian_32(from_hex(''))", /expected 4-byte input, but got instead: 0/],
    ["from_ieee754_64(from_hex('00'))", /Input floating-point value must be exactly 8 bytes long/],
    [
      "from_ieee754_32(from_hex('0000'))",
      /Input floating-point value must be exactly 4 bytes long/,
    ],
  ])("%s fails as in Trino", async (expr, message) => {
    await expect(rows(`SELECT ${expr}`)).rejects.toThrow(message);
  });

  it("crc32 is zlib's CRC-32, and to_base64url the URL-safe alphabet with padding", async () => {
    const texts = ["", "ABCDEFGHIJK", "arn:aws:iam::123456789012:user/alice", "ü€😀"];
    const values = texts.map((t) => `('${t}')`).join(", ");
    const r = await rows(`SELECT t, crc32(to_utf8(t)) FROM (VALUES ${values}) v(t)`);
    expect(r.rows).toEqual(texts.map((t) => [t, crc32(Buffer.from(t, "utf8"))]));
    const url = await rows("SELECT to_base64url(from_hex('FBFF3E')), to_base64url(to_utf8('a'))");
    expect(url.rows[0]).toEqual([Buffer.from("fbff3e", "hex").toString("base64url"), "YQ=="]);
  });
});
