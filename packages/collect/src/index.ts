export {
  type CollectFile,
  type CollectProgress,
  type CollectResult,
  type CollectRun,
  collectFiles,
} from "./collect.ts";
export { collectFromDir } from "./local-source.ts";
export { collectFromS3, parseS3Url, type S3Source } from "./s3-source.ts";
