import { describe, expect, it } from "vitest";
import { maskText, maskValue } from "../src/mask.ts";

const HIDDEN = "****************";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = `IQoJb3JpZ2luX2VjE${"A1b2C3d4".repeat(40)}==`;
const OLD_TOKEN = `FwoGZXIvYXdzEBYaDH${"k9QxPz7Lm2".repeat(20)}`;
/** A long base64 run that is not a credential (pagination tokens, x-amz-id-2, ...). */
const NEXT_TOKEN = `eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ${"Zm9vYmFy".repeat(20)}==`;
const AMZ_ID_2 = "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=";
const ENCODED_AUTH = `4Rs-Wk9T0lqu-jdcOOXP9hOigWkLAdvNgqOyG2bJk7HbgKH8a3WCHzHd0-${"zKz3Xo_9Ij8cLqOHX6ewKVwzqAYt1Wb0Rq8k".repeat(12)}`;
const PEM =
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----";

/**
 * Each case: a name, the text, and either the secret in it (which must not survive masking, as
 * written or percent-decoded) or `false` (the text is evidence and is kept whole).
 */
const CASES: [string, string, string | false][] = [
  // Secret access keys: by shape, in context, percent-encoded (the bypass), by field.
  ["a secret access key alone", SECRET, SECRET],
  ["a secret key in text", `secret=${SECRET};`, SECRET],
  ["a percent-encoded secret key", "wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY", SECRET],
  [
    "a secret key in a query string",
    `https://x.example/?k=${encodeURIComponent(SECRET)}&a=1`,
    SECRET,
  ],
  ["a double-encoded secret key", encodeURIComponent(encodeURIComponent(SECRET)), SECRET],
  ["a secret key in JSON text", `{"secretAccessKey":"${SECRET}"}`, SECRET],
  ["a secret key field with a short value", '{"SecretAccessKey": "abc"}', "abc"],
  ["an ini secret key", "aws_secret_access_key = hunter2hunter2", "hunter2"],
  ["an environment secret key", "AWS_SECRET_ACCESS_KEY=abc123", "abc123"],
  [
    "a secret key in escaped JSON",
    `{\\"secretAccessKey\\":\\"x${SECRET.slice(1)}\\"}`,
    SECRET.slice(1),
  ],
  // Session tokens: by their fixed prefix, by field, percent-encoded.
  ["a session token", TOKEN, TOKEN.slice(0, 40)],
  ["an older session token", OLD_TOKEN, OLD_TOKEN.slice(20, 60)],
  ["a session token in JSON text", `"sessionToken":"${TOKEN}"`, TOKEN.slice(20, 60)],
  ["a short session token by field", '{"sessionToken":"short-token"}', "short-token"],
  [
    "a percent-encoded session token",
    encodeURIComponent(TOKEN.replace("A1b2", "A/b+")),
    "C3d4A1b2",
  ],
  [
    "an X-Amz-Security-Token parameter",
    "/?X-Amz-Security-Token=anything-at-all&X-Amz-Date=1",
    "anything-at-all",
  ],
  ["a security token header", "x-amz-security-token: abcdef", "abcdef"],
  // Passwords and private keys.
  ["a password in JSON text", '{"user":"bob","password":"correct horse"}', "correct horse"],
  ["a new password field", '{"newPassword":"Tr0ub4dor&3"}', "Tr0ub4dor"],
  ["a password in a form body", "user=bob&password=s3cr3t&go=1", "s3cr3t"],
  ["a percent-encoded password field", "q=%7B%22password%22%3A%22s3cr3t%22%7D", "s3cr3t"],
  ["a password in a URL", "postgres://admin:s3cr3t@db.example.com:5432/app", "s3cr3t"],
  ["a PEM private key", PEM, "MIIEowIBAAKCAQEA"],
  ["a private key in escaped JSON", JSON.stringify(PEM), "MIIEowIBAAKCAQEA"],
  [
    "a truncated private key",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "MIIEvQIBADAN",
  ],
  ["a percent-encoded private key", encodeURIComponent(PEM), "MIIEowIBAAKCAQEA"],
  ["a client secret", "client_secret=9f8e7d6c5b4a", "9f8e7d6c5b4a"],
  // Evidence that stays: access key ids (shown by default), pagination tokens, request ids.
  ["an access key id", "AKIAIOSFODNN7EXAMPLE", false],
  ["a temporary access key id", "ASIAY34FZKBOKMUTVV7A", false],
  ["an access key id in an encoded context", "x%3DAKIAIOSFODNN7EXAMPLE%2F", false],
  ["an access key id with a suffix", "AKIAIOSFODNN7EXAMPLE_backup", false],
  ["a nextToken", NEXT_TOKEN, false],
  ["a nextToken in JSON text", `{"nextToken":"${NEXT_TOKEN}"}`, false],
  ["a marker", `{"marker":"${NEXT_TOKEN.slice(0, 120)}"}`, false],
  ["an x-amz-id-2", AMZ_ID_2, false],
  ["an x-amz-id-2 header", `x-amz-id-2: ${AMZ_ID_2}`, false],
  [
    "an encoded authorization failure message",
    `Encoded authorization failure message: ${ENCODED_AUTH}`,
    false,
  ],
  ["an ARN", "arn:aws:iam::111122223333:user/alice", false],
  ["a hex digest", "da39a3ee5e6b4b0d3255bfef95601890afd80709", false],
  ["a UUID", "3b5d1f0e-7f1c-4c8e-9a55-6a1c2b7d9e10", false],
  ["an account number", "111122223333", false],
  ["a user agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off", false],
  ["a password policy field", '{"minimumPasswordLength":14,"requireSymbols":true}', false],
  [
    "a password field that is redacted already",
    '{"password":"HIDDEN_DUE_TO_SECURITY_REASONS"}',
    false,
  ],
  ["a boolean password flag", '{"passwordResetRequired": false}', false],
  ["a session-token-free URL", "https://signin.aws.amazon.com/console?region=us-east-1", false],
  ["a 40-character lower-case run", "abcdefghijabcdefghijabcdefghijabcdefghij", false],
  [
    "a public key",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1L",
    false,
  ],
];

