/**
 * Test helper run as a child process: collects `argv[2]` (source) into `argv[3]` (store) over the
 * window `argv[4]`..`argv[5]` and kills itself with SIGKILL (kill -9: no cleanup runs) as soon
 * as the first day is committed.
 */
import { collectFromDir } from "../src/index.ts";

const [source, store, start, end] = process.argv.slice(2) as [string, string, string, string];
await collectFromDir({
  sourceDir: source,
  store,
  window: { start: new Date(start), end: new Date(end) },
  onProgress: (p) => {
    if (p.phase === "write") process.kill(process.pid, "SIGKILL");
  },
});
