#!/usr/bin/env node
// Runs the built CLI (`dist/`, made by `npm run build -w run-md`: on install in this repository,
// before `npm pack`, and by the test suite's global setup).
//
// CommonJS on purpose: `run-md --version` answers here, from package.json, before Node's ESM
// loader or any of dist/ is loaded (about 30 ms of CPU less; `npm run bench -- cli`). Every
// other command, `-v` in main() included, goes through the bundle.
"use strict";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`${require("../package.json").version}\n`);
} else {
  start().then((code) => {
    process.exitCode = code;
    // Everything is written by now. A query that an engine failed to stop may still hold the
    // event loop open: leave after a short wait rather than forever.
    setTimeout(() => process.exit(code), 3000).unref();
  });
}

async function start() {
  // The AWS SDK warns on Node 20 that releases after January 2027 will need Node 22; the SDK
  // version in the lock file supports Node 20, so keep that notice out of run-md's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let main;
  try {
    ({ main } = await import("../dist/main.js"));
  } catch (e) {
    if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes("dist/main.js")) throw e;
    process.stderr.write(
      "run-md is not built (packages/cli/dist/main.js is missing): run `npm run build -w run-md`\n",
    );
    return 2;
  }
  return main(argv);
}
