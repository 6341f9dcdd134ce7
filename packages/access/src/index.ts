export * from "./audit.ts";
export * from "./model.ts";
export * from "./rules.ts";
