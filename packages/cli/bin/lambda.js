// The AWS Lambda entry point (handler: packages/cli/bin/lambda.handler): registers tsx so the
// TypeScript sources load, then re-exports the package's `run-md/lambda` handler.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const lambda = await import("../src/lambda.ts");

export const handler = lambda.handler;
