/**
 * IPADDRESS and contains(cidr, address) on the local engine, checked against Node's own address
 * code (net.BlockList for CIDR membership, the WHATWG URL serializer for RFC 5952 text), which
 * shares nothing with the engine's SQL. Trino's own facts for the type are in the conformance
 * corpus (54 rows, family `ipaddress`, test/conformance.test.ts).
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function rows(sql: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  return engine().query(queryRequest("sql", sql, day));
}

/** A seeded generator (mulberry32): the same addresses on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const list = (texts: string[]) => `ARRAY[${texts.map((t) => `'${t}'`).join(", ")}]`;

/** Eight hextets, zero runs likely, not IPv4-mapped; written long, padded and upper-cased. */
function ipv6(next: () => number): { hextets: number[]; long: string } {
  const hextets = Array.from({ length: 8 }, () =>
    next() < 0.45 ? 0 : Math.floor(next() * 0x10000),
  );
  if (hextets.slice(0, 6).every((h) => h === 0)) hextets[0] = 0x2001;
  const long = hextets
    .map((h) => (next() < 0.5 ? h.toString(16).padStart(4, "0") : h.toString(16)).toUpperCase())
    .join(":");
  return { hextets, long };
}

const ipv4 = (next: () => number) =>
  Array.from({ length: 4 }, () => Math.floor(next() * 256)).join(".");

