import { describe, expect, it } from "vitest";
import type { Config } from "../src/config.ts";
import { defaultTimeoutMs } from "../src/run-settings.ts";

/** The error `defaultTimeoutMs` throws for `--timeout <text>`. */
function refusal(text: string): { message: string; hint?: string } {
  try {
    defaultTimeoutMs(text, {} as Config);
  } catch (e) {
    return { message: (e as Error).message, hint: (e as { hint?: string }).hint };
  }
  throw new Error(`--timeout ${text} was taken`);
}

describe("--timeout", () => {
  it("takes a duration up to a day", () => {
    expect(defaultTimeoutMs("10m", {} as Config)).toBe(600_000);
    expect(defaultTimeoutMs("24h", {} as Config)).toBe(86_400_000);
  });

  it("says why it refuses a value: zero is no timeout, past a day is too long, other text no duration", () => {
    // "0s" is a duration of at most 24h: the refusal must not say it is not one.
    expect(refusal("0s").message).toBe('--timeout "0s" is zero: a step\'s timeout is above zero');
    expect(refusal("30000d").message).toBe('--timeout "30000d" is longer than 24h');
    expect(refusal("10 minutes").message).toBe('--timeout "10 minutes" is not a duration');
    expect(refusal("0s").hint).toBe("Use 30s, 5m or 1h (at most 24h).");
  });
});
