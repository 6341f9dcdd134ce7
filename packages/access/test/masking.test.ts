import { createHmac } from "node:crypto";
import type { JsonValue } from "@run-md/core";
import { describe, expect, it } from "vitest";
import {
  type Caller,
  maskKeyFromEnv,
  maskRecord,
  maskRows,
  parseAccessConfig,
} from "../src/index.ts";

const KEY = "k".repeat(32);
const R = "[redacted]";
const hmac = (v: string) =>
  `hmac:${createHmac("sha256", KEY).update(v).digest("hex").slice(0, 16)}`;

const cfg = parseAccessConfig(
  {
    masking: [
      {
        groups: ["contractors"],
        columns: ["sourceipaddress", "useridentity.arn", "email", "resources.arn"],
        strategy: "partial",
      },
      { groups: ["contractors"], columns: ["requestparameters.bucketName"], strategy: "redact" },
      { groups: ["analysts"], columns: ["sourceipaddress", "useridentity.arn"], strategy: "hash" },
      { groups: ["interns"], columns: ["SourceIPAddress"], strategy: "redact" },
    ],
  },
  "x.yaml",
);
const as = (...groups: string[]): Caller => ({ user: "u", groups, via: "oidc" });
const alice = {
  type: "IAMUser",
  arn: "arn:aws:iam::123456789012:user/alice",
  accountid: "123456789012",
};

