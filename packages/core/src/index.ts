export * from "./engine.ts";
export * from "./errors.ts";
export * from "./model.ts";
export * from "./report.ts";
