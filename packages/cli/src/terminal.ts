import {
  type CheckOutcome,
  escalates,
  formatBytes,
  isoInstant,
  isUnjudged,
  ownWindowNote,
  printable,
  printableLines,
  type RunReport,
  type RunReporter,
  type Step,
  type StepReport,
  stepWarnings,
  unjudgedPasses,
} from "@run-md/core";
import ora, { type Ora } from "ora";
import pc from "picocolors";
import { docRefs } from "./package-files.ts";
import { rowsTable } from "./table.ts";

export { fitWidths, rowsTable } from "./table.ts";

export interface TerminalOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Live spinners; off when not a TTY or when CI is set. */
  live: boolean;
  quiet: boolean;
  /** Rows of each step shown as a table. */
  rows?: number;
  /** `--wide`: tables never cut a value (they may be wider than the terminal). */
  wide?: boolean;
}

const MARK: Record<string, (s: string) => string> = {
  passed: (s) => pc.green(s),
  warned: (s) => pc.yellow(s),
  failed: (s) => pc.red(s),
  errored: (s) => pc.red(s),
  skipped: (s) => pc.dim(s),
  cancelled: (s) => pc.yellow(s),
};
const SYMBOL: Record<string, string> = {
  passed: "✓",
  warned: "!",
  failed: "✗",
  errored: "✗",
  skipped: "-",
  cancelled: "■",
};

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function checkLine(c: CheckOutcome, step: StepReport): string {
  // The runbook's own text (a label, the check) is printed as safely as the logs' values.
  const label = c.label ? pc.dim(` — ${printable(c.label)}`) : "";
  // A pass in a step that errored (a file not read, a result capped) judged part of the data:
  // never a ✓ (the site shows it as not judged too).
  if (isUnjudged(step, c))
    return `  ${pc.dim("?")} ${printable(c.check)}${label}  ${pc.dim(`(not judged: the step errored; ${printable(c.message)})`)}`;
  // The message quotes values from the logs (`actual 'x'`): never acted on by the terminal.
  // An errored check says so, and where it is: its mark is a failed check's.
  const errored = c.status === "errored" ? `errored at line ${c.line}: ` : "";
  const message = pc.dim(`(${errored}${printable(c.message)})`);
  return `  ${MARK[c.status]!(SYMBOL[c.status]!)} ${printable(c.check)}${label}  ${message}`;
}

export function statsText(s: StepReport): string {
  const parts: string[] = [];
  const st = s.stats;
  const bytes = st.dataScannedBytes ?? st.bytesScanned ?? st.bytesRead;
  if (typeof bytes === "number") parts.push(`${formatBytes(bytes)} scanned`);
  // Athena's check that the window holds events, billed with the step (its cost includes it).
  if (typeof st.windowProbeBytes === "number")
    parts.push(`${formatBytes(st.windowProbeBytes)} by the window check`);
  if (typeof st.recordsScanned === "number") parts.push(`${st.recordsScanned} records scanned`);
  if (typeof st.costUsd === "number") {
    const c = st.costUsd;
    parts.push(c === 0 ? "$0" : c < 0.01 ? `$${c.toPrecision(2)}` : `$${c.toFixed(2)}`);
  }
  return parts.join(", ");
}

/** The terminal reporter: what a person running `run-md` sees. */
export class TerminalReporter implements RunReporter {
  private spinner: Ora | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stepStarted = 0;
  private stepLabel = "";
  private progress = "";
  /** The run's window, as reports write it: a step with another (`window=`) shows its own. */
  /** The run's window as the header shows it (its bounds as reports write them). */
  private runWindow: { start: string; end: string } | undefined;

  constructor(private readonly o: TerminalOptions) {}

  /** The terminal's width; 120 when the output is not a terminal or does not say (0 columns). */
  private width(): number {
    return this.o.out.columns || 120;
  }

  /**
   * Spinners need a terminal that reports its width: with 0 columns ora counts every line as
   * infinitely many, and clearing them floods the terminal and blocks the process (even SIGTERM).
   */
  private spinning(): boolean {
    return this.o.live && (this.o.out.columns ?? 0) > 0;
  }

  private print(line = ""): void {
    this.o.out.write(`${line}\n`);
  }

