/** The run form's pure part: input kinds, the request body from the values, refusals mapped to fields. */
import type { ParamDecl } from "@run-md/core";
import { describe, expect, it } from "vitest";
import {
  buildRunRequest,
  type FieldSpec,
  type FieldValue,
  fieldOfError,
  fieldSpec,
  initialValue,
  inputKind,
} from "../src/lib/run-form.ts";

const decl = (d: Partial<ParamDecl> & Pick<ParamDecl, "name" | "type">): ParamDecl => ({
  position: { line: 1, column: 1 },
  ...d,
});

const params = [
  decl({ name: "threshold", type: "integer", default: 50, min: 1 }),
  decl({ name: "ratio", type: "number", default: 2.5 }),
  decl({ name: "principal_pattern", type: "string", default: "%" }),
  decl({ name: "region", type: "string", enum: ["us-east-1", "eu-west-1"], default: "us-east-1" }),
  decl({ name: "limit", type: "integer", enum: [10, 100], default: 10 }),
  decl({ name: "include_root", type: "boolean", default: false }),
  decl({ name: "account", type: "account_id" }),
];
const specs = params.map(fieldSpec);
const initial = () => specs.map((spec) => ({ spec, value: initialValue(spec) }));
const withValue = (name: string, value: FieldValue) =>
  initial().map((f) => (f.spec.name === name ? { ...f, value } : f));
const sinceWindow = { mode: "since" as const, since: "7d", from: "", to: "" };

describe("the run form", () => {
  it("gives each parameter type its input", () => {
    expect(params.map(inputKind)).toEqual([
      "number",
      "number",
      "text",
      "select",
      "select",
      "checkbox",
      "text",
    ]);
    expect(initial().map((f) => f.value)).toEqual(["50", "2.5", "%", "us-east-1", "10", false, ""]);
  });

  it("sends no parameters and no window without run:params, whatever the inputs hold", () => {
    const body = buildRunRequest(
      "audit-iam",
      withValue("threshold", "3"),
      { mode: "range", from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z", since: "" },
      "7d",
      false,
    );
    expect(body).toEqual({ runbook: "audit-iam" });
  });

  it("sends only what differs from the defaults, as JSON numbers and booleans", () => {
    const fields = withValue("threshold", "3")
      .map((f) => (f.spec.name === "include_root" ? { ...f, value: true } : f))
      .map((f) => (f.spec.name === "limit" ? { ...f, value: "100" } : f))
      .map((f) => (f.spec.name === "account" ? { ...f, value: "111122223333" } : f));
    expect(buildRunRequest("audit-iam", fields, sinceWindow, "7d", true)).toEqual({
      runbook: "audit-iam",
      params: { threshold: 3, include_root: true, limit: 100, account: "111122223333" },
    });
  });

  it("leaves a required parameter left empty to the server, and a wrong number as written", () => {
    const body = buildRunRequest("x", withValue("threshold", "ten"), sinceWindow, "7d", true);
    expect(body.params).toEqual({ threshold: "ten" });
    expect(body.params && "account" in body.params).toBe(false);
  });

  it("sends the window only when it is not the runbook's own", () => {
    expect(buildRunRequest("x", initial(), sinceWindow, "7d", true)).toEqual({ runbook: "x" });
    expect(buildRunRequest("x", initial(), { ...sinceWindow, since: "30d" }, "7d", true)).toEqual({
      runbook: "x",
      since: "30d",
    });
    const range = {
      mode: "range" as const,
      since: "7d",
      from: " 2026-11-01T00:00:00Z",
      to: "2026-11-02T00:00:00Z",
    };
    expect(buildRunRequest("x", initial(), range, "7d", true)).toEqual({
      runbook: "x",
      from: "2026-11-01T00:00:00Z",
      to: "2026-11-02T00:00:00Z",
    });
  });

  it("finds the field a refusal names", () => {
    const names = specs.map((s: FieldSpec) => s.name);
    expect(fieldOfError({ param: "threshold", message: "bad" }, names)).toBe("threshold");
    expect(fieldOfError({ details: { param: "ratio" } }, names)).toBe("ratio");
    // As run-md serve answers: `{error, field, code, hint}`, a parameter as `params.<name>`.
    expect(
      fieldOfError(
        { error: 'parameter "ratio" (from params): expected a number', field: "params.ratio" },
        names,
      ),
    ).toBe("ratio");
    expect(
      fieldOfError(
        {
          error: 'the window may not end in the future: to "2099-01-01T00:00:00Z" is after now',
          field: "to",
        },
        names,
      ),
    ).toBe("to");
    expect(
      fieldOfError(
        {
          message: 'parameter "threshold" (from params): expected an integer such as 10, got "ten"',
        },
        names,
      ),
    ).toBe("threshold");
    expect(fieldOfError({ message: "--since: expected a duration such as 24h" }, names)).toBe(
      "since",
    );
    expect(fieldOfError({ message: "the window ends in the future" }, names)).toBe("window");
    // Plain words are not field names; an unknown parameter is the whole request's problem.
    expect(fieldOfError({ message: "runbook not found to run from here" }, names)).toBeUndefined();
    expect(fieldOfError({ param: "nope", message: 'parameter "nope"' }, names)).toBeUndefined();
    expect(fieldOfError("oops", names)).toBeUndefined();
  });
});
