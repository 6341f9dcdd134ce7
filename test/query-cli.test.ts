/**
 * `run-md query` and full-result outputs through the real binary: answers checked against counts
 * computed in JavaScript over the generated raw records, every format parsed back, standard input,
 * bad queries (exit 2, nothing written), `--output` atomicity (a timeout and Ctrl-C leave no
 * half-written file), masking in files, and `run --step --output`.
 */
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator } from "@run-md/aws-emulator";
import { generateLogs } from "@run-md/generator";
import { beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, runMd } from "./helpers.ts";
import { runMdHere } from "./in-process.ts";
import { field, text } from "./truth/published-answers.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

const FROM = "2026-01-01T00:00:00Z";
const TO = "2026-01-02T00:00:00Z";
const COUNT_SQL = "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname";

let dir: string;
let logDir: string;
let events: ReturnType<typeof readGenerated>;
/** eventName → number of events in the window: the truth every format is compared with. */
let truth: Map<string, number>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-query-"));
  logDir = path.join(dir, "logs");
  await generateLogs({
    outDir: logDir,
    start: new Date(FROM),
    end: new Date(TO),
    eventsPerDay: 1500,
    seed: "query-cli",
  });
  events = inWindow(readGenerated(logDir), new Date(FROM), new Date(TO));
  truth = new Map();
  for (const e of events) {
    const name = text(field(e, "eventName")) as string;
    truth.set(name, (truth.get(name) ?? 0) + 1);
  }
}, 120_000);

// Tests run the CLI in this process (test/in-process.ts), and the real binary where a process is
// the point: standard input, Ctrl-C. On a machine shared by many test runs a run can take tens of
// seconds, so tests have three minutes (nothing here is timed).

/**
 * `run-md query ...` over the generated logs, in a folder with no configuration or reports; in a
 * child process when there is standard input or `spawn` is set.
 */
function query(
  args: string[],
  opts: { input?: string; cwd?: string; spawn?: boolean } = {},
): ReturnType<typeof runMd> {
  const cwd = opts.cwd ?? path.join(dir, "cwd");
  mkdirSync(cwd, { recursive: true });
  const argv = ["query", ...args, "--log-dir", logDir, "--from", FROM, "--to", TO];
  if (opts.input === undefined && opts.spawn !== true) return runMdHere(argv, { cwd });
  return runMd(argv, { cwd, ...(opts.input === undefined ? {} : { input: opts.input }) });
}

/** RFC 4180 records (CRLF or LF line ends, quoted fields with doubled quotes and line breaks). */
function parseCsv(csv: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let fieldText = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        fieldText += '"';
        i++;
      } else if (c === '"') quoted = false;
      else fieldText += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(fieldText);
      fieldText = "";
    } else if (c === "\n" || (c === "\r" && csv[i + 1] === "\n")) {
      if (c === "\r") i++;
      record.push(fieldText);
      records.push(record);
      record = [];
      fieldText = "";
    } else fieldText += c;
  }
  if (fieldText !== "" || record.length > 0) records.push([...record, fieldText]);
  return records;
}

function countsOf(rows: Array<[unknown, unknown]>): Map<string, number> {
  return new Map(rows.map(([k, n]) => [String(k), Number(n)]));
}

/** Files in `folder` that are temporary outputs (`.<name>.<pid>.<random>.tmp`). */
async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f.endsWith(".tmp"));
}

