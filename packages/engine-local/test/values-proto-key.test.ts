/**
 * A MAP from the logs with an attacker-chosen key on the local engine (values.ts
 * toJson builds maps by assignment). AWS tag keys may be `__proto__`; a runbook reading tags as
 * a map (`CAST(json_extract(requestparameters, '$.tags') AS MAP(VARCHAR, VARCHAR))`) loses the
 * entry in every output.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

describe("map values with a __proto__ key (red-team s41)", () => {
  it("keeps a map entry whose key is __proto__", async () => {
    const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
    const r = await engine().query(
      queryRequest(
        "sql",
        `SELECT CAST(json_parse('{"__proto__":"backdoor","owner":"mallory"}') AS MAP(VARCHAR, VARCHAR)) AS tags`,
        day,
        { attributes: { optional: false } },
      ),
    );
    expect(JSON.stringify(r.rows[0]?.[0])).toBe('{"__proto__":"backdoor","owner":"mallory"}');
  });
});
