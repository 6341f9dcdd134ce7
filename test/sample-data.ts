/**
 * The generated sample data the end-to-end tests share: a week ending at the current hour, with
 * and without the planted incidents. Made once per test run by the global setup, in a folder that
 * outlives the run (`.run-md/test-data/<generator digest>-<hour>`, ignored by git), so a second
 * run within the hour reuses it. The folder is named by a digest of the generator's sources: data
 * made by an edited generator is never taken for the current one's within the hour
 * (SAMPLE_VERSION is bumped by hand). It is named by the hour too, so that no run writes the data
 * another run reads: with one folder for every hour, a run started after the hour turned
 * regenerated the week (other events: its seed is the hour) under a run still reading it, whose
 * tests then failed (runner-e2e's account-guardrails listed no Terraform account).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { ensureSampleData, SAMPLE_MANIFEST, type SampleManifest } from "@run-md/generator";
import { REPO } from "./ci-prerequisites.ts";

const HOUR = 3_600_000;

/**
 * How long another hour's or version's data is kept untouched: longer than a run on a loaded
 * machine (13 minutes on CI), and about 5 MB a folder.
 */
const KEEP_MS = 6 * HOUR;

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
  const base = path.join(REPO, ".run-md", "test-data");
  const digest = generatorDigest(path.join(REPO, "packages", "generator", "src"));
  const name = sampleFolderName(digest, now);
  removeOthers(base, name, now);
  const root = path.join(base, name);
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

/** The data's folder: the generator's digest and the hour its week ends at (`…-2026-12-06T21`). */
export function sampleFolderName(digest: string, now: Date): string {
  return `${digest}-${new Date(Math.floor(now.getTime() / HOUR) * HOUR).toISOString().slice(0, 13)}`;
}

/** A digest of the generator's source files (names and contents, in name order). */
export function generatorDigest(srcDir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(srcDir).sort()) {
    const file = path.join(srcDir, name);
    if (!statSync(file).isFile()) continue;
    hash.update(`${name}\0`).update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

/**
 * Removes the data of other generator versions and hours (and of the layouts before), left
 * untouched for KEEP_MS: a run still reading it, started hours ago or of another checkout's
 * sources in the same folder, is not pulled from under.
 */
function removeOthers(base: string, keep: string, now: Date): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === keep) continue;
    const dir = path.join(base, name);
    if (now.getTime() - statSync(dir).mtimeMs > KEEP_MS)
      rmSync(dir, { recursive: true, force: true });
  }
}
