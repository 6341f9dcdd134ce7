/**
 * Benchmark: the access layer's costs on the request path of `run-md serve`: audit appends
 * (each written and fsync'ed before it resolves, serialized; at once they share writes), `run-md
 * audit verify` over a large log, and token verification among many tokens. Targets: 800 appends
 * at once (the audit trail of the load test's 200 runs, four entries each) and 200 one by one,
 * each under 10 s; verify at least 50,000 entries a second;
 * a token verified in under 2 ms among 200; 10,000 rows (a hundred reports' first rows) masked
 * in under 1 s. Also printed: opening a 100,000-entry log. Run alone with `npm run bench -- access`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AuditLog,
  type Caller,
  maskRows,
  parseAccessConfig,
  TokenStore,
  verifyAuditFile,
} from "@run-md/access";
import { entryLine, GENESIS, sealEntry } from "../../packages/access/src/audit-entry.ts";
import { readLines, readTail } from "../../packages/access/src/lines.ts";

const APPENDS = 800;
const SEQUENTIAL = 200;
const VERIFY_ENTRIES = 100_000;
const TOKENS = 200;
const MASK_ROWS = 10_000;

/** Milliseconds to mask MASK_ROWS rows (an address, a struct's ARN, JSON text) for one caller. */
function masking(): number {
  const cfg = parseAccessConfig(
    {
      masking: [
        { groups: ["c"], columns: ["sourceipaddress", "useridentity.arn"], strategy: "partial" },
        { groups: ["c"], columns: ["requestparameters.bucketName"], strategy: "hash" },
      ],
    },
    "bench",
  );
  const rows = Array.from({ length: MASK_ROWS }, (_, i) => [
    `203.0.${i % 256}.${i % 199}`,
    { type: "IAMUser", arn: `arn:aws:iam::123456789012:user/u${i % 1000}` },
    `{"bucketName":"bucket-${i % 50}","key":"k${i}"}`,
    "GetObject",
  ]);
  const columns = ["sourceipaddress", "useridentity", "requestparameters", "eventname"];
  const caller: Caller = { user: "u", groups: ["c"], via: "oidc" };
  maskRows(cfg, caller, columns, rows.slice(0, 2000), "k".repeat(32)); // warm up the JIT
  const t0 = performance.now();
  maskRows(cfg, caller, columns, rows, "k".repeat(32));
  return performance.now() - t0;
}

/** Milliseconds for APPENDS appends made at once (group commits), and for SEQUENTIAL one by one. */
async function appends(dir: string): Promise<{ concurrentMs: number; sequentialMs: number }> {
  const log = await AuditLog.open(path.join(dir, "audit.log"));
  const entry = (i: number) => ({
    actor: "alice@example.com",
    groups: ["g"],
    action: "run.start",
    target: "audit-iam",
    details: { run: i },
  });
  let t0 = performance.now();
  await Promise.all(Array.from({ length: APPENDS }, (_, i) => log.append(entry(i))));
  const concurrentMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await log.append(entry(i));
  const sequentialMs = performance.now() - t0;
  await log.close();
  return { concurrentMs, sequentialMs };
}

async function verify(dir: string): Promise<{ verifyMs: number; openMs: number }> {
  const file = path.join(dir, "big.log");
  const lines: string[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= VERIFY_ENTRIES; i++) {
    const e = sealEntry(
      {
        actor: "alice@example.com",
        groups: ["security-leads"],
        action: "run.request",
        target: "audit-iam",
        details: { params: { user: "%" }, since: "24h" },
      },
      i,
      new Date(1_764_000_000_000 + i * 1000).toISOString(),
      prev,
    );
    prev = e.hash;
    lines.push(entryLine(e));
  }
  await writeFile(file, lines.join(""));
  const t0 = performance.now();
  const result = await verifyAuditFile(file);
  const ms = performance.now() - t0;
  if (!result.ok || result.entries !== VERIFY_ENTRIES)
    throw new Error(`verify: ${JSON.stringify(result)}`);
  const t1 = performance.now();
  const log = await AuditLog.open(file); // reads the tail only
  const openMs = performance.now() - t1;
  await log.close();
  return { verifyMs: ms, openMs };
}

