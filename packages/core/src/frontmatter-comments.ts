/**
 * A trap of YAML in front matter: in a plain (unquoted) value, ` #` starts a comment, so
 * `owner: page #data-security` reads as `page`. A comment that starts right after the `#`
 * (`#data-security`, a channel or a tag) was almost certainly meant as part of the value; one
 * with a space (`# a note`) is taken as a deliberate comment.
 */
import { type Document, isScalar, type LineCounter, Scalar, visit } from "yaml";
import { type DiagnosticSink, RULES } from "./diagnostics.ts";

/** Warns at every plain scalar whose line goes on with ` #word` after its value. */
export function warnCutValues(
  doc: Document,
  yaml: string,
  lineCounter: LineCounter,
  sink: DiagnosticSink,
): void {
  visit(doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || node.type !== Scalar.PLAIN || !node.range) return;
      const end = node.range[1];
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
    },
  });
}
