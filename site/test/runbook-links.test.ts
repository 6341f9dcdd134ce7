import { describe, expect, it } from "vitest";
import { linkRunbooks } from "../src/lib/runbook-links.ts";

const byPath = new Map([
  ["first.md", "first"],
  ["sub/second.md", "second"],
  ["sub/with space.md", "spaced"],
  ["a&b.md", "amp"],
]);

describe("links between runbooks' files", () => {
  it.each([
    ["sub/second.md", "first.md", "/runbooks/second/"],
    ["sub/second.md#counts", "first.md", "/runbooks/second/#counts"],
    ["../first.md", "sub/second.md", "/runbooks/first/"],
    ["./second.md", "sub/second.md", "/runbooks/second/"],
    ["with%20space.md", "sub/second.md", "/runbooks/spaced/"],
    // The renderer writes & as &#x26; (review: such a link was never rewritten).
    ["a&#x26;b.md", "first.md", "/runbooks/amp/"],
  ])("%s from %s goes to %s", (href, from, to) => {
    expect(linkRunbooks(`<a href="${href}">x</a>`, from, byPath)).toBe(`<a href="${to}">x</a>`);
  });

  it("leaves other links alone and names the .md files that are no runbook", () => {
    const missing: string[] = [];
    const others = [
      '<a href="https://example.com/first.md">a</a>',
      '<a href="/first.md">b</a>',
      '<a href="first.md.txt">d</a>',
      '<a href="#first.md">e</a>',
    ].join("");
    const html = `${others}<a href="../docs/guide.md#x">c</a>`;
    const out = linkRunbooks(html, "sub/second.md", byPath, (t) => missing.push(t));
    expect(out.startsWith(others)).toBe(true);
    expect(missing).toEqual(["docs/guide.md"]);
    // A file the site does not publish would be a broken link there: its text stays, no link.
    expect(out.slice(others.length)).toBe(
      '<a data-not-on-site="../docs/guide.md#x" title="../docs/guide.md#x: a file of the repository, not on this site">c</a>',
    );
  });
});