// [groups, column, value, expected]: expectations written by hand (hashes computed with HMAC here).
const CASES: Array<[string[], string, JsonValue, JsonValue]> = [
  [["contractors"], "sourceipaddress", "203.0.113.42", "203.0.x.x"],
  [["contractors"], "sourceipaddress", "2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:x:x:x:x:x"],
  [["contractors"], "sourceipaddress", "2001:0db8::1", "2001:db8:0:x:x:x:x:x"],
  [["contractors"], "sourceipaddress", "::ffff:203.0.113.5", "::ffff:203.0.x.x"], // IPv4-mapped
  [["contractors"], "sourceipaddress", "ec2.amazonaws.com", "ec***(17-32)"],
  [["contractors"], "sourceipaddress", null, null],
  [["contractors"], "sourceipaddress", 42, "[redacted]"],
  [["contractors"], "SourceIPAddress", "10.1.2.3", "10.1.x.x"], // column names are case-insensitive
  [["contractors"], "useridentity", alice, { ...alice, arn: "arn:aws:iam::123456789012:user/***" }],
  [
    ["contractors"],
    "arn",
    "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    "arn:aws:sts::123456789012:assumed-role/***",
  ],
  [["contractors"], "useridentity.arn", "arn:aws:s3:::my-bucket/private/key", "arn:aws:s3:::***"],
  [["contractors"], "email", "alice@example.com", "***@example.com"],
  [["contractors"], "email", "bob", "***(1-4)"],
  [["contractors"], "email", "not-an-address", "no***(9-16)"],
  [
    ["contractors"],
    "resources",
    [{ arn: "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234", type: "AWS::KMS::Key" }],
    [{ arn: "arn:aws:kms:eu-west-1:123456789012:key/***", type: "AWS::KMS::Key" }],
  ],
  [
    ["contractors"],
    "requestparameters",
    '{"bucketName":"secret-bucket","key":"a.txt"}',
    '{"bucketName":"[redacted]","key":"a.txt"}',
  ],
  [["contractors"], "requestparameters", '{"key":"a.txt"}', '{"key":"a.txt"}'],
  [["contractors"], "requestparameters", "{bucketName: oops", "[redacted]"],
  [["contractors"], "requestparameters", null, null],
  [
    ["contractors"],
    "requestparameters",
    { bucketname: "b", acl: "private" },
    { bucketname: "[redacted]", acl: "private" },
  ],
  [["contractors"], "eventname", "ConsoleLogin", "ConsoleLogin"],
  [
    ["contractors"],
    "@message",
    '{"eventName":"GetObject","sourceIPAddress":"198.51.100.7","userIdentity":{"arn":"arn:aws:iam::123456789012:user/bob"},"requestParameters":{"bucketName":"b"}}',
    '{"eventName":"GetObject","sourceIPAddress":"198.51.x.x","userIdentity":{"arn":"arn:aws:iam::123456789012:user/***"},"requestParameters":{"bucketName":"[redacted]"}}',
  ],
  [["contractors"], "@message", "not json", "[redacted]"],
  // A rule's field deeper in the column its path names is masked too, each place once.
  [
    ["analysts"],
    "useridentity",
    { arn: alice.arn, sessioncontext: { sessionissuer: { arn: "arn:aws:iam::1:role/r" } } },
    {
      arn: hmac(alice.arn),
      sessioncontext: { sessionissuer: { arn: hmac("arn:aws:iam::1:role/r") } },
    },
  ],
  [
    ["contractors"],
    "@message",
    '{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r"}}}}',
    '{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/***","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/***"}}}}',
  ],
  [["security-leads"], "@message", "not json", "not json"],
  [["analysts"], "sourceipaddress", "203.0.113.42", hmac("203.0.113.42")],
  [["analysts"], "useridentity", alice, { ...alice, arn: hmac(alice.arn) }],
  [["contractors", "interns"], "sourceipaddress", "203.0.113.42", "[redacted]"], // redact beats partial
  [["contractors", "analysts"], "sourceipaddress", "203.0.113.42", hmac("203.0.113.42")], // hash beats partial
  [["security-leads"], "sourceipaddress", "203.0.113.42", "203.0.113.42"],
  [[], "useridentity", alice, alice],
];

describe("maskRows", () => {
  it.each(
    CASES.map(([g, c, v, want]) => ({
      g,
      c,
      v,
      want,
      name: `${g.join("+") || "(none)"} ${c} ${JSON.stringify(v)}`,
    })),
  )("$name", ({ g, c, v, want }) => {
    expect(maskRows(cfg, as(...g), [c], [[v]], KEY)).toEqual([[want]]);
  });

  it("masks by column position, accepts engine column infos, and never changes its input", () => {
    const rows: JsonValue[][] = [
      ["203.0.113.1", alice, "AssumeRole"],
      ["198.51.100.7", { ...alice, arn: "arn:aws:iam::123456789012:user/bob" }, "GetObject"],
    ];
    const before = structuredClone(rows);
    const out = maskRows(
      cfg,
      as("contractors"),
      [{ name: "sourceipaddress" }, { name: "useridentity" }, { name: "eventname" }],
      rows,
      KEY,
    );
    expect(rows).toEqual(before);
    expect(out.map((r) => [r[0], (r[1] as { arn: string }).arn, r[2]])).toEqual([
      ["203.0.x.x", "arn:aws:iam::123456789012:user/***", "AssumeRole"],
      ["198.51.x.x", "arn:aws:iam::123456789012:user/***", "GetObject"],
    ]);
  });

  it("hashes keep equality: the same value gives the same hash, different values differ", () => {
    const out = maskRows(
      cfg,
      as("analysts"),
      ["sourceipaddress"],
      [["203.0.113.42"], ["203.0.113.42"], ["203.0.113.43"]],
      KEY,
    );
    expect(out[0]![0]).toBe(out[1]![0]);
    expect(out[0]![0]).not.toBe(out[2]![0]);
    expect(out[0]![0]).toMatch(/^hmac:[0-9a-f]{16}$/);
    // Another deployment's key gives other hashes.
    expect(
      maskRows(cfg, as("analysts"), ["sourceipaddress"], [["203.0.113.42"]], "z".repeat(32))[0]![0],
    ).not.toBe(out[0]![0]);
  });

  it("redacts what a hash rule covers when the deployment has no key", () => {
    expect(
      maskRows(cfg, as("analysts"), ["sourceipaddress"], [["203.0.113.42"]], undefined),
    ).toEqual([["[redacted]"]]);
  });

  it("masks a report's offending rows (objects keyed by column) the same way", () => {
    expect(
      maskRecord(cfg, as("contractors"), { sourceipaddress: "203.0.113.9", n: 3 }, KEY),
    ).toEqual({ sourceipaddress: "203.0.x.x", n: 3 });
  });
});

describe("maskKeyFromEnv", () => {
  it("reads the named variable, refusing an unset or short one, and gives none without a name", () => {
    expect(maskKeyFromEnv("RUN_MD_MASK_KEY", { RUN_MD_MASK_KEY: KEY })).toBe(KEY);
    expect(maskKeyFromEnv(undefined, { RUN_MD_MASK_KEY: KEY })).toBeUndefined();
    expect(() => maskKeyFromEnv("RUN_MD_MASK_KEY", {})).toThrow(
      "server.maskKey names RUN_MD_MASK_KEY, which is not set",
    );
    expect(() => maskKeyFromEnv("RUN_MD_MASK_KEY", { RUN_MD_MASK_KEY: "short" })).toThrow(
      "shorter than 32 characters",
    );
  });
});

describe("partial masking of maps (red-team, 2026-12-07)", () => {
  const mask = (type: string | undefined, v: JsonValue) =>
    maskRows(cfg, as("contractors"), [{ name: "sourceipaddress", type }], [[v]], KEY)[0]![0];
  const counts = { "203.0.113.42": 3, "203.0.113.43": 1, "198.51.100.7": 2 };

  it("masks the keys of a map column (and of arrays of maps), each entry kept apart", () => {
    const want = { "203.0.x.x": R, "203.0.x.x (2)": R, "198.51.x.x": R };
    expect(mask("map(varchar, bigint)", counts)).toEqual(want);
    expect(mask("array(map(varchar, bigint))", [counts])).toEqual([want]);
  });

  it("keeps a struct's field names, and a key named __proto__ as a key", () => {
    expect(mask("row(ip varchar)", { ip: "203.0.113.42" })).toEqual({ ip: "203.0.x.x" });
    const proto = JSON.parse('{"__proto__": "10.1.2.3"}') as JsonValue;
    expect(Object.keys(mask(undefined, proto) as object)).toEqual(["__proto__"]);
  });
});
