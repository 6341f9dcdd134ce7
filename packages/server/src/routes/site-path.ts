/**
 * The one reading of a site URL's path that the access rules and the file lookup share: decoded
 * once and normalized (`.`, `..`, repeated slashes). The gates once looked at the raw path and the
 * lookup at the decoded one, so `/%72eports/<id>/` or `/x/../reports/<id>/` served a gated page
 * ungated (found by a red-team review).
 */
import path from "node:path";

export interface SitePath {
  /** Normalized, decoded, starting with "/" (`/reports/a b/`). */
  path: string;
  /** Its non-empty segments (`["reports", "a b"]`). */
  segments: string[];
  /**
   * The first segment in lower case, for the gates: on a file system that ignores case (macOS,
   * Windows) `/Reports/<id>/` is the same folder as `/reports/<id>/`.
   */
  top: string;
}

/** The path part of a request URL as the site serves it; undefined when it does not decode. */
export function sitePath(url: string): SitePath | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.split("?")[0]!);
  } catch {
    return undefined;
  }
  // A backslash separates folders on Windows, where the gates would not see it.
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const normalized = path.posix.normalize(`/${decoded}`);
  const segments = normalized.split("/").filter((s) => s !== "");
  return { path: normalized, segments, top: (segments[0] ?? "").toLowerCase() };
}
