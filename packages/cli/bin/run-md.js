#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader, so `npx run-md` works right after
// `npm install` with no build step.
import { register } from "tsx/esm/api";

// The AWS SDK warns on Node 20 that releases after January 2027 will need Node 22; the SDK
// version in the lock file supports Node 20, so keep that notice out of run-md's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
const { main } = await import("../src/main.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything is written by now. A query that an engine failed to stop may still hold the event
// loop open: leave after a short wait rather than forever.
setTimeout(() => process.exit(code), 3000).unref();
