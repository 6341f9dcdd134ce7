export type * from "./ast.ts";
export {
  assertInsights,
  checkInsights,
  type InsightsCheckOptions,
  type InsightsProblem,
} from "./check.ts";
export {
  InsightsSyntaxError,
  InsightsUnsupportedError,
  insightsRefusal,
  positionAt,
} from "./errors.ts";
export { FUNCTION_NAMES, lookupFunction } from "./functions.ts";
export { renderInsightsLiteral, renderInsightsQuery } from "./literal.ts";
export { numericColumns } from "./numeric-columns.ts";
export { parseInsights } from "./parser.ts";
export {
  type InsightsRegexLiteral,
  insightsParamPattern,
  insightsRegexLiterals,
} from "./patterns.ts";
export { regexProblem } from "./regex.ts";
export { type ServiceOnlyUse, serviceOnlyUses } from "./service-only.ts";
export {
  type InsightsTranslation,
  type TranslateOptions,
  translateInsights,
} from "./translate.ts";
