/** The browser's API client: what a refusal's message shows. */
import { describe, expect, it } from "vitest";
import { messageOf } from "../src/scripts/api.ts";

describe("a refusal's message", () => {
  it("shows the format characters of a value an engine's error quotes", () => {
    // Athena quotes the value it could not cast: a user agent whoever called AWS chose.
    const error = "INVALID_CAST_ARGUMENT: Cannot cast 'aws-cli\u202e1.exe' to INT";
    expect(messageOf(400, { error, hint: "fix\u200bit" })).toBe(
      "INVALID_CAST_ARGUMENT: Cannot cast 'aws-cli\\u202e1.exe' to INT (fix\\u200bit)",
    );
    expect(messageOf(502, "bad \u202egateway")).toBe("bad \\u202egateway");
    expect(messageOf(503, undefined)).toBe("the server answered 503");
  });
});
