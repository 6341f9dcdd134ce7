/**
 * The folder of one test run (`inject("runDir")`): made by the global setup, removed when the
 * run ends, for what test files build once and share within the run.
 */
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    runDir: string;
  }
}

export function runDir(): string {
  return inject("runDir");
}
