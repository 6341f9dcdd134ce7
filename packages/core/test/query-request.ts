/**
 * The request a runner would send an engine for one step, for engine tests (engine-local,
 * engine-athena, engine-logs, the emulator): no parameters, `{optional: false}` attributes, a
 * signal nobody aborts. `extra` sets anything else (stepId, params, attributes, signal, onRows).
 */
import type { Dialect, QueryRequest, TimeWindow } from "../src/index.ts";

export function queryRequest(
  dialect: Dialect,
  query: string,
  window: TimeWindow,
  extra: Partial<QueryRequest> = {},
): QueryRequest {
  return {
    stepId: "s",
    dialect,
    query,
    params: {},
    window,
    attributes: { optional: false },
    signal: new AbortController().signal,
    ...extra,
  };
}