  onRunStart({ runbook, window }: Parameters<NonNullable<RunReporter["onRunStart"]>>[0]): void {
    this.runWindow = { start: isoInstant(window.start), end: isoInstant(window.end) };
    if (this.o.quiet) return;
    const m = runbook.meta;
    const where = printable(`${runbook.path} · severity ${m.severity}`);
    this.print(`${pc.bold(printable(m.title))}  ${pc.dim(where)}`);
    if (m.description) this.print(pc.dim(printable(m.description.trim().replace(/\s+/g, " "))));
    this.print(pc.dim(`window ${this.runWindow.start} → ${this.runWindow.end} (${window.source})`));
    this.print();
  }

  onStepStart({ step, engine }: { step: Step; engine: string }): void {
    if (this.o.quiet) return;
    this.stepStarted = Date.now();
    this.stepLabel = `${printable(step.title ?? step.id)} ${pc.dim(`[${step.id} · ${engine}]`)}`;
    this.progress = "";
    if (!this.spinning()) {
      // Plain output (CI, pipes): say what is running, so a long step is not a silent one.
      this.print(`${pc.dim("…")} ${this.stepLabel}`);
    } else {
      this.spinner = ora({
        text: this.stepLabel,
        stream: this.o.out,
        discardStdin: false,
        // ora colours through chalk, which does not read NO_COLOR; picocolors does.
        color: pc.isColorSupported ? "cyan" : false,
      }).start();
      this.ticker = setInterval(() => {
        if (this.spinner) {
          const extra = this.progress ? pc.dim(` ${this.progress}`) : "";
          this.spinner.text = `${this.stepLabel} ${pc.dim(seconds(Date.now() - this.stepStarted))}${extra}`;
        }
      }, 100);
    }
  }

  onStepProgress({ message }: { step: Step; message: string }): void {
    this.progress = message;
  }

  onStepEnd({ report }: { step: Step; report: StepReport }): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.o.quiet) return;
    const mark = MARK[report.status]!(SYMBOL[report.status]!);
    const stats = statsText(report);
    const line = `${mark} ${this.stepLabel} ${pc.dim(seconds(report.durationMs))}${stats ? pc.dim(` · ${stats}`) : ""}`;
    if (this.spinner) {
      this.spinner.stopAndPersist({ symbol: "", text: line.slice(0) });
      this.spinner = undefined;
    } else {
      this.print(line);
    }
    if (report.error) {
      // An engine's message may quote a value from the logs (DuckDB's cast errors do).
      this.print(`  ${pc.red(report.error.code)}: ${printable(report.error.message)}`);
      if (report.error.hint)
        this.print(`  ${pc.dim(`hint: ${docRefs(printable(report.error.hint))}`)}`);
    }
    const own = this.runWindow && ownWindowNote(this.runWindow, report.window);
    if (own) this.print(`  ${pc.yellow("!")} ${pc.yellow(own)}`);
    for (const w of report.warnings) this.print(`  ${pc.yellow("!")} ${pc.yellow(printable(w))}`);
    if (report.columns.length > 0 && report.error === undefined) {
      const n = this.o.rows ?? 5;
      const shown = report.rows.slice(0, n);
      if (shown.length > 0) {
        const table = rowsTable(
          report.columns.map((c) => c.name),
          shown,
          this.width() - 2,
          { wide: this.o.wide === true },
        );
        this.print(table.replace(/^/gm, "  "));
      }
      const more = report.rowCount > shown.length ? `, first ${shown.length} shown` : "";
      this.print(pc.dim(`  ${report.rowCount} row${report.rowCount === 1 ? "" : "s"}${more}`));
    }
    for (const c of report.checks) {
      this.print(checkLine(c, report));
      if (c.offendingRows?.length) {
        const cols = Object.keys(c.offendingRows[0] ?? {});
        const rows = c.offendingRows.slice(0, 5).map((o) => cols.map((k) => o[k] ?? null));
        this.print(
          rowsTable(cols, rows, this.width() - 6, { wide: this.o.wide === true }).replace(
            /^/gm,
            "      ",
          ),
        );
        if ((c.offendingCount ?? 0) > rows.length) {
          this.print(
            pc.dim(`      … ${(c.offendingCount ?? 0) - rows.length} more offending rows`),
          );
        }
      }
    }
    this.print();
  }

  onRunEnd(report: RunReport): void {
    if (this.ticker) clearInterval(this.ticker);
    this.spinner?.stop();
    // Escalate what the runbook found, not a failure of the tool: only when a check failed the
    // run (an optional step's failure only warns it).
    if (!this.o.quiet && escalates(report)) {
      if (report.runbook.escalation) {
        this.print(
          pc.bold(pc.red("Escalation: ")) + printableLines(report.runbook.escalation.trim()),
        );
        this.print();
      }
    }
  }
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Why an errored run errored: its own error (it stopped before its first step), else the first
 * errored step's (`step bad: column "x" not found [local-query]`), or, for a step errored only
 * by a check, that check with its place and its error (`step bad: check max(x) < 5
 * (runbooks/x.md:14): column "x" is not in the result`); nothing for other runs.
 */
