/**
 * The user docs against the behaviour they describe (README.md, docs/*.md, the package
 * READMEs): every relative link resolves to a file and, with a #fragment, to one of its headings;
 * every runbook and `expect` example is one `run-md check` accepts, and every configuration
 * example a configuration it accepts; every `--flag` a `run-md
 * <command>` or `npm run nightly --` example gives is one that command's --help lists; and the
 * help says where the configuration is found as docs/configuration.md does.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_NAMES } from "../packages/cli/src/main.ts";
import { REPO, runMd } from "./helpers.ts";

const DOC_FILES = [
  "README.md",
  ...readdirSync(path.join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  ...readdirSync(path.join(REPO, "packages"))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(path.join(REPO, f))),
];

interface Fence {
  file: string;
  line: number;
  lang: string;
  body: string;
}

interface Doc {
  file: string;
  /** Each line, fenced blocks blanked, for links and headings. */
  prose: string[];
  fences: Fence[];
}

/** A fence's line (CommonMark: a backtick fence's info string holds no backtick). */
const FENCE = /^\s*(`{3,}(?=[^`]*$)|~{3,})\s*([^\s`]*)/;

function readDoc(file: string): Doc {
  const lines = readFileSync(path.join(REPO, file), "utf8").split("\n");
  const prose: string[] = [];
  const fences: Fence[] = [];
  let open: { marker: string; fence: Fence } | undefined;
  lines.forEach((l, i) => {
    const m = FENCE.exec(l);
    if (open) {
      if (m && m[1]!.startsWith(open.marker) && m[2] === "") {
        fences.push(open.fence);
        open = undefined;
      } else open.fence.body += `${l}\n`;
      prose.push("");
    } else if (m) {
      open = { marker: m[1]!, fence: { file, line: i + 1, lang: m[2]!, body: "" } };
      prose.push("");
    } else prose.push(l);
  });
  return { file, prose, fences };
}

const DOCS = DOC_FILES.map(readDoc);
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as "-". */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(doc: Doc): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const l of doc.prose) {
    const m = /^#{1,6}\s+(.*)$/.exec(l);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** The text of a line outside its inline code spans. */
const outsideCode = (l: string): string => l.replace(/`[^`]*`/g, "");

describe("docs links", () => {
  it("every relative link resolves to a file, and its #fragment to one of its headings", () => {
    const byFile = new Map(DOCS.map((d) => [d.file, d]));
    const broken: string[] = [];
    for (const doc of DOCS) {
      doc.prose.forEach((l, i) => {
        for (const m of outsideCode(l).matchAll(/\]\(([^)\s]+)\)/g)) {
          const link = m[1]!;
          if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
          const [target, fragment] = link.split("#");
          const file = target ? path.join(path.dirname(doc.file), target) : doc.file;
          const where = `${doc.file}:${i + 1} ${link}`;
          if (!existsSync(path.join(REPO, file))) broken.push(`${where}: no such file`);
          else if (fragment && file.endsWith(".md")) {
            const linked = byFile.get(file) ?? readDoc(file);
            if (!anchors(linked).has(fragment)) broken.push(`${where}: no such heading`);
          }
        }
      });
    }
    expect(broken).toEqual([]);
  });
});

describe("docs examples", () => {
  it("every runbook example and every expect block in the docs passes run-md check", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "run-md-docs-examples-"));
    tmpDirs.push(dir);
    const written: string[] = [];
    for (const f of DOCS.flatMap((d) => d.fences)) {
      const name = `${f.file.replace(/[^a-z0-9]+/gi, "-")}-${f.line}.md`;
      let text: string | undefined;
      if (/^(md|markdown)$/.test(f.lang) && f.body.startsWith("---\n")) text = f.body;
      if (f.lang === "expect")
        text = `---\ntitle: ${name}\n---\n\n\`\`\`sql s\nSELECT * FROM cloudtrail_logs\n\`\`\`\n\n\`\`\`expect\n${f.body}\`\`\`\n`;
      if (text === undefined) continue;
      writeFileSync(path.join(dir, name), text);
      written.push(name);
    }
    // The README's and writing-runbooks.md's full examples, expectations.md's checks at least.
    expect(written.length).toBeGreaterThanOrEqual(4);
    const res = await runMd(["check", dir]);
    expect(res.stdout + res.stderr).toContain(`${written.length} runbooks checked, no problems`);
    expect(res.code).toBe(0);
  });
});

/** The top-level keys of run-md.config.yaml (packages/cli/src/config.ts's schema). */
const CONFIG_KEYS = new Set(
  "reportsDir runbooksDir timeout maxScan engines params mask tables site nightly notify server access local athena logs".split(
    " ",
  ),
);

describe("docs configuration examples", () => {
  it("every run-md.config.yaml example in the docs is a configuration run-md check accepts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "run-md-docs-config-"));
    tmpDirs.push(dir);
    const examples = DOCS.flatMap((d) => d.fences).filter((f) => {
      if (f.lang !== "yaml" || f.body.includes("---")) return false;
      const keys = [...f.body.matchAll(/^([A-Za-z-]+):/gm)].map((m) => m[1]!);
      // A front matter's params: alone (writing-runbooks.md) is no configuration example.
      return keys.length > 0 && keys.every((k) => CONFIG_KEYS.has(k)) && keys.join() !== "params";
    });
    // configuration.md's whole file, serve.md's server: and access: sections, notify, masking...
    expect(examples.length).toBeGreaterThanOrEqual(8);
    const results = await Promise.all(
      examples.map(async (f) => {
        const file = path.join(dir, `${f.file.replace(/[^a-z0-9]+/gi, "-")}-${f.line}.yaml`);
        writeFileSync(file, f.body);
        const r = await runMd(["check", "runbooks/audit-iam.md", "--config", file]);
        return { where: `${f.file}:${f.line}`, code: r.code, stderr: r.stderr };
      }),
    );
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
  });
});

