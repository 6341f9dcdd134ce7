/**
 * What a step keeps of its result while the engine streams it: the first rows for the report
 * (masked; 100, and REPORT_BYTES at most), the row count, and its checks' running figures (evaluate.ts). However many rows the
 * query returns, memory holds one chunk at a time, so a 20M-row result costs what 2,048 rows do.
 */
import type { ColumnInfo, JsonValue, QueryResult, RowChunk } from "./engine.ts";
import { CheckEvaluator } from "./evaluate.ts";
import { type MaskOptions, maskText, maskValue } from "./mask.ts";
import type { Check } from "./model.ts";
import type { CheckOutcome } from "./report.ts";

/**
 * What the report's first rows may hold in all (valueBytes): 25 rows of 20 MB values took 495 MB
 * of the server's heap (100 rows of 32 MB, 3.2 GB a query, answered and written as one JSON text). A SELECT *
 * of CloudTrail events needs 1.5 KB a row (bench-data; 7.7 KB at most in the shared data sets);
 * an event is at most 256 KB. The rows that do not fit are counted and checked, not kept
 * (`truncated`).
 */
export const REPORT_BYTES = 16 * 2 ** 20;

/** About the bytes a value takes in memory or on a wire: a character, a number or a key each one. */
export function valueBytes(v: unknown): number {
  if (typeof v === "string") return v.length + 8;
  if (Array.isArray(v)) {
    let n = 8;
    for (const x of v) n += valueBytes(x);
    return n;
  }
  if (v !== null && typeof v === "object") {
    let n = 8;
    for (const [k, x] of Object.entries(v)) n += k.length + valueBytes(x);
    return n;
  }
  return 8;
}

/** A consumer of every (masked) row of a step, for outputs that want the whole result. */
export type RowSink = (chunk: RowChunk) => void | Promise<void>;

export class StepRows {
  /** The first `limit` rows, masked. */
  kept: JsonValue[][] = [];
  /** Rows seen so far. */
  count = 0;
  /** The kept rows' valueBytes; past REPORT_BYTES no row is kept any more. */
  private keptBytes = 0;
  private full = false;
  private evaluator: CheckEvaluator;

  constructor(
    private readonly checks: Check[],
    private readonly limit: number,
    private readonly sink?: RowSink,
    private readonly mask: MaskOptions = {},
  ) {
    this.evaluator = new CheckEvaluator(checks);
  }

  /**
   * The request's `rowsWanted`: whether `onRows` will read the next chunk's values (for the
   * checks, the sink or the report's first rows) or only count them.
   */
  readonly rowsWanted = (): boolean =>
    this.evaluator.readsValues || this.sink !== undefined || this.room() > 0;

  private room(): number {
    return this.full ? 0 : this.limit - this.kept.length;
  }

  /** The request's `onRows`: one chunk of the result, in order. */
  readonly onRows = async (chunk: RowChunk): Promise<void> => {
    if (chunk.restart === true) {
      this.kept = [];
      this.keptBytes = 0;
      this.full = false;
      this.count = 0;
      this.evaluator = new CheckEvaluator(this.checks);
    }
    const everyRow = this.evaluator.readsValues || this.sink !== undefined;
    const room = this.room();
    this.count += chunk.length;
    if (!everyRow && room <= 0) {
      // Only counted: no value of this chunk is converted.
      this.evaluator.add(chunk.columns, chunk.length);
      return;
    }
    const raw = chunk.rows();
    // Checks read the values as the engine gave them (masking five access key ids into one
    // would make `distinct(key) <= 1` hold); what is shown or handed on is masked: the kept rows,
    // the sink's, and the checks' offending rows and values (finish).
    const maskRow = (row: JsonValue[]) => row.map((v) => maskValue(v, this.mask)) as JsonValue[];
    const rows = this.sink !== undefined ? raw.map(maskRow) : raw.slice(0, room).map(maskRow);
    this.keep(rows.slice(0, Math.max(0, room)));
    this.evaluator.add(chunk.columns, chunk.length, everyRow ? raw : undefined);
    if (this.sink !== undefined) {
      await this.sink({
        columns: chunk.columns,
        length: rows.length,
        rows: () => rows,
        ...(chunk.restart === true ? { restart: true } : {}),
      });
    }
  };

  /** Keeps rows for the report while they fit in REPORT_BYTES. */
  private keep(rows: JsonValue[][]): void {
    for (const row of rows) {
      const size = valueBytes(row);
      if (this.keptBytes + size > REPORT_BYTES) {
        this.full = true;
        return;
      }
      this.keptBytes += size;
      this.kept.push(row);
    }
  }

  /** Ends the result: rows an engine returned instead of streaming are taken here. */
  async finish(result: QueryResult): Promise<{
    rows: JsonValue[][];
    rowCount: number;
    truncated: boolean;
    checks: CheckOutcome[];
  }> {
    if (result.rowCount === undefined && result.rows.length > 0) {
      const rows = result.rows;
      await this.onRows({ columns: result.columns, length: rows.length, rows: () => rows });
    }
    const columns: ColumnInfo[] = result.columns;
    return {
      rows: this.kept,
      rowCount: this.count,
      truncated: this.count > this.kept.length,
      checks: this.evaluator.finish(columns).map((c) => maskOutcome(c, this.mask)),
    };
  }
}

/** A check's outcome as it may be shown: its offending rows, value and message masked. */
function maskOutcome(c: CheckOutcome, mask: MaskOptions): CheckOutcome {
  const out: CheckOutcome = { ...c, message: maskText(c.message, mask) };
  if (typeof c.actual === "string") out.actual = maskText(c.actual, mask);
  if (c.offendingRows !== undefined) {
    out.offendingRows = c.offendingRows.map(
      (row) => maskValue(row, mask) as Record<string, JsonValue>,
    );
  }
  return out;
}
