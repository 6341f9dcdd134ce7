/**
 * Escaping every value for the format of the place it lands in. Values come from CloudTrail
 * (user names, ARNs, user agents) and are attacker-controlled: a user named `<!channel>` must
 * not page a whole Slack workspace.
 */
import { type MaskOptions, maskText, printable } from "@run-md/core";

/** Slack mrkdwn (and `text`): `&`, `<` and `>` are the only control characters. */
export function slackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `<url|text>`: the URL may not hold `|` or `>`, the text is escaped. */
export function slackLink(url: string, text: string): string {
  const safe = url.replace(/[|<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${safe}|${slackText(text)}>`;
}

/** Markdown (GitHub issues, Teams' Adaptive Card TextBlocks): core's literal Markdown text. */
export { markdownText } from "@run-md/core";

/**
 * `escaper(text)` in at most `max` characters: cut (with "…") before the escaped text grows past
 * it, never inside one character's escape. Escaping makes a value longer (`&` is `&amp;`): a
 * value clipped before it could still make a message the target refuses (GitHub's 65,536
 * characters a body, a Teams card's 28 KB), and the alert would be lost.
 */
export function clipEscaped(text: string, max: number, escaper: (s: string) => string): string {
  const whole = escaper(text);
  if (whole.length <= max) return whole;
  let out = "";
  for (const ch of text) {
    const e = escaper(ch);
    if (out.length + e.length > max - 1) break;
    out += e;
  }
  return `${out}…`;
}

/** Inline code in Markdown: a fence longer than any run of backticks inside. */
export function markdownCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  return `${fence} ${text.replace(/\r\n?|\n/g, " ")} ${fence}`;
}

/**
 * Plain text with one line and a maximum length (SNS subjects, PagerDuty summaries); invisible
 * and direction characters written as `\uXXXX`, as every other output does.
 */
export function oneLine(text: string, max: number): string {
  const flat = printable(text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim());
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * What a runner that left no report printed on stderr (its first lines), with credentials
 * masked: it can quote anything it was handed, a secret in a runbook's front matter included
 * (and access key ids too when the configuration's `mask.accessKeyIds` is `hide`).
 */
export function lastWords(
  stderr: string,
  exitCode: number | null,
  maxLines = 5,
  mask: MaskOptions = {},
): string {
  const lines = maskText(stderr, mask).trim().split("\n").filter(Boolean);
  return lines.slice(0, maxLines).join("\n") || `the runner exited with ${exitCode}`;
}
