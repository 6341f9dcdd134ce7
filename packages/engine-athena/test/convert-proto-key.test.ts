/**
 * A MAP from the logs with an attacker-chosen key. AWS tag keys may be `__proto__`
 * (letters, digits, `_ . : / = + - @`), and a runbook reads tags as a map
 * (`CAST(json_extract(requestparameters, '$.tags') AS MAP(VARCHAR, VARCHAR))`). Built by
 * assignment (`obj[key] = value`), the entry sets the object's prototype instead: it vanishes
 * from every output (report, site, terminal, JSON), and a nested value shows through as
 * inherited properties.
 */
import { describe, expect, it } from "vitest";
import { convertValue } from "../src/convert.ts";

describe("map values with a __proto__ key (red-team s41)", () => {
  it("keeps a map entry whose key is __proto__", () => {
    const v = convertValue("{__proto__=backdoor, owner=mallory}", "map(varchar,varchar)");
    expect(JSON.stringify(v)).toBe('{"__proto__":"backdoor","owner":"mallory"}');
  });

  it("does not turn a nested __proto__ entry into inherited properties", () => {
    const v = convertValue(
      "{__proto__={role=admin}, owner=mallory}",
      "map(varchar,map(varchar,varchar))",
    ) as Record<string, unknown>;
    expect(v.role).toBeUndefined();
    expect(Object.keys(v)).toEqual(["__proto__", "owner"]);
  });
});
