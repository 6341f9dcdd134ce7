import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { jsonNumberText } from "../src/udfs.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

/** Numbers as a document may write them; Trino's json_extract_scalar gives each as written. */
const WRITTEN = [
  "1.50",
  "1e3",
  "1E+3",
  "-2.5e-7",
  "0.1000000000000000055511151231257827",
  "100.0",
  "-0.0",
  "3.14159265358979323846264338327950288",
];

describe("json_extract_scalar gives a number as the document writes it (Trino: Jackson's getText)", () => {
  it.each(WRITTEN)("%s in an object, an array and at the root", async (text) => {
    const doc = `{"price": ${text}, "items": [{"v": ${text}}], "name": "x"}`;
    const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
    const sql = `SELECT json_extract_scalar(d, '$.price'), json_extract_scalar(d, '$.items[0].v'), json_extract_scalar(d, '$.items.0.v'), json_extract_scalar('${text}', '$'), json_extract_scalar(d, '$.name') FROM (VALUES '${doc}') t(d)`;
    const r = await engine().query(queryRequest("sql", sql, day));
    expect(r.rows[0]).toEqual([text, text, text, text, "x"]);
  });

  it("reads JSON pointers and dotted paths, and falls back where it cannot read the document", () => {
    expect(jsonNumberText('{"a/b": {"~": 2.50}}', "/a~1b/~0", "2.5")).toBe("2.50");
    expect(jsonNumberText('{"a": {"b": 2.50}}', "$.a.b", "2.5")).toBe("2.50");
    expect(jsonNumberText("[1, 2.50]", "/1", "2.5")).toBe("2.50");
    expect(jsonNumberText("[1, 2.50]", "/01", null)).toBeNull();
    expect(jsonNumberText('{"a": "2.50"}', "/a", "2.50")).toBe("2.50");
    // A duplicate key: the document is not read here, DuckDB's value (the first) stands.
    expect(jsonNumberText('{"a": 1.50, "a": 2.50}', "/a", "1.5")).toBe("1.5");
    expect(jsonNumberText('{"__proto__": {"x": 1.50}}', "/__proto__/x", "1.5")).toBe("1.50");
    expect(jsonNumberText('{"a": 1.50}', "/constructor", null)).toBeNull();
  });
});