describe("masking: credentials hidden, evidence kept", () => {
  it.each(CASES)("%s", (_name, text, secret) => {
    const out = maskText(text);
    if (secret === false) {
      expect(out).toBe(text);
    } else {
      expect(out).toContain("****");
      let decoded = out;
      for (let i = 0; i < 3; i++) decoded = decodeURIComponent(decoded);
      expect(decoded).not.toContain(secret);
    }
    // Masking is stable: masking again changes nothing.
    expect(maskText(out)).toBe(out);
  });

  it("hides exactly the secret, and leaves its context readable", () => {
    expect(maskText(`secret=${SECRET};`)).toBe(`secret=${HIDDEN};`);
    expect(maskText("x=wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY&y=1")).toBe(`x=${HIDDEN}&y=1`);
    expect(maskText(`"sessionToken":"${TOKEN}"`)).toBe(`"sessionToken":"${HIDDEN}"`);
    expect(maskText('{"user":"bob","password":"correct horse"}')).toBe(
      `{"user":"bob","password":"${HIDDEN}"}`,
    );
    expect(maskText("postgres://admin:s3cr3t@db.example.com/app")).toBe(
      `postgres://admin:${HIDDEN}@db.example.com/app`,
    );
    expect(maskText(PEM)).toBe(
      `-----BEGIN RSA PRIVATE KEY-----${HIDDEN}-----END RSA PRIVATE KEY-----`,
    );
    const pemBody = PEM.split("\n")[1]!;
    expect(maskText(encodeURIComponent(PEM))).not.toContain(
      encodeURIComponent(pemBody).slice(0, 20),
    );
  });

  it("hides access key ids only when asked, keeping their kind", () => {
    const hide = { accessKeyIds: "hide" } as const;
    expect(maskText("key AKIAIOSFODNN7EXAMPLE used", hide)).toBe(`key AKIA${HIDDEN} used`);
    expect(maskText("x%3DAKIAIOSFODNN7EXAMPLE%2F", hide)).toBe(`x%3DAKIA${HIDDEN}%2F`);
    expect(maskText("AKIAIOSFODNN7EXAMPLE_backup", hide)).toBe(`AKIA${HIDDEN}_backup`);
    expect(maskText("AKIA-not-a-key", hide)).toBe("AKIA-not-a-key");
    expect(maskValue({ credentials: { accessKeyId: "ASIAY34FZKBOKMUTVV7A" } }, hide)).toEqual({
      credentials: { accessKeyId: `ASIA${HIDDEN}` },
    });
  });

  it("masks what an object's keys hold (a map from access key ids or secrets), each entry kept", () => {
    // By hand: map_agg(useridentity.accesskeyid, n) has key ids as keys; two keys stay two entries.
    const hide = { accessKeyIds: "hide" } as const;
    const masked = maskValue(
      { AKIAIOSFODNN7EXAMPLE: 3, AKIAI44QH8DHBEXAMPLE: 1, [SECRET]: "x", alice: 2 },
      hide,
    );
    expect(masked).toEqual({
      [`AKIA${HIDDEN}`]: 3,
      [`AKIA${HIDDEN} (2)`]: 1,
      [HIDDEN]: "x",
      alice: 2,
    });
    expect(maskValue({ AKIAIOSFODNN7EXAMPLE: 3 })).toEqual({ AKIAIOSFODNN7EXAMPLE: 3 });
  });

  it("masks by key name in objects, and leaves other values alone", () => {
    expect(maskValue({ sessionToken: "short-token", user: "alice" })).toEqual({
      sessionToken: HIDDEN,
      user: "alice",
    });
    expect(
      maskValue({
        credentials: {
          accessKeyId: "ASIAY34FZKBOKMUTVV7A",
          secretAccessKey: "x",
          expiration: "Nov 24",
        },
        password: "HIDDEN_DUE_TO_SECURITY_REASONS",
      }),
    ).toEqual({
      credentials: {
        accessKeyId: "ASIAY34FZKBOKMUTVV7A",
        secretAccessKey: HIDDEN,
        expiration: "Nov 24",
      },
      password: "HIDDEN_DUE_TO_SECURITY_REASONS",
    });
    expect(maskValue([["AKIAIOSFODNN7EXAMPLE", 3, null, SECRET]])).toEqual([
      ["AKIAIOSFODNN7EXAMPLE", 3, null, HIDDEN],
    ]);
  });

  it("has at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
});