function errorOf(report: RunReport): string {
  if (report.error) return `${printable(report.error.message)} [${report.error.code}]`;
  if (report.status !== "errored") return "";
  const step = report.steps.find(
    (s) => s.status === "errored" && (s.error || s.checks.some((c) => c.status === "errored")),
  );
  if (step?.error) return `step ${step.id}: ${printable(step.error.message)} [${step.error.code}]`;
  const check = step?.checks.find((c) => c.status === "errored");
  if (!step || !check) return "";
  const at = printable(`${report.runbook.path}:${check.line}`);
  return `step ${step.id}: check ${printable(check.check)} (${at}): ${printable(check.message)}`;
}

/**
 * The line after several runbooks' summaries: how many ran and how they ended, worst first, the
 * runbooks that did not pass named (`11 runbooks: 2 failed (audit-iam, kms-key-deletion), 9
 * passed`).
 */
export function totalLine(reports: RunReport[]): string {
  const order = ["errored", "cancelled", "failed", "warned", "passed"] as const;
  const parts = order.flatMap((status) => {
    const ids = reports.filter((r) => r.status === status).map((r) => printable(r.runbook.id));
    if (ids.length === 0) return [];
    if (status !== "passed") return [`${ids.length} ${status} (${ids.join(", ")})`];
    // A pass over steps that warned (days without logs, files not read) is named, not counted.
    const warned = reports
      .filter((r) => r.status === "passed" && stepWarnings(r) !== "")
      .map((r) => printable(r.runbook.id));
    return [
      `${ids.length} passed${warned.length ? ` (${warned.length} with step warnings: ${warned.join(", ")})` : ""}`,
    ];
  });
  const worst = order.find((s) => reports.some((r) => r.status === s)) ?? "passed";
  return `${MARK[worst]!(`${SYMBOL[worst]} ${count(reports.length, "runbook")}`)}: ${parts.join(", ")}`;
}

/**
 * What a run that passed or warned still says of its steps (a day of the window without a log
 * file, files not read, a window ending after the run): the first warning and how many more, so
 * the line `--quiet` prints alone is not a plain green over logs that were never read. A failed
 * or errored run's line already says to look.
 */
function greenWarnings(report: RunReport): string {
  if (report.status !== "passed" && report.status !== "warned") return "";
  const text = stepWarnings(report);
  return text === "" ? "" : pc.yellow(`⚠ ${printable(text)}`);
}

/** `✗ failed audit-iam: 3 steps · 4 checks: 1 passed, 3 failed · 1.3s · reports/...json` */
export function summaryLine(report: RunReport, reportFile?: string): string {
  const s = report.summary.steps;
  // The passes of steps that errored judged part of the data: counted apart, as not judged.
  const unjudged = unjudgedPasses(report.steps);
  const c = { ...report.summary.checks, passed: report.summary.checks.passed - unjudged };
  const total = c.passed + c.warned + c.failed + c.errored + unjudged;
  const outcomes = (["passed", "warned", "failed", "errored"] as const)
    .filter((k) => c[k] > 0 || k === "passed")
    .map((k) => `${c[k]} ${k}`)
    .concat(unjudged > 0 ? [`${unjudged} not judged`] : [])
    .join(", ");
  // An errored run says why; "no expectations" would read as if nothing were wrong.
  const checks =
    total > 0
      ? `${count(total, "check")}: ${outcomes}`
      : report.status === "errored"
        ? ""
        : "no expectations";
  const parts = [
    count(report.steps.length, "step"),
    checks,
    s.errored ? `${count(s.errored, "step")} errored` : "",
    s.cancelled ? `${count(s.cancelled, "step")} cancelled` : "",
    errorOf(report),
    greenWarnings(report),
    report.sampleData ? "bundled sample data" : "",
  ].filter(Boolean);
  const mark = MARK[report.status]!(`${SYMBOL[report.status]} ${report.status}`);
  return `${mark} ${report.runbook.id}: ${parts.join(" · ")} · ${seconds(report.durationMs)}${reportFile ? pc.dim(` · ${reportFile}`) : ""}`;
}
