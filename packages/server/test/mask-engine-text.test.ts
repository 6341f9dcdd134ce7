/**
 * An engine's warning or error text for a caller whom masking covers (`maskEngineText`): the
 * names go (files, S3 locations, log groups, accounts, regions, addresses, ARNs, e-mail
 * addresses, quoted values), the sentence, its days, instants and counts stay. A table of exact
 * cases, written out by hand.
 */
import { describe, expect, it } from "vitest";
import { engineMessageKind, maskEngineText } from "../src/governance/masking.ts";

const CASES: [string, string][] = [
  [
    "the window's days 2024-03-02..2024-03-03 (UTC) have no log file of us-west-2 of account 111122223333, which delivered about 24 files a day",
    "the window's days 2024-03-02..2024-03-03 (UTC) have no log file of [redacted] of account [redacted], which delivered about 24 files a day",
  ],
  [
    "the window's day 2024-03-02 (UTC) has no log file of eu-central-1 of account 111122223333 under AWSLogs/o-abc/111122223333/ and org/",
    "the window's day 2024-03-02 (UTC) has no log file of [redacted] of account [redacted] under [redacted] and [redacted]",
  ],
  [
    "skipped notes/alice.zip: a compressed or archived file (this engine reads files named .json, .jsonl or .ndjson, each optionally .gz): events in it are not read",
    "skipped [redacted]: a compressed or archived file (this engine reads files named .json, .jsonl or .ndjson, each optionally .gz): events in it are not read",
  ],
  [
    "whether every account's region under s3://trail-bucket/AWSLogs/ delivered files over the window could not be checked (AccessDenied)",
    "whether every account's region under [redacted] delivered files over the window could not be checked (AccessDenied)",
  ],
  [
    "3 events of a.json are also in b.json.gz (the same eventID and eventTime)",
    "3 events of [redacted] are also in [redacted] (the same eventID and eventTime)",
  ],
  [
    "CloudWatch Logs holds no log events in /aws/cloudtrail/org up to 2024-03-05T00:00:00.000Z: the window ends before",
    "CloudWatch Logs holds no log events in [redacted] up to 2024-03-05T00:00:00.000Z: the window ends before",
  ],
  [
    `Could not parse string "52.94.133.12" according to format specifier "%Y"`,
    `Could not parse string "[redacted]" according to format specifier "[redacted]"`,
  ],
  [
    "Could not convert string 'arn:aws:iam::123456789012:user/bob' to INT32",
    "Could not convert string '[redacted]' to INT32",
  ],
  [
    "caller bob@example.com from 2001:db8::1 and 10.0.0.7, arn:aws:sts::123456789012:assumed-role/x",
    "caller [redacted] from [redacted] and [redacted], [redacted]",
  ],
  // The local engine's store writes its days with slashes (core's dayRanges): they are days,
  // which a masked caller keeps to know what was not read (review, 2026-12-07).
  [
    "the store's days 2024/03/01..2024/03/02, 2024/03/05: 3 events without a time DuckDB reads left out (no window holds them)",
    "the store's days 2024/03/01..2024/03/02, 2024/03/05: 3 events without a time DuckDB reads left out (no window holds them)",
  ],
  [
    "the store lacks 1 file of 2024/03/02 that the log directory holds (AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02/a.json.gz), synced or delivered after the collect",
    "the store lacks 1 file of 2024/03/02 that the log directory holds ([redacted]), synced or delivered after the collect",
  ],
  [
    "The store /srv/store has not collected 2024/03/01..2024/03/03 (UTC days of the step's window).",
    "The store [redacted] has not collected 2024/03/01..2024/03/03 (UTC days of the step's window).",
  ],
  // An apostrophe inside a word (the window's, cloudtrail_logs's) opens no quote: taken for one,
  // it hid the days between two of them (review, 2026-12-07).
  [
    "the window's days 2026-01-01..2026-01-05 (UTC) lie outside cloudtrail_logs's partition projection of year ('projection.year.range' = '2020,2025'): Athena projects no partition there and reads nothing of them, without an error; make the projection cover the trail's deliveries",
    "the window's days 2026-01-01..2026-01-05 (UTC) lie outside cloudtrail_logs's partition projection of year ('[redacted]' = '[redacted]'): Athena projects no partition there and reads nothing of them, without an error; make the projection cover the trail's deliveries",
  ],
  [
    "the window's day 2024-03-02 (UTC) has no log file of the trail's account 111122223333",
    "the window's day 2024-03-02 (UTC) has no log file of the trail's account [redacted]",
  ],
  // A quoted value holding an apostrophe is hidden whole.
  [
    "Could not convert string 'bob's laptop' to INT32",
    "Could not convert string '[redacted]' to INT32",
  ],
  [
    "Athena failed 2 time(s) with a retryable error; resubmitted",
    "Athena failed 2 time(s) with a retryable error; resubmitted",
  ],
];

describe("an engine's text for a masked caller", () => {
  it.each(CASES)("%s", (text, masked) => {
    expect(maskEngineText(text)).toBe(masked);
  });
});

/** An engine's error (`sql-error`, `athena-query-failed`): its kind kept, its sentence hidden. */
const ERRORS: [string, string][] = [
  [
    "Athena query 4b7c-11 failed: INVALID_CAST_ARGUMENT: Value cannot be cast to timestamp: secretagent",
    "Athena query 4b7c-11 failed: INVALID_CAST_ARGUMENT: [redacted]",
  ],
  ["Invalid Input Error: missing ): secretagent(", "Invalid Input Error: [redacted]"],
  [
    "Invalid Input Error: INVALID_FUNCTION_ARGUMENT: Cannot convert value to JSON: '{x'",
    "Invalid Input Error: INVALID_FUNCTION_ARGUMENT: [redacted]",
  ],
  ["Not implemented Error: Unknown TimeZone 'secretagent'!", "Not implemented Error: [redacted]"],
  ["regexp_replace takes two or three arguments.", "[redacted]"],
  // Nothing but a kind: nothing to hide.
  ["Athena query 4b7c-11 failed: ", "Athena query 4b7c-11 failed: "],
];

describe("an engine's error for a masked caller", () => {
  it.each(ERRORS)("%s", (message, masked) => {
    expect(engineMessageKind(message)).toBe(masked);
  });
});
