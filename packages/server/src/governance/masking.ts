/**
 * Masking per caller (spec §8): a step's rows, as a `step-end` event or a report's step carries
 * them, with `@run-md/access`'s `maskRows` applied for the caller's groups. Only copies are
 * masked: the stored report and the run's event log keep the raw values.
 */
import { type AccessConfig, type Caller, maskPlan, maskRecord, maskRows } from "@run-md/access";
import type { JsonValue } from "@run-md/core";
import type { RowsHook } from "../context.ts";

type Columns = ReadonlyArray<string | { name: string }>;

function maskChecks(
  cfg: AccessConfig,
  caller: Caller,
  checks: unknown,
  key: string | undefined,
): unknown {
  if (!Array.isArray(checks)) return checks;
  return checks.map((c: Record<string, unknown>) =>
    Array.isArray(c?.offendingRows)
      ? {
          ...c,
          offendingRows: (c.offendingRows as Record<string, JsonValue>[]).map((r) =>
            maskRecord(cfg, caller, r, key),
          ),
        }
      : c,
  );
}

/** The hook the server applies to every step's rows a caller receives. */
export function maskingHook(cfg: AccessConfig, key: string | undefined): RowsHook {
  return (caller, _runbook, data) => {
    if (maskPlan(cfg, caller).size === 0) return data;
    const out: Record<string, unknown> = { ...data };
    if (Array.isArray(data.columns) && Array.isArray(data.rows)) {
      out.rows = maskRows(cfg, caller, data.columns as Columns, data.rows as JsonValue[][], key);
    }
    if (data.checks !== undefined) out.checks = maskChecks(cfg, caller, data.checks, key);
    return out;
  };
}
