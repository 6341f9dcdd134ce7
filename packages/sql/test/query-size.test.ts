/**
 * Athena refuses a query string over 262,144 bytes of UTF-8 (StartQueryExecution's QueryString
 * limit, AWS's service quotas: not adjustable). The check refuses such a step for every engine,
 * before the grammar, which took 51 s over a 1.2 MB query.
 */
import { describe, expect, it } from "vitest";
import { cpuMsSince } from "../../core/test/cpu-time.ts";
import { checkSql } from "../src/index.ts";

const LIMIT = 262_144;

/** `SELECT 1` padded with a comment to `bytes` bytes, `pad` being one character of the comment. */
function padded(bytes: number, pad = "x"): string {
  const head = "SELECT 1 /* ";
  const tail = " */";
  const each = new TextEncoder().encode(pad).length;
  const room = bytes - head.length - tail.length;
  return head + pad.repeat(Math.floor(room / each)) + "x".repeat(room % each) + tail;
}

describe("a query over Athena's 262,144 bytes is refused, naming the limit and its size", () => {
  it("at the limit it is checked as usual; a byte more is refused", async () => {
    expect(new TextEncoder().encode(padded(LIMIT)).length).toBe(LIMIT);
    expect(await checkSql(padded(LIMIT))).toEqual([]);
    expect(await checkSql(padded(LIMIT + 1))).toEqual([
      {
        line: 1,
        column: 1,
        severity: "error",
        rule: "sql-athena",
        message:
          "the query is 262,145 bytes (UTF-8), over Athena's limit of 262,144 bytes for a query string (not adjustable): join a configured table of the values (tables.extra) instead of listing them, or split the step",
      },
    ]);
  });

  it("counts bytes, not characters", async () => {
    // 100,000 characters of 3 bytes (and 4-byte ones, two UTF-16 units each).
    for (const pad of ["€", "😀"]) {
      const query = padded(LIMIT + 3, pad);
      expect(query.length).toBeLessThan(LIMIT);
      const [problem] = await checkSql(query);
      expect(problem?.message).toContain("the query is 262,147 bytes (UTF-8)");
    }
  });

  it("a 1.2 MB IN list is refused at once, without parsing it", async () => {
    const list = Array.from({ length: 90_000 }, (_, i) => `'Event${i}'`).join(", ");
    const query = `SELECT count(*) FROM cloudtrail_logs WHERE eventname IN (${list})`;
    const cpu = process.cpuUsage();
    const problems = await checkSql(query);
    expect(cpuMsSince(cpu)).toBeLessThan(1000);
    expect(new TextEncoder().encode(query).length).toBe(1_248_946);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining(
        "the query is 1,248,946 bytes (UTF-8), over Athena's limit of 262,144",
      ),
    ]);
  });
});
