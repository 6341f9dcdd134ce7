import { expect, it } from "vitest";
import * as athena from "../src/index.ts";

it("exports exactly its public API", () => {
  expect(Object.keys(athena).sort()).toMatchInlineSnapshot(`
    [
      "AthenaEngine",
      "MIN_BILLED_BYTES",
      "assertReadOnly",
      "athenaCostUsd",
      "athenaEngine",
      "baseType",
      "clauses",
      "convertValue",
      "createAthenaEngine",
      "hintFor",
      "isSignificant",
      "isoInstant",
      "literalFor",
      "parseNested",
      "prepareQuery",
      "scopedTable",
      "sqlString",
      "tokenize",
      "windowDays",
      "windowPredicate",
    ]
  `);
});
