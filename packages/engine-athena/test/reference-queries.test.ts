/**
 * Every published Athena query in ../shared/reference/queries/queries.tsv (AWS playbooks, the
 * Athena user guide, the analytics bootstrap): the lexer gives each back exactly, the read-only
 * gate accepts each SELECT and refuses each CREATE/ALTER, and window scoping finds the table in
 * each CloudTrail query once its table name is the runbooks' `cloudtrail_logs`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RunMdError } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { assertReadOnly, isSignificant, prepareQuery, tokenize } from "../src/index.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TSV = path.join(path.resolve(repoRoot, "../shared"), "reference/queries/queries.tsv");
const present = existsSync(TSV);
if (!present) console.log(`reference query test skipped: ${TSV} is absent`);

interface Row {
  source: string;
  line: string;
  kind: string;
  target: string;
  statement: string;
  query: string;
}

function unescapeTsv(s: string): string {
  return s.replace(/\\([\\ntr])/g, (_, c: string) =>
    c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\",
  );
}

function rows(): Row[] {
  const [header, ...lines] = readFileSync(TSV, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const cols = header!.split("\t");
  return lines.map((l) => {
    const f = l.split("\t");
    const get = (n: string) => f[cols.indexOf(n)] ?? "";
    return {
      source: get("source_file"),
      line: get("line"),
      kind: get("kind"),
      target: get("target"),
      statement: get("statement"),
      query: unescapeTsv(get("query")),
    };
  });
}

/** The table of the first FROM: the query's own name for the CloudTrail table. */
function firstTable(sql: string): string | undefined {
  const t = tokenize(sql).filter(isSignificant);
  for (let i = 0; i < t.length - 1; i++) {
    if (t[i]!.kind !== "ident" || t[i]!.value !== "from") continue;
    const parts: string[] = [];
    let j = i + 1;
    while (t[j] && (t[j]!.kind === "ident" || t[j]!.kind === "qident")) {
      parts.push(t[j]!.text);
      if (t[j + 1]?.text !== ".") break;
      j += 2;
    }
    if (parts.length > 0) return parts.join(".");
  }
  return undefined;
}

/**
 * Extracted as one "select" but really a whole demo file: its SELECTs are followed by
 * `CREATE TABLE ... WITH (...) AS SELECT` and `INSERT INTO ...` (CTAS conversion to ORC), so the
 * gate must refuse them.
 */
const WHOLE_FILES_WITH_WRITES = new Set([
  "aws-samples__aws-incident-response-playbooks-workshop/analytics/cloudtrail/cloudtrail_demo_queries.sql:76",
  "awslabs__aws-security-analytics-bootstrap/AWSSecurityAnalyticsBootstrap/sql/dml/analytics/cloudtrail/cloudtrail_demo_queries.sql:76",
]);

describe.skipIf(!present)("published Athena queries", () => {
  const athena = present ? rows().filter((r) => r.kind === "athena") : [];

  it("are given back exactly by the lexer", () => {
    expect(athena.length).toBeGreaterThan(100);
    for (const r of athena) {
      expect(
        tokenize(r.query)
          .map((t) => t.text)
          .join(""),
        `${r.source}:${r.line}`,
      ).toBe(r.query);
    }
  });

  it("are judged read-only or not as their statement kind says", () => {
    let selects = 0;
    let refused = 0;
    for (const r of athena) {
      const where = `${r.source}:${r.line}`;
      if (r.statement === "select" && !WHOLE_FILES_WITH_WRITES.has(where)) {
        expect(() => assertReadOnly(r.query), where).not.toThrow();
        selects++;
      } else {
        let code: string | undefined;
        try {
          assertReadOnly(r.query);
        } catch (e) {
          code = e instanceof RunMdError ? e.code : undefined;
        }
        expect(code, where).toBe("sql-refused");
        refused++;
      }
    }
    console.log(`read-only gate: ${selects} SELECTs accepted, ${refused} DDL statements refused`);
    expect(refused).toBe(6 + WHOLE_FILES_WITH_WRITES.size);
  });

  it("are scoped to the window once their table is cloudtrail_logs", () => {
    const window = {
      start: new Date("2026-11-23T00:00:00Z"),
      end: new Date("2026-11-24T00:00:00Z"),
    };
    let scoped = 0;
    const cloudtrail = athena.filter(
      (r) =>
        r.target === "cloudtrail" &&
        r.statement === "select" &&
        !WHOLE_FILES_WITH_WRITES.has(`${r.source}:${r.line}`),
    );
    for (const r of cloudtrail) {
      const table = firstTable(r.query);
      if (table === undefined) continue;
      const renamed = r.query.split(table).join("cloudtrail_logs");
      const p = prepareQuery(renamed, {}, window, {
        table: "security.t",
        partitioning: "projection",
      });
      expect(p.scopedReferences, `${r.source}:${r.line}`).toBeGreaterThan(0);
      expect(p.sql).toContain("eventtime >= '2026-11-23T00:00:00Z'");
      assertReadOnly(p.sql);
      scoped++;
    }
    console.log(`window scoping: ${scoped} of ${cloudtrail.length} CloudTrail queries scoped`);
    expect(scoped).toBeGreaterThan(cloudtrail.length * 0.9);
  });
});