describe("IPADDRESS (Trino's type for sourceipaddress questions)", () => {
  it("prints an IPv6 address as RFC 5952 text, as Trino does, whatever form it was written in", async () => {
    const next = random(7);
    const written = Array.from({ length: 120 }, () => ipv6(next).long);
    const r = await rows(
      `SELECT s, CAST(s AS IPADDRESS) AS ip, CAST(CAST(s AS IPADDRESS) AS varchar) AS text FROM UNNEST(${list(written)}) AS t(s)`,
    );
    expect(r.columns.map((c) => c.type)).toEqual(["varchar", "ipaddress", "varchar"]);
    const canonical = (s: string) => new URL(`http://[${s}]/`).hostname.slice(1, -1);
    expect(r.rows).toEqual(written.map((s) => [s, canonical(s), canonical(s)]));
  });

  it("prints an IPv4 address, and an IPv4-mapped one, as a dotted quad", async () => {
    const r = await rows(
      `SELECT IPADDRESS '10.1.2.3', IPADDRESS '::ffff:a01:203', IPADDRESS '::FFFF:10.1.2.3', CAST(IPADDRESS '::a01:203' AS varchar)`,
    );
    expect(r.rows).toEqual([["10.1.2.3", "10.1.2.3", "10.1.2.3", "::a01:203"]]);
    const text = await rows(
      `SELECT array_join(ARRAY[IPADDRESS '10.1.2.3', IPADDRESS '::1'], ','), format('%s', IPADDRESS '2001:DB8::1'), ARRAY[IPADDRESS '::2'], ROW(IPADDRESS '::3')`,
    );
    expect(text.rows).toEqual([["10.1.2.3,::1", "2001:db8::1", ["::2"], { field0: "::3" }]]);
    expect(text.columns.map((c) => c.type)).toEqual([
      "varchar",
      "varchar",
      "array(ipaddress)",
      "row(field0 ipaddress)",
    ]);
  });

  it("answers contains(cidr, address) as net.BlockList does, over IPv4, IPv4-mapped and IPv6 addresses", async () => {
    const next = random(11);
    const v4 = Array.from({ length: 150 }, () => ipv4(next));
    v4.push("10.0.0.0", "10.255.255.255", "11.0.0.0", "9.255.255.255", "192.168.1.1");
    const mapped = v4.slice(0, 20).map((a) => `::ffff:${a}`);
    const v6 = Array.from({ length: 60 }, () => ipv6(next).long);
    v6.push("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::");
    const cidrs4 = ["10.0.0.0/8", "192.168.0.0/16", "128.0.0.0/1", "0.0.0.0/0", "172.16.0.0/12"];
    const cidrs6 = ["2001:db8::/32", "2001::/16", "::/0", "8000::/1"];
    const query = (cidrs: string[], addresses: string[]) =>
      rows(
        `SELECT c, a, contains(c, CAST(a AS IPADDRESS)) FROM UNNEST(${list(cidrs)}) AS x(c) CROSS JOIN UNNEST(${list(addresses)}) AS y(a) ORDER BY 1, 2`,
      );
    const truth = (cidrs: string[], addresses: string[], family: "ipv4" | "ipv6") =>
      cidrs
        .flatMap((c) =>
          addresses.map((a) => {
            const [base, bits] = c.split("/") as [string, string];
            const block = new net.BlockList();
            block.addSubnet(base, Number(bits), family);
            return [c, a, block.check(a, net.isIPv4(a) ? "ipv4" : "ipv6")];
          }),
        )
        .sort((x, y) => (`${x[0]}\0${x[1]}` < `${y[0]}\0${y[1]}` ? -1 : 1));
    const four = [...v4, ...mapped];
    expect((await query(cidrs4, four)).rows).toEqual(truth(cidrs4, four, "ipv4"));
    expect((await query(cidrs6, v6)).rows).toEqual(truth(cidrs6, v6, "ipv6"));
  });

  it("orders, compares and groups addresses by their 16 bytes", async () => {
    const next = random(3);
    const made = Array.from({ length: 80 }, () => ipv6(next));
    const value = (h: number[]) => h.reduce((v, x) => (v << 16n) + BigInt(x), 0n);
    const sorted = [...made].sort((a, b) => {
      const d = value(a.hextets) - value(b.hextets);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
    const canonical = (s: string) => new URL(`http://[${s}]/`).hostname.slice(1, -1);
    const r = await rows(
      `SELECT CAST(s AS IPADDRESS) FROM UNNEST(${list(made.map((m) => m.long))}) AS t(s) ORDER BY 1`,
    );
    expect(r.rows.map((x) => x[0])).toEqual(sorted.map((m) => canonical(m.long)));
    const g = await rows(
      `SELECT count(DISTINCT CAST(s AS IPADDRESS)), IPADDRESS '::1' < IPADDRESS '1.2.3.4', IPADDRESS '1.2.3.4' = CAST('::ffff:102:304' AS IPADDRESS) FROM UNNEST(ARRAY['10.0.0.1', '::ffff:10.0.0.1', '::FFFF:A00:1', '10.0.0.2']) AS t(s)`,
    );
    expect(g.rows).toEqual([[2, true, true]]);
  });

  it("reads CloudTrail's sourceIPAddress: TRY_CAST is NULL for a service name, CAST fails naming it", async () => {
    const r = await rows(
      `SELECT s, TRY_CAST(s AS IPADDRESS) FROM UNNEST(ARRAY['203.0.113.7', 'AWS Internal', 'iam.amazonaws.com', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', '1.2.3.256', '', '::1']) AS t(s)`,
    );
    expect(r.rows).toEqual([
      ["203.0.113.7", "203.0.113.7"],
      ["AWS Internal", null],
      ["iam.amazonaws.com", null],
      ["01.2.3.4", null],
      ["1::2::3", null],
      ["1:2:3:4:5:6:7:8:9", null],
      ["1.2.3.256", null],
      ["", null],
      ["::1", "::1"],
    ]);
    await expect(rows(`SELECT CAST('AWS Internal' AS IPADDRESS)`)).rejects.toThrow(
      /Cannot cast value to IPADDRESS: AWS Internal/,
    );
  });

  it("refuses a CIDR Trino refuses, with Trino's message", async () => {
    const cases: [string, RegExp][] = [
      ["10.0.0.1/8", /Invalid CIDR/],
      ["10.0.0.0", /Invalid CIDR/],
      ["10.0.0/8", /Invalid network IP address/],
      ["10.0.0.0/-1", /Invalid prefix length/],
      ["10.0.0.0/33", /Invalid CIDR/],
      ["::/129", /Invalid CIDR/],
    ];
    for (const [cidr, message] of cases)
      await expect(rows(`SELECT contains('${cidr}', IPADDRESS '10.0.0.1')`)).rejects.toThrow(
        message,
      );
    await expect(rows(`SELECT CAST(IPADDRESS '10.0.0.1' AS JSON)`)).rejects.toThrow(
      /Cannot cast ipaddress to json/,
    );
    const nulls = await rows(
      `SELECT contains(NULL, IPADDRESS '10.0.0.1'), contains('10.0.0.0/8', CAST(NULL AS IPADDRESS))`,
    );
    expect(nulls.rows).toEqual([[null, null]]);
  });
});
