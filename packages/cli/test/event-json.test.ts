import { describe, expect, it } from "vitest";
import { parseEvent } from "../src/automation/trigger-run.ts";

/** The message parseEvent refuses `text` with. */
function refusal(text: string): string {
  try {
    parseEvent(text, "finding.json");
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("taken");
}

describe("an event file that is not JSON", () => {
  it("is named with the line and column where it broke", () => {
    // A comma missing at the end of line 2: the next key, line 3 column 3, is where it broke.
    const event = '{\n  "source": "aws.guardduty"\n  "detail-type": "GuardDuty Finding"\n}\n';
    // (V8's own words follow, which differ between Node versions.)
    expect(refusal(event)).toMatch(/^finding\.json: not JSON \(line 3, column 3\): \S/);
    // 27 characters, then nothing where the next key should be: column 28.
    expect(refusal('{"source": "aws.guardduty",')).toMatch(
      /^finding\.json: not JSON \(line 1, column 28\): \S/,
    );
    expect(refusal('{"source":')).toMatch(/^finding\.json: not JSON \(it ends too early\): \S/);
  });
});
