import {
  lastWords,
  markdownCode,
  markdownText,
  offenderOf,
  oneLine,
  slackLink,
  slackText,
} from "@run-md/notify";
import { describe, expect, it } from "vitest";

describe("escaping for each target's format", () => {
  it("Slack: no mention, no link and no entity survives from data", () => {
    expect(slackText("<!channel> <!here|here> <@U123> <https://evil.example|click> a&b")).toBe(
      "&lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; a&amp;b",
    );
    expect(slackLink("https://x.example/a|b>c d", "<!channel>")).toBe(
      "<https://x.example/a%7Cb%3Ec%20d|&lt;!channel&gt;>",
    );
  });

  it("Markdown: markup, HTML, autolinks and mentions are neutralised", () => {
    expect(markdownText("*a* _b_ [l](http://e) <b>x</b> @team\nnext")).toBe(
      "\\*a\\* \\_b\\_ \\[l\\](http\\://e) \\<b\\>x\\</b\\> @\u200dteam next",
    );
    expect(markdownCode("a`b``c")).toBe("``` a`b``c ```");
  });

  it("plain one-line text for SNS subjects and PagerDuty summaries", () => {
    expect(oneLine("line one\nline\ttwo\u0007", 100)).toBe("line one line two");
    expect(oneLine("x".repeat(120), 100)).toHaveLength(100);
  });

  it("the first offender is the most telling column of the row", () => {
    expect(offenderOf({ eventtime: "t", eventname: "CreateUser", actor: "arn:a" })).toBe(
      "actor = arn:a",
    );
    expect(offenderOf({ key_owner: "bob", sourceipaddress: "1.2.3.4" })).toBe("key_owner = bob");
    expect(offenderOf({ groupid: "sg-1", n: 3 })).toBe("groupid = sg-1");
    expect(offenderOf({ n: 3 })).toBeUndefined();
  });

  it("a crashed runner's last words: its first lines, credentials masked", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const stderr = `x.md:4:1 error unknown front matter key "${secret}"\n\n${[1, 2, 3, 4, 5, 6].join("\n")}\n`;
    const words = lastWords(stderr, 2);
    expect(words.split("\n")).toHaveLength(5);
    expect(words).toMatch(/^x\.md:4:1 error unknown front matter key "/);
    expect(words).not.toContain("EXAMPLEKEY");
    expect(words.endsWith("\n4")).toBe(true);
    expect(lastWords("  \n", 139)).toBe("the runner exited with 139");
  });
});
