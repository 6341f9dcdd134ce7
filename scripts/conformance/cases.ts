/**
 * The Trino conformance corpus (`../shared/reference/trino-conformance/cases.tsv`): rows and the
 * family each row belongs to. Families group Trino's test classes by what a query does with them;
 * date/time rows that involve a time zone other than UTC form their own family, because the local
 * engine keeps instants in UTC only.
 */
import { promises as fsp } from "node:fs";
import { CORRECTIONS } from "./corrections.ts";
import { expressTestOnlyApply } from "./test-only.ts";

export type ExpectedKind = "value" | "null" | "error";

export interface ConformanceCase {
  id: string;
  sourceFile: string;
  sourceLine: number;
  sql: string;
  kind: ExpectedKind;
  type: string;
  value: string;
  fn: string;
  family: string;
  /** Why the expected value is not the corpus's (corrections.ts), when it is not. */
  corrected?: string;
}

const COLUMNS = [
  "id",
  "source_file",
  "source_line",
  "sql_expression",
  "expected_kind",
  "expected_type",
  "expected_value",
  "function",
];

/** Reads a cases.tsv file; a malformed line is an error naming the file and line. */
export async function readCases(file: string): Promise<ConformanceCase[]> {
  const text = await fsp.readFile(file, "utf8");
  const lines = text.split("\n");
  const header = (lines[0] ?? "").replace(/\r$/, "").split("\t");
  if (COLUMNS.some((c, i) => header[i] !== c)) {
    throw new Error(`${file}:1: expected the header ${COLUMNS.join(" ")}`);
  }
  const cases: ConformanceCase[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, "");
    if (line === "") continue;
    const f = line.split("\t");
    const kind = f[4] as ExpectedKind;
    if (f.length !== COLUMNS.length || !["value", "null", "error"].includes(kind)) {
      throw new Error(`${file}:${i + 1}: expected ${COLUMNS.length} tab-separated fields`);
    }
    const c = {
      id: f[0] as string,
      sourceFile: f[1] as string,
      sourceLine: Number(f[2]),
      // Trino's test-only apply() written with functions Athena has (see test-only.ts).
      sql: expressTestOnlyApply(f[3] as string),
      kind,
      type: f[5] as string,
      value: f[6] as string,
      fn: f[7] as string,
      family: "",
    };
    c.family = familyOf(c);
    cases.push(corrected(c));
  }
  return cases;
}

/** The row with the expected value of the Trino test it cites, where the corpus got it wrong. */
function corrected(c: ConformanceCase): ConformanceCase {
  const fix = CORRECTIONS.get(c.id);
  return fix ? { ...c, type: fix.type, value: fix.value, corrected: fix.why } : c;
}

/** Test class (file name without directory and extension) → family. */
const CLASS_FAMILY: [RegExp, string][] = [
  [/^TestLikeFunctions$/, "like"],
  [/Regexp/, "regexp"],
  [/^TestJson/, "json"],
  [
    /^Test(StringFunctions|ConcatWsFunction|VarcharOperators|CharacterStringCasts|FormatFunction)$/,
    "string",
  ],
  [/^Test(Conditions|TryFunction)$/, "conditional"],
  [/^Test(Integer|Bigint|Double|Boolean|Unknown)Operators$/, "operators"],
  [/^TestDecimal/, "decimal"],
  [/^Test(Math|Bitwise)Functions$/, "math"],
  [/^TestArray|^TestLambdaExpression$/, "array"],
  [/^TestMap/, "map"],
  [/^TestUrl/, "url"],
  [/^TestIpAddress/, "ipaddress"],
  [/^TestVarbinary/, "varbinary"],
  [
    /^Test(DateTimeFunctions|Extract|Timestamp|TimestampWithTimeZone|DateTrunc|Operators|Date|AtTimeZone|Interval\w+)$/,
    "datetime",
  ],
];

/** A time zone other than UTC: a region name, an offset after a time, AT TIME ZONE or a zone function. */
const ZONE_RE =
  /[A-Z][a-z]+\/[A-Za-z_]+|\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-]\d{1,2}(?::?\d\d)?\b|\bAT\s+TIME\s+ZONE\b|\b(with|at)_timezone\b|\btimezone_(hour|minute)\b/i;

export function familyOf(c: Pick<ConformanceCase, "sourceFile" | "sql" | "value">): string {
  const cls = c.sourceFile.replace(/^.*\//, "").replace(/\.java$/, "");
  const family = CLASS_FAMILY.find(([re]) => re.test(cls))?.[1] ?? "other";
  if (family === "datetime" && (ZONE_RE.test(c.sql) || ZONE_RE.test(c.value))) {
    return "datetime-zoned";
  }
  return family;
}
