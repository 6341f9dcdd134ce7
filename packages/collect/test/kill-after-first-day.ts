/**
 * Test helper run as a child process: collects `argv[2]` (a directory, or s3://bucket/prefix
 * through the endpoint in RUN_MD_S3_ENDPOINT) into `argv[3]` (store) over the window
 * `argv[4]`..`argv[5]` and kills itself with SIGKILL (kill -9: no cleanup runs) as soon as the
 * first day is committed.
 */
import { collectFromDir, collectFromS3 } from "../src/index.ts";

const [source, store, start, end] = process.argv.slice(2) as [string, string, string, string];
const run = {
  store,
  window: { start: new Date(start), end: new Date(end) },
  onProgress: (p: { phase: string }) => {
    if (p.phase === "write") process.kill(process.pid, "SIGKILL");
  },
};
if (source.startsWith("s3://")) {
  await collectFromS3({
    ...run,
    source,
    clientConfig: {
      endpoint: process.env.RUN_MD_S3_ENDPOINT as string,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIDLOCALEMULATOR", secretAccessKey: "local-emulator-secret" },
    },
  });
} else {
  await collectFromDir({ ...run, sourceDir: source });
}
