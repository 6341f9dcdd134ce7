/**
 * (red-team s41) `run-md run --markdown FILE` (a GitHub job summary or pull-request comment) with
 * values an AWS caller chose. markdownText escapes `<` `[` `*` ... but GitHub Flavored Markdown
 * also links bare URLs (`https://...`, `www....`, `a@b.c`, the autolink-literal extension) and
 * GitHub turns `@org/team` into a mention (notifies in a PR comment) and `#123` into a
 * cross-reference. notify's markdownText neutralises `@` with a zero-width joiner; core's does not.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import type { RunReport } from "../src/report.ts";
import { toMarkdown } from "../src/report-markdown.ts";

function reportWithAgent(agent: string): RunReport {
  return {
    reportVersion: 1,
    tool: { name: "run-md", version: "0.1.0" },
    runId: "7b0c5a7e-1111-4222-8333-944445555666",
    runbook: {
      id: "odd-agents",
      path: "runbooks/odd-agents.md",
      title: "Odd user agents",
      severity: "high",
      tags: [],
      sourceHash: "a".repeat(64),
    },
    status: "failed",
    startedAt: "2026-11-24T10:00:00.000Z",
    endedAt: "2026-11-24T10:00:02.000Z",
    durationMs: 2000,
    engine: "default",
    params: {},
    window: { start: "2026-11-17T10:00:00Z", end: "2026-11-24T10:00:00Z", source: "window: 7d" },
    steps: [
      {
        id: "agents",
        dialect: "sql",
        engine: "local",
        optional: false,
        status: "failed",
        durationMs: 800,
        query: "SELECT useragent FROM cloudtrail_logs",
        window: { start: "2026-11-17T10:00:00Z", end: "2026-11-24T10:00:00Z" },
        stats: {},
        columns: [{ name: "useragent", type: "varchar" }],
        rows: [[agent]],
        rowCount: 1,
        truncated: false,
        warnings: [],
        checks: [
          {
            check: "rows == 0",
            line: 20,
            warn: false,
            status: "failed",
            actual: 1,
            message: "rows = 1, expected == 0",
          },
        ],
      },
    ],
    summary: {
      checks: { passed: 0, warned: 0, failed: 1, errored: 0 },
      steps: { passed: 0, warned: 0, failed: 1, errored: 0, skipped: 0, cancelled: 0 },
    },
  } as RunReport;
}

const render = (md: string) => micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });

describe("Markdown summary: values from the logs make no link, mention or reference", () => {
  it("makes no link of a URL a caller put in its user agent", () => {
    for (const agent of [
      "https://evil.example/aws-mfa-reset",
      "see www.evil.example/login",
      "contact security@evil.example",
    ]) {
      const html = render(toMarkdown([reportWithAgent(agent)]));
      expect(html, agent).not.toMatch(/<a href="(https?:\/\/(www\.)?evil|mailto:)/);
    }
  });

  it("mentions nobody and references no issue (as notify's markdownText does)", () => {
    const md = toMarkdown([reportWithAgent("aws-cli/2.0 @acme/security-oncall fixes #1")]);
    expect(md).not.toContain("@acme/security-oncall");
    expect(md).not.toMatch(/(^|[^\\])#1\b/);
  });
});
