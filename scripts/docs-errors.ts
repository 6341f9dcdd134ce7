/** Writes docs/errors.md from the error catalogue (packages/core/src/error-codes.ts). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderErrorDocs } from "@run-md/core";

const target = fileURLToPath(new URL("../docs/errors.md", import.meta.url));
writeFileSync(target, renderErrorDocs());
console.log(`wrote ${target}`);
