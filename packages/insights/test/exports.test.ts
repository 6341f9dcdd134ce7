import { expect, test } from "vitest";
import * as insights from "../src/index.ts";

test("the public API of @run-md/insights", () => {
  expect(Object.keys(insights).sort()).toEqual([
    "FUNCTION_NAMES",
    "InsightsSyntaxError",
    "InsightsUnsupportedError",
    "assertInsights",
    "checkInsights",
    "insightsParamPattern",
    "insightsRefusal",
    "insightsRegexLiterals",
    "lookupFunction",
    "numericColumns",
    "parseInsights",
    "positionAt",
    "regexProblem",
    "renderInsightsLiteral",
    "renderInsightsQuery",
    "serviceOnlyUses",
    "translateInsights",
  ]);
});
