/** Where a JSON text broke, from JSON.parse's message, as a person finds it in the file. */

/**
 * Where JSON.parse stopped, as `file`'s line and column (` (line 112, column 1)`), or
 * ` (it ends too early)`; "" when its message does not say. Never the text V8's message quotes
 * (`Unexpected token 'r', "root:x:0:0"... is not valid JSON`): a log file's warning quotes no
 * content. V8 gives a position in the text it parsed, which begins `skipped` characters into
 * the file (a byte order mark, blank lines trimmed off).
 */
export function jsonErrorPlace(message: string | undefined, file: string, skipped = 0): string {
  const at = /at position (\d+)/.exec(message ?? "");
  if (at) {
    const before = file.slice(0, skipped + Number(at[1]));
    const lineStart = before.lastIndexOf("\n") + 1;
    const line = before.split("\n").length;
    return ` (line ${line}, column ${before.length - lineStart + 1})`;
  }
  if (/Unexpected end of JSON input/i.test(message ?? "")) return " (it ends too early)";
  return "";
}
