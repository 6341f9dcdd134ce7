import * as core from "@run-md/core";
import { describe, expect, it } from "vitest";

describe("the parser's public API", () => {
  it.each([
    "parseRunbook",
    "loadRunbook",
    "findRunbooks",
    "parseExpect",
    "parseDuration",
    "parseBytes",
    "coerceParam",
    "scanTemplate",
    "renderTemplate",
    "templateProblems",
    "formatDiagnostic",
    "sortDiagnostics",
    "parseInfo",
    "stepFromInfo",
    "readFrontMatter",
    "splitFrontMatter",
    "slugify",
  ])("exports the function %s", (name) => {
    expect(typeof (core as Record<string, unknown>)[name]).toBe("function");
  });

  it("exports the front matter schema and the constants it is kept in step with", () => {
    expect(core.frontMatterSchema).toMatchObject({ type: "object", required: ["title"] });
    expect(core.FRONT_MATTER_KEYS).toContain("escalation");
    expect(core.PARAM_TYPES).toHaveLength(8);
    expect(core.engineNames()).toEqual(["local", "athena", "logs"]);
    expect(core.STEP_LANGUAGES).toEqual({
      sql: "sql",
      athena: "sql",
      "logs-insights": "logs-insights",
      insights: "logs-insights",
    });
  });
});
