/**
 * `run-md collect`'s progress on stderr: a bar redrawn in place on a terminal (objects, bytes,
 * events, rate, ETA), plain lines otherwise: one per day written and, while objects are fetched
 * from S3, one per tenth of them (a line per object filled a CI log with thousands).
 */

import type { CollectProgress } from "@run-md/collect";
import { formatBytes } from "@run-md/core";

const WIDTH = 24;

export function progressLine(p: CollectProgress, elapsedMs: number): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const rate = p.objects / secs;
  const left = p.objectsTotal - p.objects;
  const eta = rate > 0 && left > 0 ? `, ETA ${Math.ceil(left / rate)}s` : "";
  const what = p.day === undefined ? "" : ` ${p.day}`;
  return `${p.objects}/${p.objectsTotal} objects, ${formatBytes(p.bytes)}, ${p.events} events, ${rate.toFixed(1)} objects/s${eta}${what}`;
}

function bar(p: CollectProgress): string {
  const done = p.objectsTotal === 0 ? WIDTH : Math.round((WIDTH * p.objects) / p.objectsTotal);
  return `[${"#".repeat(done)}${"-".repeat(WIDTH - done)}]`;
}

/** A progress callback writing to `out` (a TTY gets the bar). */
export function progressReporter(out: NodeJS.WriteStream): {
  onProgress: (p: CollectProgress) => void;
  end: () => void;
} {
  const t0 = performance.now();
  let drawn = false;
  let tenths = 0;
  return {
    onProgress: (p) => {
      if (p.phase === "list") {
        out.write("collect: listing the source\n");
        return;
      }
      const line = progressLine(p, performance.now() - t0);
      if (out.isTTY) {
        out.write(`\r\x1b[2Kcollect ${bar(p)} ${line}`);
        drawn = true;
      } else if (p.phase === "fetch") {
        const now = p.objectsTotal === 0 ? 10 : Math.floor((10 * p.objects) / p.objectsTotal);
        if (now > tenths) out.write(`collect: ${line}\n`);
        tenths = Math.max(tenths, now);
      } else if (p.phase !== "done") out.write(`collect: ${line}\n`);
    },
    end: () => {
      if (drawn) out.write("\n");
    },
  };
}
