/**
 * A grouped query's select list and HAVING name grouped expressions and aggregates only: Trino's
 * AggregationAnalyzer refuses any other column of the query's relations ("'x' must be an
 * aggregate expression or appear in GROUP BY clause", TestAggregations / AbstractTestQueries
 * testMissingRowFieldInGroupBy). DuckDB refused them too, in its binder's words; the check gives
 * Trino's, with the place.
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const found = async (sql: string) =>
  (await checkSql(sql)).map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);

describe("a column neither grouped nor aggregated is refused in Trino's words", () => {
  it.each([
    [
      "SELECT eventname FROM cloudtrail_logs GROUP BY 1 HAVING awsregion = 'x'",
      "1:57 sql-column 'awsregion' must be an aggregate expression or appear in GROUP BY clause (in HAVING): on Athena (Trino) a grouped query's HAVING sees the grouped expressions and aggregates only; add it to GROUP BY, or aggregate it (arbitrary(awsregion), max(awsregion))",
    ],
    [
      "SELECT eventname, c.awsregion FROM cloudtrail_logs c GROUP BY eventname",
      "1:19 sql-column 'c.awsregion' must be an aggregate expression or appear in GROUP BY clause: on Athena (Trino) a grouped query's select list sees the grouped expressions and aggregates only; add it to GROUP BY, or aggregate it (arbitrary(c.awsregion), max(c.awsregion))",
    ],
    [
      "SELECT e, count(*) FROM (SELECT eventname AS e, awsregion AS r FROM cloudtrail_logs) t GROUP BY e HAVING r <> ''",
      "1:106 sql-column 'r' must be an aggregate expression or appear in GROUP BY clause (in HAVING): on Athena (Trino) a grouped query's HAVING sees the grouped expressions and aggregates only; add it to GROUP BY, or aggregate it (arbitrary(r), max(r))",
    ],
  ])("%s", async (sql, problem) => {
    expect(await found(sql)).toEqual([problem]);
  });

  it.each([
    "SELECT c.eventname, count(*) FROM cloudtrail_logs c GROUP BY eventname HAVING count(DISTINCT awsregion) > 1 AND c.eventname <> 'x'",
    // A field of a grouped row; an aggregate's argument; a lambda's parameter.
    "SELECT useridentity.arn, count(*) FROM cloudtrail_logs GROUP BY useridentity HAVING max(eventname) > 'a'",
    "SELECT eventname, transform(array_agg(awsregion), r -> upper(r)) FROM cloudtrail_logs GROUP BY ROLLUP (eventname)",
    "SELECT lower(eventname), count(*) FROM cloudtrail_logs GROUP BY lower(eventname) HAVING lower(eventname) LIKE 'get%'",
    "SELECT eventname, awsregion, count(*) FROM cloudtrail_logs GROUP BY 2, 1 HAVING awsregion <> 'x'",
    "SELECT eventname, rank() OVER (ORDER BY count(*)) FROM cloudtrail_logs GROUP BY 1",
    // A subquery's names are its own; a correlated subquery's outer column is the outer query's.
    "SELECT eventname FROM cloudtrail_logs GROUP BY eventname HAVING EXISTS (SELECT 1 FROM cloudtrail_logs c2 WHERE c2.awsregion = 'x')",
    "SELECT eventname FROM cloudtrail_logs c1 WHERE EXISTS (SELECT max(c2.eventtime) FROM cloudtrail_logs c2 GROUP BY c2.eventname HAVING max(c2.awsregion) = c1.awsregion)",
  ])("accepts %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});
