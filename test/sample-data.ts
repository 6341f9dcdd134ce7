/**
 * The generated sample data the end-to-end tests share: a week ending at the current hour, with
 * and without the planted incidents. Made once per test run by the global setup, in a folder that
 * outlives the run (`.run-md/test-data`, ignored by git), so a second run within the hour reuses
 * it (`ensureSampleData` regenerates only when the hour or the options changed).
 */
import path from "node:path";
import { ensureSampleData } from "@run-md/generator";
import { REPO } from "./ci-prerequisites.ts";

export interface SharedSampleData {
  incidents: string;
  clean: string;
}

/** Test files read the paths with `inject("sampleData")`. */
declare module "vitest" {
  export interface ProvidedContext {
    sampleData: SharedSampleData;
  }
}

/** Generates (or reuses) both data sets; called by the global setup. */
export async function prepareSampleData(now = new Date()): Promise<SharedSampleData> {
  const root = path.join(REPO, ".run-md", "test-data");
  const [incidents, clean] = await Promise.all([
    ensureSampleData(path.join(root, "incidents"), { now, incidents: true }),
    ensureSampleData(path.join(root, "clean"), { now, incidents: false }),
  ]);
  return { incidents: incidents.dir, clean: clean.dir };
}
