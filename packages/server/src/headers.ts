/**
 * What a browser should do with any answer: never frame it (red-team: no page said so, and the
 * Run and Approve buttons of a framed page could be clicked through a decoy), run no plugin,
 * guess no type, send no address elsewhere. Every answer carries them, the event stream too.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};
