export { collectDayCommand } from "@run-md/engine-local";
export {
  type CollectFile,
  type CollectProgress,
  type CollectResult,
  type CollectRun,
  collectFiles,
  type Listing,
} from "./collect.ts";
export { type DamagedDay, verifyStore } from "./damaged.ts";
export { copiesSql, dedupedDaySql, PARQUET_OPTIONS, ROW_GROUP_SIZE } from "./day-file.ts";
export { collectFromDir } from "./local-source.ts";
export { type PruneResult, pruneStore } from "./prune.ts";
export { collectFromS3, parseS3Url, type S3Source } from "./s3-source.ts";
