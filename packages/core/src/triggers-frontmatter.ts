/**
 * `triggers:` in the front matter (spec §8): each entry's pattern (the EventBridge grammar),
 * parameter JSON paths and window, validated with a diagnostic at the offending YAML node.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import { type DiagnosticSink, didYouMean, RULES, type Rule } from "./diagnostics.ts";
import { validatePattern } from "./event-pattern.ts";
import type { ParamDecl, Position, Trigger } from "./model.ts";
import { DEFAULT_TRIGGER_WINDOW, parseJsonPath } from "./triggers.ts";
import { parseDuration } from "./units.ts";
import { MAX_WINDOW_MS } from "./window.ts";

export const TRIGGER_KEYS = ["pattern", "params", "window"] as const;
export const TRIGGER_WINDOW_KEYS = ["before", "after"] as const;

/** Reports a problem at a YAML node of the front matter. */
export type At = (node: unknown, rule: Rule, message: string) => void;
/** The file position of a YAML node of the front matter. */
export type Pos = (node: unknown) => Position;

/** A parameter a trigger maps, valid trigger or not: `check` says when it is undeclared. */
export interface MappedParam {
  name: string;
  position: Position;
}

/**
 * The valid entries of `triggers:`; problems go to `at`, and every mapped parameter name (of
 * valid and invalid entries alike) to `mapped`.
 */
export function readTriggers(
  value: Node | null,
  keyNode: unknown,
  at: At,
  pos: Pos,
  mapped: MappedParam[] = [],
): Trigger[] {
  if (!isSeq(value)) {
    at(
      value ?? keyNode,
      RULES.invalidType,
      '"triggers" must be a list of { pattern, params, window }',
    );
    return [];
  }
  const triggers: Trigger[] = [];
  for (const item of value.items) {
    const trigger = readTrigger(item as Node, at, pos, mapped);
    if (trigger) triggers.push(trigger);
  }
  return triggers;
}

function readTrigger(item: Node, at: At, pos: Pos, mapped: MappedParam[]): Trigger | undefined {
  if (!isMap(item)) {
    at(item, RULES.invalidType, "a trigger must be a mapping with a pattern:");
    return undefined;
  }
  let ok = true;
  const trigger: Trigger = { pattern: {}, params: {}, position: pos(item) };
  let sawPattern = false;
  for (const pair of item.items as Pair<unknown, unknown>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const node = pair.value as Node | null;
    if (key === "pattern") {
      sawPattern = true;
      ok = readPattern(node ?? (pair.key as Node), trigger, at) && ok;
    } else if (key === "params") {
      ok = readParamPaths(node, pair.key, trigger, at) && ok;
      if (isMap(node)) {
        for (const p of node.items as Pair<unknown, unknown>[]) {
          if (isScalar(p.key)) mapped.push({ name: String(p.key.value), position: pos(p.key) });
        }
      }
    } else if (key === "window") {
      ok = readWindow(node, pair.key, trigger, at) && ok;
    } else {
      at(
        pair.key,
        RULES.unknownKey,
        `unknown key "${key}" in a trigger${didYouMean(key, TRIGGER_KEYS)}`,
      );
      ok = false;
    }
  }
  if (!sawPattern) {
    at(item, RULES.missingKey, 'a trigger needs a "pattern:" (an EventBridge event pattern)');
    return undefined;
  }
  return ok ? trigger : undefined;
}

function readPattern(node: Node, trigger: Trigger, at: At): boolean {
  const json = (node as { toJSON?: () => unknown }).toJSON?.() ?? null;
  const problems = validatePattern(json);
  for (const problem of problems) {
    const target =
      problem.path.length > 0 && isMap(node)
        ? ((node as YAMLMap).getIn(problem.path as unknown[], true) ?? node)
        : node;
    at(target, RULES.invalidPattern, `invalid event pattern: ${problem.message}`);
  }
  if (problems.length === 0) trigger.pattern = json as Record<string, unknown>;
  return problems.length === 0;
}

