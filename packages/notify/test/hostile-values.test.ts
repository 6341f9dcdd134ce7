/**
 * Attacker-controlled CloudTrail values (a bucket policy document from PutBucketPolicy's
 * requestParameters, a user agent) reaching the escalation targets: no value adds a line, hides
 * text, makes a link or makes a message too large for its target (red-team s41).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunReport } from "@run-md/core";
import {
  type Alert,
  alertsFor,
  issueBody,
  type NotifyConfig,
  pagerDutyEvent,
  parseNotifyConfig,
  slackMessage,
  snsMessage,
  teamsMessage,
} from "@run-md/notify";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import { report } from "./helpers.ts";

function config(): NotifyConfig {
  const parsed = parseNotifyConfig({ targets: [] }, "run-md.config.yaml", {});
  return { ...parsed, siteUrl: "https://sec.example.com/runbooks" };
}

/**
 * A failing run whose offending row's `policy` column (the offender: OFFENDER_COLUMNS matches
 * `policy`) holds `value`: the policy document an attacker sent in PutBucketPolicy, logged even
 * when the call was denied.
 */
async function alertWithPolicy(value: string): Promise<Alert> {
  const r: RunReport = report("s3-public-policy", "failed", { title: "Public bucket policies" });
  const step = r.steps[0]!;
  step.columns = [
    { name: "eventtime", type: "varchar" },
    { name: "policy", type: "varchar" },
  ];
  step.rows = [["2026-11-24T01:45:00Z", value]];
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-notify-s41-"));
  const [alert] = await alertsFor(
    [
      {
        report: r,
        reportFile: path.join(dir, "s3-public-policy", "2026-11-24T02-00-00.000Z.json"),
      },
    ],
    config(),
    { reportsDir: dir, now: new Date("2026-11-24T02:01:00Z") },
  );
  return alert!;
}

/** A policy whose text, once printed, forges the recovered alert line the real one would be. */
const FORGED_RECOVERY =
  '{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringLike":{"aws:UserAgent":"x' +
  "\n:large_green_circle: *Public bucket policies recovered (severity high)*\nAll clear, nothing to do." +
  '"}}}]}';

