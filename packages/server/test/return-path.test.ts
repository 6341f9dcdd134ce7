/**
 * Where sign-in sends the browser back (`/auth/login?return=`): only a path on this server. A
 * URL is resolved as a browser resolves a Location header, which drops tabs and newlines, so
 * what reaches the browser must resolve to this server's origin (round-two red-team: `/\t/evil`
 * became `//evil`, and a newline made the callback answer 500).
 */
import { describe, expect, it } from "vitest";
import { localPath } from "../src/routes/auth.ts";

/** Where a browser on https://runmd.example goes for a Location header value. */
function browserTarget(location: string): URL {
  // The WHATWG URL parser (a browser's) strips ASCII tab and newline characters anywhere.
  return new URL(location, "https://runmd.example/auth/callback");
}

describe("the return path after sign-in", () => {
  it.each([
    "/runbooks/audit-iam/",
    "/run/?id=8c4b0d9e-5e0f-4c52-9a36-0f7c8e2b1a11#live",
    "/audit/?user=a%40example.com",
  ])("keeps a path on this server: %s", (p) => {
    expect(localPath(p)).toBe(p);
  });

  it.each([
    "//evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/%0d%0aX-Injected:1",
    "\t//evil.example/",
    "/\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
    42,
    undefined,
  ])("sends anything else to / : %j", (raw) => {
    const p = localPath(raw);
    expect(browserTarget(p).origin).toBe("https://runmd.example");
    expect(p).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it("never returns what a browser would read as another host", () => {
    // Every control character at the place that turns "/x/evil" into "//evil".
    for (let c = 0; c < 0x20; c++) {
      const p = localPath(`/${String.fromCharCode(c)}/evil.example/`);
      expect(browserTarget(p).origin, `char ${c}`).toBe("https://runmd.example");
      expect(p, `char ${c}`).not.toMatch(/[\u0000-\u001f]/);
    }
  });

  it("resolves dot segments before it checks: /./ and /../ stay on this server", () => {
    expect(localPath("/a/../runs/")).toBe("/runs/");
    expect(localPath("/.//evil.example/")).not.toMatch(/^\/\//);
    expect(browserTarget(localPath("/.//evil.example/")).origin).toBe("https://runmd.example");
  });
});