/**
 * Milliseconds to read a file of two 40 MB lines forwards (verify, export) and its last line
 * backwards (opening the log): each piece is joined once, at its newline (joining at every
 * 64 KB chunk took 37 s). Target: under 4 s.
 */
async function longLines(dir: string): Promise<number> {
  const file = path.join(dir, "long-lines.txt");
  const huge = "x".repeat(40_000_000);
  await writeFile(file, `a\n${huge}\n${huge}`);
  const t0 = performance.now();
  let bytes = 0;
  for await (const l of readLines(file)) bytes += l.bytes.length;
  const tail = await readTail(file);
  if (bytes !== 80_000_001 || tail.last?.length !== 40_000_000)
    throw new Error("long lines misread");
  return performance.now() - t0;
}

async function tokens(dir: string): Promise<number> {
  const store = new TokenStore(path.join(dir, "tokens.json"));
  let last = "";
  for (let i = 0; i < TOKENS; i++)
    last = (await store.create({ name: `t${i}`, groups: ["g"] })).token;
  await store.verify(last); // loads the file once
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (!(await store.verify(last)).ok) throw new Error("token refused");
  return (performance.now() - t0) / n;
}

export async function benchAccess(): Promise<boolean> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-bench-access-"));
  try {
    const { concurrentMs: appendMs, sequentialMs } = await appends(dir);
    const { verifyMs, openMs } = await verify(dir);
    const tokenMs = await tokens(dir);
    const maskMs = masking();
    const longMs = await longLines(dir);
    const perSecond = (VERIFY_ENTRIES / verifyMs) * 1000;
    const checks = [
      [appendMs < 10_000, `${APPENDS} audit appends at once under 10 s`],
      [sequentialMs < 10_000, `${SEQUENTIAL} audit appends one by one under 10 s`],
      [perSecond >= 50_000, "audit verify at least 50,000 entries a second"],
      [tokenMs < 2, `a token verified in under 2 ms among ${TOKENS}`],
      [maskMs < 1000, `${MASK_ROWS} rows masked under 1 s`],
      [longMs < 4000, "two 40 MB audit lines read forwards and backwards under 4 s"],
    ] as const;
    console.log("access layer (@run-md/access)");
    console.log(
      `  audit appends      ${APPENDS} at once in ${appendMs.toFixed(0)} ms (${((APPENDS / appendMs) * 1000).toFixed(0)}/s, group commits)`,
    );
    console.log(
      `  audit appends      ${SEQUENTIAL} one by one in ${sequentialMs.toFixed(0)} ms (${((SEQUENTIAL / sequentialMs) * 1000).toFixed(0)}/s, a write and an fsync each)`,
    );
    console.log(
      `  audit verify       ${VERIFY_ENTRIES} entries in ${verifyMs.toFixed(0)} ms (${perSecond.toFixed(0)}/s)`,
    );
    console.log(
      `  token verify       ${(tokenMs * 1000).toFixed(0)} µs each among ${TOKENS} tokens`,
    );
    console.log(
      `  masking            ${MASK_ROWS} rows in ${maskMs.toFixed(0)} ms (partial address and ARN, keyed hash in JSON text)`,
    );
    console.log(
      `  audit open         ${openMs.toFixed(1)} ms on ${VERIFY_ENTRIES} entries (the tail only)`,
    );
    console.log(
      `  long lines         two of 40 MB read in ${longMs.toFixed(0)} ms (forwards, then the last backwards)`,
    );
    for (const [ok, what] of checks) console.log(`  ${ok ? "✓" : "✗"} ${what}`);
    return checks.every(([ok]) => ok);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAccess();
