import { describe, expect, it } from "vitest";
import { maskText, maskValue } from "../src/mask.ts";

describe("masking AWS credentials", () => {
  it("masks access key ids, keeping the kind visible", () => {
    expect(maskText("key AKIAIOSFODNN7EXAMPLE used")).toBe("key AKIA**************** used");
    expect(maskText("ASIAY34FZKBOKMUTVV7A")).toBe("ASIA****************");
  });

  it("masks secret access keys and session tokens", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    expect(maskText(`secret=${secret};`)).toBe("secret=wJal****************;");
    const token = `IQoJb3JpZ2luX2VjE${"A1b2C3d4".repeat(40)}==`;
    expect(maskText(`"sessionToken":"${token}"`)).toBe('"sessionToken":"IQoJ****************"');
  });

  it("masks inside JSON text held in a column, and by key name in objects", () => {
    const json = '{"credentials":{"accessKeyId":"ASIAY34FZKBOKMUTVV7A","expiration":"Nov 24"}}';
    expect(maskText(json)).toBe(
      '{"credentials":{"accessKeyId":"ASIA****************","expiration":"Nov 24"}}',
    );
    expect(maskValue({ sessionToken: "short-token", user: "alice" })).toEqual({
      sessionToken: "shor*******",
      user: "alice",
    });
    expect(maskValue([["AKIAIOSFODNN7EXAMPLE", 3, null]])).toEqual([
      ["AKIA****************", 3, null],
    ]);
  });

  it("leaves ordinary values alone: ARNs, hex digests, ids, account numbers", () => {
    for (const s of [
      "arn:aws:iam::111122223333:user/alice",
      "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "3b5d1f0e-7f1c-4c8e-9a55-6a1c2b7d9e10",
      "111122223333",
      "AKIA-not-a-key",
    ]) {
      expect(maskText(s)).toBe(s);
    }
  });
});