function readParamPaths(node: Node | null, keyNode: unknown, trigger: Trigger, at: At): boolean {
  if (!isMap(node)) {
    at(
      node ?? keyNode,
      RULES.invalidType,
      'a trigger\'s "params" maps parameter names to JSON paths',
    );
    return false;
  }
  let ok = true;
  for (const pair of node.items as Pair<unknown, unknown>[]) {
    const name = isScalar(pair.key) ? String(pair.key.value) : "";
    const v = pair.value;
    const text = isScalar(v) && typeof v.value === "string" ? v.value : undefined;
    const parsed =
      text === undefined ? "a JSON path is a string such as $.detail.id" : parseJsonPath(text);
    if (typeof parsed === "string") {
      at(v ?? pair.key, RULES.invalidJsonPath, `parameter "${name}": ${parsed}`);
      ok = false;
      continue;
    }
    trigger.params[name] = text!;
  }
  return ok;
}

function readWindow(node: Node | null, keyNode: unknown, trigger: Trigger, at: At): boolean {
  if (!isMap(node)) {
    at(node ?? keyNode, RULES.invalidType, 'a trigger\'s "window" is { before: 7d, after: 1h }');
    return false;
  }
  let ok = true;
  const window: NonNullable<Trigger["window"]> = {};
  for (const pair of node.items as Pair<unknown, unknown>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const v = pair.value;
    if (key !== "before" && key !== "after") {
      at(
        pair.key,
        RULES.unknownKey,
        `unknown key "${key}" in a trigger's window: use before and after`,
      );
      ok = false;
    } else if (isScalar(v) && typeof v.value === "string" && parseDuration(v.value) !== undefined) {
      window[key] = v.value.trim();
    } else {
      at(
        v ?? pair.key,
        RULES.invalidValue,
        `the window's "${key}" must be a duration such as 1h or 7d`,
      );
      ok = false;
    }
  }
  trigger.window = window;
  // Every run such a trigger starts is refused (bad-window), naming --from and --to.
  const before = window.before ?? DEFAULT_TRIGGER_WINDOW.before;
  const after = window.after ?? DEFAULT_TRIGGER_WINDOW.after;
  if (ok && parseDuration(before)! + parseDuration(after)! > MAX_WINDOW_MS) {
    at(
      node,
      RULES.invalidValue,
      `a trigger's window (${before} before, ${after} after) is longer than 100 years (CloudTrail began in 2013, and every run it starts refuses it)`,
    );
    ok = false;
  }
  return ok;
}

/** Every parameter a trigger maps must be declared under `params:`. */
export function checkTriggerParams(
  mapped: readonly MappedParam[],
  declared: ReadonlySet<string>,
  sink: DiagnosticSink,
): void {
  for (const { name, position } of mapped) {
    if (declared.has(name)) continue;
    sink.error(
      RULES.undeclaredParam,
      position.line,
      position.column,
      `trigger parameter "${name}" is not declared${didYouMean(name, [...declared])}: declare it under params: in the front matter`,
    );
  }
}

/**
 * A warning at each trigger that gives no value to a parameter without a default: the runs it
 * starts error (`missing-param`) when the event comes, unless the configuration gives one
 * (`params.<id>.<name>`, which the front matter cannot see: a warning, not an error).
 */
export function warnUnmappedRequired(
  triggers: readonly Trigger[],
  params: Readonly<Record<string, ParamDecl>>,
  sink: DiagnosticSink,
): void {
  const required = Object.values(params).filter((d) => d.default === undefined);
  // Named by its line, not by a number: the triggers here are the valid ones only (a number
  // counted among them named the wrong trigger after an invalid one).
  for (const trigger of triggers) {
    for (const decl of required) {
      if (Object.hasOwn(trigger.params, decl.name)) continue;
      sink.warning(
        RULES.triggerUnmappedParam,
        trigger.position.line,
        trigger.position.column,
        `this trigger gives no value to parameter "${decl.name}", which has no default: every run it starts errors (missing-param) unless run-md.config.yaml sets params.<runbook id>.${decl.name}; map it from the event under this trigger's params: (a JSON path such as $.detail.resource.accessKeyDetails.userName) or give it a default`,
      );
    }
  }
}
