export * from "./audit.ts";
export * from "./catalog.ts";
export * from "./config.ts";
export type { RowsHook } from "./context.ts";
export * from "./runs/manager.ts";
export * from "./runs/record.ts";
export * from "./server.ts";
export { CSRF_HEADER, SESSION_COOKIE } from "./identity/sessions.ts";
