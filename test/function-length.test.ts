// Issue 12: no function in packages/*/src (nor in scripts/: the nightly job, the benchmarks) is
// longer than 80 lines. KNOWN_LONG lists the ones not
// yet split; it only shrinks: the test fails on a new long function and on a listed one that is
// now short (so the list never hides one that came back).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const MAX_LINES = 80;

/** "file:function" for each function still over the limit; remove entries as they are split. */
const KNOWN_LONG = new Set<string>([]);

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText();
  }
  return "<anonymous>";
}

/** Every function-like node with a body longer than MAX_LINES, as "file:name (N lines)". */
function longFunctions(file: string, text: string): { key: string; lines: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { key: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES) found.push({ key: `${file}:${functionName(node)}`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(): string[] {
  const under = (dir: string) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" }).map((f) => `${dir}/${f}`);
  return [
    ...readdirSync(join(ROOT, "packages")).flatMap((pkg) => under(`packages/${pkg}/src`)),
    ...under("scripts"),
  ]
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".d.ts"))
    .sort();
}

describe("function length", () => {
  it("measures a function's lines, so the check below can fail", () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const long = `function tooLong() {\n${body}\n}\nconst short = () => 1;\n`;
    expect(longFunctions("x.ts", long)).toEqual([{ key: "x.ts:tooLong", lines: MAX_LINES + 2 }]);
  });

  it(`finds no function in packages/*/src or scripts/ over ${MAX_LINES} lines beyond the known list`, () => {
    const long = sourceFiles().flatMap((file) =>
      longFunctions(file, readFileSync(join(ROOT, file), "utf8")),
    );
    const unexpected = long.filter((f) => !KNOWN_LONG.has(f.key));
    expect(unexpected.map((f) => `${f.key} (${f.lines} lines)`)).toEqual([]);
    const stillLong = new Set(long.map((f) => f.key));
    const split = [...KNOWN_LONG].filter((key) => !stillLong.has(key));
    expect(split, "split now: remove from KNOWN_LONG").toEqual([]);
  });
});
