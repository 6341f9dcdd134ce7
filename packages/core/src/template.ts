/**
 * `{{name}}` references in query text. A reference is `{{`, optional spaces, a name (a letter or
 * `_`, then letters, digits, `_`), optional spaces, `}}`. Anything else is text.
 */
import type { Dialect } from "./model.ts";

export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "param"; name: string; offset: number };

const REF = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Splits a query into text and `{{name}}` references (with the offset of each `{{`). */
export function scanTemplate(query: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of query.matchAll(REF)) {
    const offset = match.index;
    if (offset > last) parts.push({ kind: "text", text: query.slice(last, offset) });
    parts.push({ kind: "param", name: match[1]!, offset });
    last = offset + match[0].length;
  }
  if (last < query.length) parts.push({ kind: "text", text: query.slice(last) });
  return parts;
}

/** Replaces every `{{name}}` by `render(name)`; the rest of the text is kept as it is. */
export function renderTemplate(query: string, render: (name: string) => string): string {
  return scanTemplate(query)
    .map((part) => (part.kind === "text" ? part.text : render(part.name)))
    .join("");
}

export type TemplateProblem =
  | { kind: "quoted"; name: string; offset: number; quote: string }
  | { kind: "malformed"; text: string; offset: number };

/**
 * What is wrong with the references of a query: `{{` that does not start a reference, and
 * references inside a quoted string, a quoted identifier or (Logs Insights) a regular
 * expression, where the runner cannot supply the quoting. References in comments are ignored.
 */
export function templateProblems(query: string, dialect: Dialect): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const refs = new Map<number, string>();
  for (const part of scanTemplate(query))
    if (part.kind === "param") refs.set(part.offset, part.name);

  // Malformed `{{`: an opening that is not the start of a reference.
  for (let i = query.indexOf("{{"); i >= 0; i = query.indexOf("{{", i + 2)) {
    if (refs.has(i)) continue;
    // `{{{name}}}` : the reference starts one brace later.
    if (refs.has(i + 1)) continue;
    const close = query.indexOf("}}", i);
    const end = close < 0 ? Math.min(query.length, i + 20) : close + 2;
    problems.push({ kind: "malformed", text: query.slice(i, end).split("\n")[0]!, offset: i });
  }

  for (const region of quotedRegions(query, dialect)) {
    for (const [offset, name] of refs) {
      if (offset > region.start && offset < region.end) {
        problems.push({ kind: "quoted", name, offset, quote: region.quote });
      }
    }
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

interface Region {
  start: number;
  /** Offset just past the closing quote (or the end of the text). */
  end: number;
  quote: string;
}

/** Quoted strings, quoted identifiers and regular expressions of a query, skipping comments. */
function quotedRegions(query: string, dialect: Dialect): Region[] {
  const regions: Region[] = [];
  let i = 0;
  let lastWord = "";
  const n = query.length;
  const closeQuoted = (quote: string, backslash: boolean): number => {
    let j = i + 1;
    while (j < n) {
      const c = query[j]!;
      if (backslash && c === "\\") {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (!backslash && query[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return n;
  };
  while (i < n) {
    const c = query[i]!;
    if (dialect === "sql" && c === "-" && query[i + 1] === "-") {
      const eol = query.indexOf("\n", i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (dialect === "sql" && c === "/" && query[i + 1] === "*") {
      const close = query.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (dialect === "logs-insights" && c === "#") {
      const eol = query.indexOf("\n", i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (c === "'" || c === '"' || (dialect === "logs-insights" && c === "`")) {
      const end = closeQuoted(c, dialect === "logs-insights");
      regions.push({ start: i, end, quote: c });
      i = end;
      lastWord = "";
      continue;
    }
    if (
      dialect === "logs-insights" &&
      c === "/" &&
      (lastWord === "like" || lastWord === "=~" || lastWord === "not")
    ) {
      const end = closeQuoted("/", true);
      regions.push({ start: i, end, quote: "/" });
      i = end;
      lastWord = "";
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const word = /^(?:[A-Za-z_@][\w.@]*|=~|\S)/.exec(query.slice(i, i + 64))![0];
    lastWord = word.toLowerCase();
    i += word.length;
  }
  return regions;
}
