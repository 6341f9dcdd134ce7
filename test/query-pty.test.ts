/**
 * Result tables on a real pseudo-terminal (util-linux `script`, as terminal-pty.test.ts does):
 * they use the terminal's width (80 or 220 columns, not a fixed 60-character cell), `--wide`
 * never cuts a value, and CJK and emoji values keep the columns aligned (display widths).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateLogs } from "@run-md/generator";
import stringWidth from "string-width";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, REPO, runMd } from "./helpers.ts";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;
const FROM = "2026-01-01T00:00:00Z";
const TO = "2026-01-01T06:00:00Z";
/** Long values: request parameters of more than 150 characters. */
const LONG =
  "SELECT eventname, requestparameters FROM cloudtrail_logs WHERE length(requestparameters) > 150 ORDER BY eventid LIMIT 3";

let logDir: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-query-pty-"));
  logDir = path.join(dir, "logs");
  await generateLogs({
    outDir: logDir,
    start: new Date(FROM),
    end: new Date(TO),
    eventsPerDay: 2000,
    seed: "query-pty",
  });
}, 120_000);

/** The data and window every query here reads (the logs are made in beforeAll). */
const source = () => ["--log-dir", logDir, "--from", FROM, "--to", TO];

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** `run-md query ...` on a pseudo-terminal of `cols` columns; its output, line by line. */
function queryOnPty(
  cols: number,
  args: string[],
): Promise<{ code: number | null; lines: string[] }> {
  const argv = [BIN, "query", ...args, ...source()];
  const command = `stty cols ${cols} rows 40; exec ${shellQuote(process.execPath)} ${argv.map(shellQuote).join(" ")}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color", NO_COLOR: "1" };
  delete env.CI;
  delete env.FORCE_COLOR;
  const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
    cwd: REPO,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString("utf8");
  });
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code, lines: out.split(/\r?\n/) })),
  );
}

/** The table's lines (box drawing) of a terminal's output. */
function tableLines(lines: string[]): string[] {
  return lines.filter((l) => /^[┌│├└]/.test(l));
}

/** The display columns at which a table line has its vertical borders. */
function borderColumns(line: string): number[] {
  const cols: number[] = [];
  let at = 0;
  for (const { segment } of new Intl.Segmenter().segment(line)) {
    if ("│┌┬┐├┼┤└┴┘".includes(segment)) cols.push(at);
    at += stringWidth(segment);
  }
  return cols;
}

describe.skipIf(!HAS_SCRIPT)("query tables on a terminal", () => {
  let values: string[];

  beforeAll(async () => {
    const r = await runMd(["query", LONG, "--format", "json", ...source()]);
    expect(r.code, r.stderr).toBe(0);
    values = (JSON.parse(r.stdout) as Array<{ requestparameters: string }>).map(
      (o) => o.requestparameters,
    );
    expect(values).toHaveLength(3);
    expect(Math.min(...values.map((v) => v.length))).toBeGreaterThan(150);
  }, 180_000);

  it("fits 80 columns, and uses a 220-column terminal's width instead of cutting at 60", {
    timeout: 180_000,
  }, async () => {
    const narrow = tableLines((await queryOnPty(80, [LONG])).lines);
    expect(narrow.length).toBe(7); // top, header, rule, 3 rows, bottom
    for (const l of narrow) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    expect(narrow.join("\n")).toContain("…");

    const wide = tableLines((await queryOnPty(220, [LONG])).lines);
    expect(wide.length).toBe(7);
    for (const l of wide) expect(stringWidth(l)).toBeLessThanOrEqual(220);
    // Cells were cut at 60 characters whatever the width: now the long values use the room.
    expect(Math.max(...wide.map((l) => stringWidth(l)))).toBeGreaterThan(150);
  });

  it("asks for a query when there is none and standard input is the terminal", {
    timeout: 180_000,
  }, async () => {
    const r = await queryOnPty(80, []);
    expect(r.code).toBe(2);
    expect(r.lines.join("\n")).toContain("no query given");
  });

  it("never cuts a value with --wide", { timeout: 180_000 }, async () => {
    const lines = tableLines((await queryOnPty(80, [LONG, "--wide"])).lines);
    const text = lines.join("\n");
    for (const v of values) expect(text).toContain(v.replace(/\s+/g, " "));
    expect(text).not.toContain("…");
  });

  it("run --wide shows a step's values uncut (and without it they fit 120 columns)", {
    timeout: 180_000,
  }, async () => {
    const runbook = path.join(path.dirname(logDir), "long.md");
    await writeFile(runbook, `---\ntitle: Long values\n---\n\n\`\`\`sql long\n${LONG}\n\`\`\`\n`);
    const args = [runbook, "--log-dir", logDir, "--from", FROM, "--to", TO, "--no-report"];
    const wide = await runMd([...args, "--wide"]);
    expect(wide.code, wide.stderr).toBe(0);
    for (const v of values) expect(wide.stdout).toContain(v.replace(/\s+/g, " "));
    const fitted = await runMd(args);
    const lines = tableLines(fitted.stdout.split("\n").map((l) => l.trimStart()));
    expect(lines.length).toBe(7);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(118);
    expect(fitted.stdout).toContain("…");
  });

  it("writes csv values' control characters as \\uXXXX on a terminal, and as they are into a pipe", {
    timeout: 180_000,
  }, async () => {
    // What a caller can put in a userAgent: a screen clear, a C1 CSI, a right-to-left override.
    const sql =
      "SELECT chr(27) || '[2J' AS esc, chr(155) || '31m' AS c1, chr(8238) || 'gpj.exe' AS bidi";
    const raw = /\u001b\[2J|[\u009b\u202e]/;
    const csv = (await queryOnPty(80, [sql, "--format", "csv"])).lines.join("\n");
    expect(csv).toContain("\\u001b[2J,\\u009b31m,\\u202egpj.exe");
    expect(csv).not.toMatch(raw);
    const json = (await queryOnPty(80, [sql, "--format", "json"])).lines.join("\n");
    expect(json).toContain('"c1":"\\u009b31m"');
    expect(json).not.toMatch(raw);
    const piped = await runMd(["query", sql, "--format", "csv", ...source()]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe("esc,c1,bidi\r\n\u001b[2J,\u009b31m,\u202egpj.exe\r\n");
  });

  it("aligns columns around CJK and emoji values", { timeout: 180_000 }, async () => {
    const sql = `SELECT name, n FROM (VALUES ('漢字テスト', 1), ('abc', 22), ('🔥x', 3), ('é', 4), ('${"漢".repeat(60)}', 5)) AS t(name, n)`;
    const lines = tableLines((await queryOnPty(80, [sql])).lines);
    expect(lines.length).toBe(9);
    // The 120-column value is cut to fit 80 columns, by display width.
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    expect(lines.join("\n")).toContain("漢字テスト");
    const borders = borderColumns(lines[0]!);
    expect(borders).toHaveLength(3);
    for (const l of lines) expect(borderColumns(l)).toEqual(borders);
  });
});
