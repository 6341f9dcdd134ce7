export {
  type CollectFile,
  type CollectProgress,
  type CollectResult,
  type CollectRun,
  collectFiles,
} from "./collect.ts";
export { collectFromDir } from "./local-source.ts";
