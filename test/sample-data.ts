/**
 * The generated sample data the end-to-end tests share: a week ending at the current hour, with
 * and without the planted incidents. Made once per test run by the global setup, in a folder that
 * outlives the run (`.run-md/test-data`, ignored by git), so a second run within the hour reuses
 * it (`ensureSampleData` regenerates only when the hour or the options changed).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ensureSampleData, SAMPLE_MANIFEST, type SampleManifest } from "@run-md/generator";
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

/**
 * The week a shared data set covers, from its manifest (calling ensureSampleData on the shared
 * folder again could regenerate it under the other test files when the hour has turned).
 */
export function sampleWindow(dir: string): { start: Date; end: Date } {
  const m = JSON.parse(readFileSync(path.join(dir, SAMPLE_MANIFEST), "utf8")) as SampleManifest;
  return { start: new Date(m.start), end: new Date(m.end) };
}
