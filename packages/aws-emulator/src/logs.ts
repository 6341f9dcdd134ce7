/**
 * CloudWatch Logs Insights operations (`Logs_20140328.*`): StartQuery, GetQueryResults, StopQuery.
 * Placeholder map until the Logs Insights work fills it in.
 */
import type { EmulatorContext, Handler } from "./context.ts";

export function logsHandlers(_ctx: EmulatorContext): Record<string, Handler> {
  return {};
}
