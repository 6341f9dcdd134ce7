/**
 * Links between runbooks as GitHub reads them (`[the next one](sub/second.md#counts)`, relative
 * to the file) made links to those runbooks' pages, so the prose that works in the repository
 * works on the site too (review). Done when a page is built, not in the loader's cached render:
 * the other runbook's id may change without this file changing.
 */
import path from "node:path";
import { runbookUrl } from "./paths.ts";

/** An `href` of a relative Markdown file, with its fragment (none with a scheme or from `/`). */
const MD_HREF = /\shref="((?:[^"#?:&]|&#x26;|&amp;)+?\.md)(#[^"]*)?"/gi;

function decoded(href: string): string {
  const text = href.replaceAll("&#x26;", "&").replaceAll("&amp;", "&");
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A runbook's path relative to the runbooks directory, with `/` whatever the system's. */
export function posixRelPath(relPath: string): string {
  return relPath.split(/[\\/]/).join("/");
}

/**
 * The html with each link to another runbook's file (`relPath`s relative to the runbooks
 * directory, as `byPath` holds them) pointing at its page; a link to a `.md` file that is no
 * runbook of the site loses its `href` (it keeps its text and says where it pointed), and
 * `missing` gets its target.
 */
export function linkRunbooks(
  html: string,
  relPath: string,
  byPath: ReadonlyMap<string, string>,
  missing: (target: string) => void = () => {},
): string {
  const from = path.posix.dirname(posixRelPath(relPath));
  return html.replace(MD_HREF, (whole, href: string, fragment: string | undefined) => {
    if (href.startsWith("/")) return whole;
    const target = path.posix.normalize(path.posix.join(from, decoded(href)));
    const id = byPath.get(target);
    if (id === undefined) {
      // Not on the site: a link there would lead nowhere. The text stays, with where it pointed.
      missing(target);
      const was = `${href}${fragment ?? ""}`;
      return ` data-not-on-site="${was}" title="${was}: a file of the repository, not on this site"`;
    }
    return ` href="${runbookUrl(id)}${fragment ?? ""}"`;
  });
}
