/**
 * Reading the `access:` configuration section with errors that name the key path
 * (`access.rules[2].allow[1]`) and the file. Every check throws a `RunMdError` (exit 2).
 */
import { type ConfigSource, didYouMean, RunMdError, sourceAt } from "@run-md/core";

export class ConfigReader {
  constructor(readonly source: ConfigSource) {}

  fail(path: string, message: string): never {
    throw new RunMdError("config-invalid", `${sourceAt(this.source, path)}: ${path}: ${message}`);
  }

  object(path: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
    if (v === null || typeof v !== "object" || Array.isArray(v))
      this.fail(path, `expected a mapping, got ${kindOf(v)}`);
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!keys.includes(key))
        this.fail(
          `${path}.${key}`,
          `unknown key "${key}"${didYouMean(key, keys)}: expected ${keys.join(", ")}`,
        );
    }
    return o;
  }

  list(path: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected a list, got ${kindOf(v)}`);
    return v;
  }

  /** A list of non-empty strings; `nonEmpty` refuses `[]` (a rule for no group is a mistake). */
  strings(path: string, v: unknown, nonEmpty = false): string[] {
    const items = this.list(path, v);
    if (nonEmpty && items.length === 0) this.fail(path, "expected at least one entry");
    return items.map((item, i) => this.string(`${path}[${i}]`, item));
  }

  string(path: string, v: unknown): string {
    if (typeof v !== "string" || v.trim() === "")
      this.fail(path, `expected a non-empty string, got ${kindOf(v)}`);
    return v;
  }

  /** One of `allowed`, with a did-you-mean for a near miss. */
  oneOf<T extends string>(path: string, v: unknown, allowed: readonly T[], what: string): T {
    const s = this.string(path, v);
    if (!(allowed as readonly string[]).includes(s))
      this.fail(
        path,
        `unknown ${what} "${s}"${didYouMean(s, allowed)}: expected one of ${allowed.join(", ")}`,
      );
    return s as T;
  }
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") return v === "" ? "an empty string" : `"${v}"`;
  return typeof v === "object" ? "a mapping" : `${typeof v} ${String(v)}`;
}