/** Every command (main.ts lists them): a new one is checked without being listed here too. */
const COMMANDS = COMMAND_NAMES.filter((c) => c !== "help");

/** The code of the docs: fenced shell blocks' lines and inline code spans, with their places. */
function codeLines(): { where: string; code: string }[] {
  const out: { where: string; code: string }[] = [];
  for (const doc of DOCS) {
    doc.prose.forEach((l, i) => {
      for (const m of l.matchAll(/`([^`]+)`/g))
        out.push({ where: `${doc.file}:${i + 1}`, code: m[1]! });
    });
    for (const f of doc.fences.filter((f) => /^(bash|sh|shell|console)$/.test(f.lang))) {
      const lines = f.body.split("\n");
      for (const [i, code] of lines.entries())
        out.push({ where: `${f.file}:${f.line + 1 + i}`, code });
    }
  }
  return out;
}

/** The command a `run-md ...` invocation runs (run for a file, folder or id), or undefined. */
function commandOf(first: string): string | undefined {
  if (COMMANDS.includes(first)) return first;
  if (["help", "-h", "--help", "-v", "--version"].includes(first)) return undefined;
  return "run";
}

/** The --flags of each `run-md <command> ...` and `npm run nightly -- ...` in the docs' code. */
function documentedFlags(): { where: string; command: string; flag: string }[] {
  const found: { where: string; command: string; flag: string }[] = [];
  for (const { where, code } of codeLines()) {
    const calls = /(?:\brun-md|npm run (nightly) --)[ \t]+([^#|;&>`]*)/g;
    for (const m of code.matchAll(calls)) {
      const words = m[2]!.trim().split(/\s+/);
      const command = m[1] ?? commandOf(words[0] ?? "");
      if (command === undefined || !words[0]) continue;
      for (const w of words) {
        const flag = /^--[a-z][a-z-]*/.exec(w)?.[0];
        if (flag && flag !== "--help") found.push({ where, command, flag });
      }
    }
  }
  return found;
}

describe("docs and --help", () => {
  const help = new Map<string, string>();
  beforeAll(async () => {
    for (const c of COMMANDS) help.set(c, (await runMd([c, "--help"])).stdout);
    const nightly = ["--import", "tsx", "scripts/nightly.ts", "--help"];
    help.set("nightly", execFileSync(process.execPath, nightly, { cwd: REPO, encoding: "utf8" }));
  });

  it("every --flag a documented command line gives is in that command's --help", () => {
    const flags = documentedFlags();
    // The scan finds the examples (README's command list alone gives dozens).
    expect(flags.length).toBeGreaterThan(50);
    expect(help.get("nightly")).toMatch(/^Usage: npm run nightly/);
    const unknown = flags
      .filter(
        ({ command, flag }) =>
          !new RegExp(`(^|[\\s,\\[])${flag}(?![a-z-])`, "m").test(help.get(command) ?? ""),
      )
      .map(({ where, command, flag }) => `${where}: ${command} ${flag}`);
    expect(unknown).toEqual([]);
  });

  it("each command that reads the runbooks folder by default names runbooksDir, as it reads it", () => {
    // docs/configuration.md: runbooksDir is the default runbooks of these commands (and serve.md).
    const doc = readFileSync(path.join(REPO, "docs/configuration.md"), "utf8");
    expect(doc).toMatch(
      /runbooksDir: runbooks +# the default runbooks of run-md <id>, check, list, serve, trigger, rules/,
    );
    for (const c of ["run", "check", "list", "serve", "trigger", "rules", "new"]) {
      const text = help.get(c)!.replace(/\s+/g, " ");
      expect(text, c).toContain("runbooksDir");
      expect(text, c).not.toMatch(/\(default:? (every \*\.md under )?runbooks\/[),]/);
    }
  });

  it("each --config help says the configuration is found as docs/configuration.md says", () => {
    const doc = readFileSync(path.join(REPO, "docs/configuration.md"), "utf8");
    expect(doc).toMatch(/from the\s+nearest directory above it/);
    expect(doc).toMatch(/`--config FILE` or `RUN_MD_CONFIG` name one instead/);
    const withConfig = [...help].filter(([, text]) => text.includes("--config <file>"));
    expect(withConfig.map(([c]) => c).sort()).toEqual(
      [
        "check",
        "collect",
        "compare",
        "list",
        "nightly",
        "query",
        "rules",
        "run",
        "serve",
        "trigger",
      ].sort(),
    );
    for (const [command, text] of withConfig) {
      const at = text.indexOf("--config <file>");
      const entry = text.slice(at, text.indexOf("\n  -", at)).replace(/\s+/g, " ");
      expect(entry, command).toContain(
        "RUN_MD_CONFIG, else run-md.config.yaml here or in the nearest folder above",
      );
    }
  });
});
