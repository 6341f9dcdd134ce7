// The AWS Lambda entry point (handler: bin/lambda.handler in the installed package): the
// package's `run-md/lambda` handler, built into dist/.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const lambda = await import("../dist/lambda.js");

export const handler = lambda.handler;
