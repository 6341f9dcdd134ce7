/**
 * The "no events" probe's answers, remembered per engine. After every windowed step the engine
 * asks whether the window's view holds any event at all (`SELECT 1 FROM <view> LIMIT 1`, engine.ts
 * `windowWithoutEvents`), to tell an empty window from a query that matched nothing. The answer
 * depends only on the files read, their content and the window, so it is kept under a key of
 * exactly those: the kind of view, the window, and each file DuckDB reads (path, in order) with the
 * identity of the file it comes from (`fileIdentity`: a file rewritten in place, even with its
 * size and modification time put back, has another identity). A runbook's steps over one window
 * then probe once, not once each (7-9 ms of DuckDB CPU a step over a day of sample data, far more
 * over a week).
 */
import { createHash } from "node:crypto";
import { setNewest } from "@run-md/core";

/** Answers kept per engine (a key is a hash; the oldest answers are forgotten first). */
const REMEMBERED = 256;

/** One file DuckDB reads and the identity of the file it comes from. */
export interface KeyedFile {
  path: string;
  identity: string;
}

export class ProbeMemory {
  /** Probes actually run (the others were answered from memory), for tests. */
  probesRun = 0;
  /** The same, of the other questions (`at`: the window's end). */
  endProbesRun = 0;
  private readonly enabled: boolean;
  private readonly answers = new Map<string, boolean>();

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  /** The key of a probe over these files and window; null when its answer is not to be kept. */
  key(view: string, window: string, files: KeyedFile[]): string | null {
    if (!this.enabled || files.length === 0) return null;
    const h = createHash("sha256").update(`${view}\0${window}`);
    for (const f of files) h.update(`\0${f.path}\0${f.identity}`);
    return h.digest("hex");
  }

  /**
   * `hasEvents` for another question over the same view, files and window, as a function of the
   * question (`aspect`: the window's end as it stands now, `endWithoutEvents`: it moves with the
   * clock for a window ending after it) and its probe.
   */
  at(key: string | null): (aspect: string, probe: () => Promise<boolean>) => Promise<boolean> {
    return (aspect, probe) => this.ask(key === null ? null : `${key}\0${aspect}`, probe, false);
  }

  /** Whether the view holds an event: remembered under `key`, else asked of `probe`. */
  hasEvents(key: string | null, probe: () => Promise<boolean>): Promise<boolean> {
    return this.ask(key, probe, true);
  }

  private async ask(
    key: string | null,
    probe: () => Promise<boolean>,
    counted: boolean,
  ): Promise<boolean> {
    const known = key === null ? undefined : this.answers.get(key);
    if (known !== undefined) return known;
    if (counted) this.probesRun++;
    else this.endProbesRun++;
    const answer = await probe();
    if (key !== null) setNewest(this.answers, key, answer, REMEMBERED);
    return answer;
  }
}
