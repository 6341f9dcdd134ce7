/**
 * Traps in front matter values, warned at the character (one walk over the scalars):
 * - in a plain (unquoted) value, ` #` starts a comment, so `owner: page #data-security` reads as
 *   `page`. A comment that starts right after the `#` (`#data-security`, a channel or a tag) was
 *   almost certainly meant as part of the value; one with a space (`# a note`) is taken as a
 *   deliberate comment;
 * - a bidirectional control character (bidi.ts): the site and `<title>` show the text around
 *   it reordered. Not an error: text written right to left may use embeddings, and nothing runs
 *   from these values.
 */
import { type Document, isScalar, type LineCounter, Scalar, visit } from "yaml";
import { type BidiControl, bidiControls, bidiEscapes } from "./bidi.ts";
import { type DiagnosticSink, RULES } from "./diagnostics.ts";

/** Warns at every value cut by ` #word` and at every bidirectional control in a value. */
export function warnValueTraps(
  doc: Document,
  yaml: string,
  lineCounter: LineCounter,
  sink: DiagnosticSink,
): void {
  visit(doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || !node.range) return;
      if (node.type === Scalar.PLAIN) warnCut(node, yaml, lineCounter, sink);
      const raw = yaml.slice(node.range[0], node.range[1]);
      // A double-quoted value may write one as an escape (`\u202E`): the value holds it all the same.
      const escapes = node.type === Scalar.QUOTE_DOUBLE ? bidiEscapes(raw) : [];
      warnBidi(node.range[0], [...bidiControls(raw), ...escapes], lineCounter, sink);
    },
  });
}

/** A plain scalar whose line goes on with ` #word` after its value. */
function warnCut(node: Scalar, yaml: string, lineCounter: LineCounter, sink: DiagnosticSink) {
  const end = node.range![1];
  const lineEnd = yaml.indexOf("\n", end);
  const rest = yaml.slice(end, lineEnd === -1 ? undefined : lineEnd);
  const cut = /^([ \t]+)#(\S.*?)\s*$/.exec(rest);
  if (cut === null) return;
  const value = String(node.source ?? node.value);
  const full = `${value}${cut[1]}#${cut[2]}`;
  const { line, col } = lineCounter.linePos(end + cut[1]!.length);
  sink.warning(
    RULES.commentInValue,
    line,
    col,
    `the value is cut at " #": YAML reads "${value}" and takes "#${cut[2]}" as a comment; quote it ("${full}") to keep it all`,
  );
}

function warnBidi(
  start: number,
  found: BidiControl[],
  lineCounter: LineCounter,
  sink: DiagnosticSink,
) {
  for (const b of found.sort((x, y) => x.offset - y.offset)) {
    const { line, col } = lineCounter.linePos(start + b.offset);
    const message = `a bidirectional control character (${b.name}) in a front matter value: the site shows the text around it in another order than it is written; remove it unless right-to-left text needs it`;
    sink.warning(RULES.bidiControl, line, col, message);
  }
}