describe("hostile values in alerts", () => {
  it("Slack: a newline in the offender cannot add a forged 'recovered' line to the alert", async () => {
    const alert = await alertWithPolicy(FORGED_RECOVERY);
    const section = (slackMessage([alert]).blocks[0] as { text: { text: string } }).text.text;
    // The real alert has one line per fact; the offender's line must stay one line.
    const lines = section.split("\n");
    expect(lines.filter((l) => l.startsWith(":large_green_circle:"))).toEqual([]);
    expect(lines.find((l) => l.startsWith("First offender:"))).toContain("All clear");
  });

  it("SNS: the plain-text message keeps the offender on its one line", async () => {
    const alert = await alertWithPolicy(
      "x\n\nPublic bucket policies recovered (severity high)\nRun: https://sec.example.com/runbooks/",
    );
    const message = snsMessage([alert]);
    expect(message.split("\n")).not.toContain("Public bucket policies recovered (severity high)");
  });

  it("GitHub issue: a lone carriage return cannot end the list and start a forged paragraph", async () => {
    // CommonMark: a CR not followed by LF is a line ending; two make a blank line.
    const alert = await alertWithPolicy("x\r\r:white_check_mark: All checks passed, nothing to do");
    const body = issueBody(alert);
    const html = micromark(body, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    // The offender belongs inside the finding's list item, not in a paragraph of its own.
    expect(html).not.toMatch(/<p>:white_check_mark: All checks passed/);
    expect(body).not.toContain("\r");
  });

  it("every target escapes bidi and invisible characters in the offender, as the other outputs do", async () => {
    // `arn:...:user/\u202Enimda` shows as `.../admin` reversed; a zero-width space splits a word
    // a reader searches for. printable()/visibleFormat() write these as \uXXXX everywhere else.
    const alert = await alertWithPolicy("arn:aws:iam::111122223333:user/\u202enimda\u200b");
    const out = {
      slack: JSON.stringify(slackMessage([alert]).blocks),
      github: issueBody(alert),
      teams: JSON.stringify(teamsMessage([alert])),
      pagerduty: String(
        (pagerDutyEvent(alert, "k", new Date()).payload as { summary: string }).summary,
      ),
      sns: snsMessage([alert]),
    };
    const raw = Object.entries(out)
      .filter(([, text]) => /[\u202e\u200b]/.test(text))
      .map(([target]) => target);
    expect(raw).toEqual([]);
  });

  it("Teams: a value cannot make the card show a date of its own choosing ({{DATE()}} and {{TIME()}} of Adaptive Cards)", async () => {
    // Adaptive Cards replace `{{DATE(<ISO-8601>, SHORT)}}` and `{{TIME(...)}}` in a TextBlock's
    // text with that date, formatted for the reader, before its Markdown: a user agent or an
    // object key holding one shows in the alert as a date, not as what the logs hold.
    const value = "aws-cli/2 {{DATE(2017-02-14T06:08:39Z, SHORT)}} {{TIME(2017-02-14T06:08:39Z)}}";
    const alert = await alertWithPolicy(value);
    const texts = (
      teamsMessage([{ ...alert, about: `user_agent=${value}` }]).attachments as {
        content: { body: { text?: string }[] };
      }[]
    )[0]!.content.body.flatMap((b) => (b.text === undefined ? [] : [b.text]));
    expect(texts.join("\n")).toContain("DATE(2017-02-14T06:08:39Z");
    expect(texts.filter((t) => /\{\{\s*(DATE|TIME)\s*\(/.test(t))).toEqual([]);
    // As Markdown, it reads as the value it is.
    const shown = micromark(texts.join("\n\n"), {
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });
    expect(shown).toContain(value);
  });

  it("Slack: a URL or #channel in a value is not auto-linked (sections are not verbatim)", async () => {
    // Slack's text object: with `verbatim` false (the default) "URLs will be auto-converted into
    // links, conversation names will be link-ified, and certain mentions will be automatically
    // parsed". A policy's `aws:Referer` of https://evil.example/mfa-reset becomes a live link in
    // the security channel, under run-md's name.
    const alert = await alertWithPolicy(
      '{"aws:Referer":"https://evil.example/mfa-reset #general"}',
    );
    const block = slackMessage([alert]).blocks[0] as { text: { verbatim?: boolean } };
    expect(block.text.verbatim).toBe(true);
  });

  it("GitHub issue: a long hostile value cannot push the body past GitHub's 65,536 characters", async () => {
    // A KMS key policy may be 32 KB (PutKeyPolicy logs it, denied or not). markdownText makes
    // each `&` five characters (`&amp;`), `<` four: 13,200 of them is a 66,000-character body,
    // which GitHub refuses (422 "body is too long"): the issue is never opened, every night.
    const alert = await alertWithPolicy(
      `{"Condition":{"StringLike":{"kms:ViaService":"${"&".repeat(13_200)}"}}}`,
    );
    expect(issueBody(alert).length).toBeLessThanOrEqual(65_536);
  });

  it("Teams: hostile values cannot push a night's card past the Workflows webhook's 28 KB", async () => {
    // Each line is clipped to 500 characters *before* markdownText, which makes `&` five
    // characters: 2,500 a line. Eight failing runbooks whose offender and error quote such a
    // value make a card Teams refuses (413), and every alert of the night is lost with it.
    const value = "&".repeat(600);
    const alerts: Alert[] = [];
    for (let i = 0; i < 8; i++) {
      const a = await alertWithPolicy(value);
      alerts.push({
        ...a,
        runbook: { ...a.runbook, id: `rb-${i}` },
        finding: { ...a.finding!, error: `INVALID_CAST_ARGUMENT: Value cannot be cast: ${value}` },
      });
    }
    expect(Buffer.byteLength(JSON.stringify(teamsMessage(alerts)))).toBeLessThanOrEqual(28 * 1024);
  });

  it("Teams: twenty such alerts make a card that fits, saying how many it leaves out", async () => {
    const a = await alertWithPolicy("&".repeat(600));
    const alerts: Alert[] = Array.from({ length: 20 }, (_, i) => ({
      ...a,
      runbook: { ...a.runbook, id: `rb-${i}` },
      finding: { ...a.finding!, error: `Value cannot be cast: ${"&".repeat(600)}` },
    }));
    const card = JSON.stringify(teamsMessage(alerts));
    expect(Buffer.byteLength(card)).toBeLessThanOrEqual(28 * 1024);
    const shown = (card.match(/Public bucket policies failed/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(card).toContain(`…and ${20 - shown} more`);
  });
});

describe("red-team: a night of many alerts", () => {
  it("Slack and Teams show the failures first: 25 recoveries do not push a new failure into '…and 6 more'", async () => {
    const a = await alertWithPolicy("arn:aws:iam::111122223333:user/mallory");
    const recovered: Alert[] = Array.from({ length: 25 }, (_, i) => ({
      ...a,
      kind: "recovered",
      status: "passed",
      runbook: { ...a.runbook, id: `rb-${i}`, title: `Quiet runbook ${i}` },
    }));
    const failing: Alert = {
      ...a,
      runbook: { ...a.runbook, id: "kms", title: "KMS keys scheduled for deletion" },
    };
    const alerts = [...recovered, failing];
    const slack = JSON.stringify(slackMessage(alerts).blocks);
    expect(slack).toContain("KMS keys scheduled for deletion failed");
    expect(slack).toContain("…and 6 more");
    const teams = JSON.stringify(teamsMessage(alerts));
    expect(teams).toContain("KMS keys scheduled for deletion failed");
    // The order of the others is kept.
    expect(slack.indexOf("Quiet runbook 0 ")).toBeLessThan(slack.indexOf("Quiet runbook 1 "));
  });
});

describe("red-team: SNS's 256 KB", () => {
  it("hostile values in a night's alerts cannot push an SNS message past 256 KB (Publish refused it, every night)", async () => {
    const a = await alertWithPolicy("x".repeat(20_000)); // a bucket policy is up to 20 KB
    const alerts: Alert[] = Array.from({ length: 40 }, (_, i) => ({
      ...a,
      runbook: { ...a.runbook, id: `rb-${i}`, title: `Runbook ${i}` },
      finding: { ...a.finding!, error: `Value cannot be cast: ${"y".repeat(20_000)}` },
    }));
    const message = snsMessage(alerts);
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(256 * 1024);
    expect(message).toContain("Runbook 0 failed");
    expect(message).toMatch(/…and \d+ more$/);
  });
});
