export * from "./audit.ts";
export * from "./model.ts";
export * from "./rules.ts";
export * from "./tokens.ts";
export * from "./when.ts";
export * from "./export.ts";
