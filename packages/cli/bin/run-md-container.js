#!/usr/bin/env node
// The container image's entry point (Dockerfile): run-md's trigger for one EventBridge event,
// with the reports published and the escalations sent (src/container.ts, built into dist/).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { containerMain } = await import("../dist/container.js");
const code = await containerMain(process.argv.slice(2));
process.exitCode = code;
setTimeout(() => process.exit(code), 3000).unref();
