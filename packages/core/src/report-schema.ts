/**
 * The run report's published JSON Schema (`schema/run-report.schema.json`) and the check of a
 * value against it, with ajv. Readers of stored reports (`readReport`) rely on it: a report edited
 * by hand, cut short or written by another tool is named with its first failing path.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import schema from "../schema/run-report.schema.json" with { type: "json" };

export const runReportSchema: Readonly<Record<string, unknown>> = schema;

let validator: Promise<ValidateFunction> | undefined;

/**
 * The compiled schema. Loaded and compiled on first use (0.1 to 0.7 s to load ajv and 0.2 to
 * 1 s to compile on the project's shared 2-core machine; then about 0.4 ms a report), so a
 * command that reads no stored report never pays it.
 */
function validatorOf(): Promise<ValidateFunction> {
  validator ??= (async () => {
    // Both are CommonJS: their `default` (module.exports) is what Node and the CLI's bundle
    // agree on; a bundled dynamic import of CommonJS has no named exports.
    const [{ default: Ajv2020 }, { default: addFormats }] = await Promise.all([
      import("ajv/dist/2020.js"),
      import("ajv-formats"),
    ]);
    // allErrors off: the check stops at the first failing path, the one a message names.
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    addFormats(ajv);
    return ajv.compile(schema);
  })();
  return validator;
}

/** `/steps/0/status must be equal to one of the allowed values (passed, ...)`. */
function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "/" : error.instancePath;
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  const detail =
    params.additionalProperty !== undefined
      ? ` ("${params.additionalProperty}")`
      : params.allowedValues !== undefined
        ? ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`
        : "";
  return `${where} ${error.message ?? "is not valid"}${detail}`;
}

/** The first place where `value` breaks the run report schema, or undefined when it is a report. */
export async function reportSchemaProblem(value: unknown): Promise<string | undefined> {
  const validate = await validatorOf();
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  return first === undefined ? "/ is not valid" : describeError(first);
}