describe("run-md query: answers in every format", { timeout: 180_000 }, () => {
  it("prints a table whose rows are the counts computed from the raw records", async () => {
    const r = await query([COUNT_SQL]);
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    const rows = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("│"))
      .slice(1)
      .map(
        (l) =>
          l
            .split("│")
            .slice(1, 3)
            .map((c) => c.trim()) as [string, string],
      );
    expect(countsOf(rows)).toEqual(truth);
    expect(r.stderr).toContain(`${truth.size} rows`);
  });

  it("writes JSON, NDJSON and CSV that parse back to the same counts", async () => {
    const out = path.join(dir, "out");
    mkdirSync(out, { recursive: true });
    for (const file of ["counts.json", "counts.ndjson", "counts.csv"]) {
      const r = await query([COUNT_SQL, "--output", path.join(out, file)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`${truth.size} rows written to`);
    }
    const json = JSON.parse(await readFile(path.join(out, "counts.json"), "utf8")) as Array<{
      eventname: string;
      n: number;
    }>;
    expect(countsOf(json.map((o) => [o.eventname, o.n]))).toEqual(truth);
    const ndjson = (await readFile(path.join(out, "counts.ndjson"), "utf8"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { eventname: string; n: number });
    expect(countsOf(ndjson.map((o) => [o.eventname, o.n]))).toEqual(truth);
    const [header, ...csv] = parseCsv(await readFile(path.join(out, "counts.csv"), "utf8"));
    expect(header).toEqual(["eventname", "n"]);
    expect(countsOf(csv.map((r) => [r[0], r[1]]))).toEqual(truth);
    expect(await leftovers(out)).toEqual([]);
  });

  it("streams the whole result to standard output, far past the report's 100 rows", async () => {
    const r = await query(["SELECT eventid FROM cloudtrail_logs", "--format", "ndjson"]);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { eventid: string }).eventid);
    expect(events.length).toBeGreaterThan(1000);
    expect(ids.sort()).toEqual(events.map((e) => text(field(e, "eventID"))).sort());
  });

  it("a reader of both outputs that goes away (2>&1 | head -1): no crash (the crash's exit 1)", async () => {
    const p = query(["SELECT eventid FROM cloudtrail_logs", "--format", "ndjson"], {
      spawn: true,
    });
    // The first line read, the reader leaves: later writes to either stream meet a closed pipe.
    p.child!.stdout!.once("data", () => {
      p.child!.stdout!.destroy();
      p.child!.stderr!.destroy();
    });
    const r = await p;
    // 0 when every row fit in the pipe before it closed, 2 (output-closed) when one did not.
    expect([0, 2]).toContain(r.code);
  });

  it("runs Logs Insights with --insights, with the same counts", async () => {
    const r = await query(["--insights", "stats count(*) as n by eventName", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ eventName: string; n: number }>;
    expect(countsOf(rows.map((o) => [o.eventName, o.n]))).toEqual(truth);
  });

  it("places an engine's error at the query's own line (review: it named the runbook written around it)", async () => {
    // sum() of text refuses only once the engine reads a value.
    const r = await query(["--insights", "fields eventName\n| stats sum(eventName) as s"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error insights-unsupported: <query>:2:9: sum(eventName): ");
    // A field the files do not hold is found by the check, at the same place, before any run.
    const check = await query(["--insights", "fields eventName\n| fields @ingestionTime"]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(
      "<query>:2:10 error @ingestionTime is not available on the local engine",
    );
    expect(check.stderr).toContain("nothing was run");
  });

  it("reads the query from standard input and binds --param as a step's parameter", async () => {
    const r = await query(
      ["--param", "name=AssumeRole", "--param", "least:integer=1", "--format", "csv"],
      {
        input:
          "SELECT count(*) AS n\nFROM cloudtrail_logs\nWHERE eventname = {{name}}\nHAVING count(*) >= {{least}}\n",
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(parseCsv(r.stdout)).toEqual([["n"], [String(truth.get("AssumeRole"))]]);
  });
});

describe("run-md query on the AWS engines (through the emulator)", { timeout: 180_000 }, () => {
  it("runs SQL on --engine athena and Logs Insights on --engine logs, whole results to files", {
    timeout: 180_000,
  }, async () => {
    const emulator = await startEmulator({ logDir, tableAliases: ["security.cloudtrail_logs_pp"] });
    try {
      const cwd = await mkdtemp(path.join(dir, "aws-"));
      const env = emulatorEnv(emulator.endpoint);
      const window = ["--from", FROM, "--to", TO];
      const athena = await runMdHere(
        ["query", COUNT_SQL, "--engine", "athena", ...window, "--output", "athena.ndjson"],
        { cwd, env },
      );
      expect(athena.code, athena.stderr).toBe(0);
      expect(athena.stderr).toContain("athena ·");
      const logs = await runMdHere(
        [
          "query",
          "--insights",
          "stats count(*) as n by eventName",
          "--engine",
          "logs",
          ...window,
          "--output",
          "logs.csv",
        ],
        { cwd, env },
      );
      expect(logs.code, logs.stderr).toBe(0);
      const fromAthena = (await readFile(path.join(cwd, "athena.ndjson"), "utf8"))
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as { eventname: string; n: number });
      expect(countsOf(fromAthena.map((o) => [o.eventname, o.n]))).toEqual(truth);
      const [header, ...rows] = parseCsv(await readFile(path.join(cwd, "logs.csv"), "utf8"));
      expect(header).toEqual(["eventName", "n"]);
      expect(countsOf(rows.map((r) => [r[0], r[1]]))).toEqual(truth);
    } finally {
      await emulator.close();
    }
  });
});

describe("run-md query: CSV, JSON and masking of awkward values", { timeout: 180_000 }, () => {
  const AWKWARD = `SELECT 'a,b' AS comma, 'say "hi"' AS quote, 'l1' || chr(10) || 'l2' AS newline,
    ARRAY[1, 2] AS arr, MAP(ARRAY['k'], ARRAY['v']) AS m, CAST(NULL AS varchar) AS z, ' x' AS lead,
    'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' AS leaked
    FROM cloudtrail_logs LIMIT 1`;

  it("quotes per RFC 4180, writes nested values as JSON text and masks secrets", async () => {
    const file = path.join(dir, "awkward.csv");
    const r = await query([AWKWARD, "--output", file]);
    expect(r.code, r.stderr).toBe(0);
    const raw = await readFile(file, "utf8");
    expect(raw).not.toContain("wJalrXUtnFEMI");
    expect(parseCsv(raw)).toEqual([
      ["comma", "quote", "newline", "arr", "m", "z", "lead", "leaked"],
      [
        "a,b",
        'say "hi"',
        "l1\nl2",
        "[1,2]",
        '{"k":"v"}',
        "",
        " x",
        expect.stringMatching(/^aws_secret_access_key=\*+$/),
      ],
    ]);
  });

  it("keeps JSON types in JSON and NDJSON", async () => {
    const r = await query([AWKWARD, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({
      comma: "a,b",
      newline: "l1\nl2",
      arr: [1, 2],
      m: { k: "v" },
      z: null,
    });
    expect(r.stdout).not.toContain("wJalrXUtnFEMI");
  });
});

describe("run-md query: bad input", { timeout: 180_000 }, () => {
  const cases: Array<[string, string[], string | undefined, RegExp]> = [
    ["an empty query", [""], undefined, /the query \(<query>\) is empty/],
    [
      "a syntax error",
      ["SELEC eventname FROM cloudtrail_logs"],
      undefined,
      /<query>:1:1 error .*\[sql-syntax\]/,
    ],
    [
      "an unknown table",
      ["SELECT 1 FROM secrets"],
      undefined,
      /<query>:1:15 error table "secrets" is not readable/,
    ],
    [
      "an unknown column",
      ["SELECT nope FROM cloudtrail_logs"],
      undefined,
      /<query>:1:8 error .*nope/,
    ],
    [
      "an undeclared parameter",
      ["SELECT {{who}} AS w FROM cloudtrail_logs"],
      undefined,
      /<query>:1:8 error undeclared parameter "who".*--param who=value/,
    ],
    [
      "Insights syntax",
      ["--insights", "stats count( by"],
      undefined,
      /<query>:1:\d+ error .*\[insights-syntax\]/,
    ],
    ["a syntax error on standard input", [], "SELECT\nFROM cloudtrail_logs", /<stdin>:2:1 error/],
    [
      "an engine that does not run the dialect",
      ["--engine", "logs", "SELECT 1 FROM cloudtrail_logs"],
      undefined,
      /--engine logs does not run SQL/,
    ],
  ];
  for (const [name, args, input, message] of cases) {
    it(`refuses ${name}: exit 2, a message, no output file and no report`, async () => {
      const cwd = await mkdtemp(path.join(dir, "bad-"));
      const file = path.join(cwd, "out.csv");
      const r = await query([...args, "--output", file], {
        cwd,
        ...(input === undefined ? {} : { input }),
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
      expect(await readdir(cwd)).toEqual([]); // no out.csv, no temporary file, no reports/
    });
  }
});

describe("run-md query: an empty window", { timeout: 180_000 }, () => {
  it("is no-data, exit 2, and the hint names the query's flag, not a runbook step's attribute", async () => {
    const cwd = await mkdtemp(path.join(dir, "empty-"));
    const argv = ["query", "SELECT count(*) AS n FROM cloudtrail_logs", "--log-dir", logDir];
    const r = await runMdHere([...argv, "--from", "2001-01-01", "--to", "2001-01-02"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error no-data");
    expect(r.stderr).toContain("add --allow-empty");
    expect(r.stderr).not.toContain("allow_empty");
  });
});

describe("--output is written whole or not at all", { timeout: 180_000 }, () => {
  const HUGE =
    "SELECT e.eventid, s.n, t.m FROM cloudtrail_logs e CROSS JOIN UNNEST(sequence(1, 1000)) AS s(n) CROSS JOIN UNNEST(sequence(1, 1000)) AS t(m)";

  it("leaves an existing FILE as it was when the query times out part-way", async () => {
    const folder = await mkdtemp(path.join(dir, "timeout-"));
    const file = path.join(folder, "rows.csv");
    await writeFile(file, "previous\n");
    const r = await query([HUGE, "--output", file, "--timeout", "3s"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("timeout");
    expect(r.stderr).toContain(`no file written: ${file} is left as it was`);
    expect(await readFile(file, "utf8")).toBe("previous\n");
    expect(await leftovers(folder)).toEqual([]);
  });

  it("writes nothing when Ctrl-C stops the query while rows are being written", async () => {
    const folder = await mkdtemp(path.join(dir, "sigint-"));
    const file = path.join(folder, "rows.ndjson");
    const run = query([HUGE, "--output", file, "--timeout", "5m"], { spawn: true });
    // Wait until the temporary file holds rows: the interrupt lands mid-write.
    let size = 0;
    for (let i = 0; i < 600 && size < 100_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [tmp] = await leftovers(folder);
      size =
        tmp === undefined
          ? 0
          : (await stat(path.join(folder, tmp)).catch(() => ({ size: 0 }))).size;
    }
    expect(size).toBeGreaterThanOrEqual(100_000);
    run.child?.kill("SIGINT");
    const r = await run;
    expect(r.code).toBe(130);
    expect(existsSync(file)).toBe(false);
    expect(await leftovers(folder)).toEqual([]);
  });
});

describe("run-md run --step --output", { timeout: 180_000 }, () => {
  it("writes one step's full result, and asks for --step on a runbook of several steps", async () => {
    const folder = await mkdtemp(path.join(dir, "run-"));
    const runbook = path.join(folder, "two.md");
    await writeFile(
      runbook,
      `---\ntitle: Two steps\n---\n\n\`\`\`sql counts\n${COUNT_SQL}\n\`\`\`\n\n\`\`\`sql ids\nSELECT eventid FROM cloudtrail_logs\n\`\`\`\n\n\`\`\`expect\nrows > 100\n\`\`\`\n`,
    );
    const base = [runbook, "--log-dir", logDir, "--from", FROM, "--to", TO, "--no-report"];
    const file = path.join(folder, "ids.csv");
    const refused = await runMdHere([...base, "--output", file], { cwd: folder });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("say which with --step");
    expect(refused.stderr).toContain("Steps: counts, ids.");
    const noFile = await runMdHere([...base, "--step", "ids", "--format", "csv"], { cwd: folder });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("needs --output FILE");

    const r = await runMdHere([...base, "--step", "ids", "--format", "csv", "--output", file], {
      cwd: folder,
    });
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = parseCsv(await readFile(file, "utf8"));
    expect(header).toEqual(["eventid"]);
    expect(rows.map((row) => row[0]).sort()).toEqual(
      events.map((e) => text(field(e, "eventID"))).sort(),
    );
  });
});
