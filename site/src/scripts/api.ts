/**
 * The browser's client of `run-md serve`'s API (spec access-proxy.md §4). The static site on
 * GitHub Pages has no server: every call here resolves to `undefined` (or an error result) when
 * the API is absent, and the pages keep their static content.
 *
 * The API lives at `/api/` on the server's origin whatever the site's base path; requests send the
 * session cookie (same origin) and, for state-changing ones, the CSRF token `/api/me` hands out.
 */
import { visibleFormat } from "@run-md/core/printable";

/** The header that carries the CSRF token on state-changing cookie requests. */
export const CSRF_HEADER = "x-csrf-token";
/** Where the server starts a browser session (`?return=<path>`) and ends it (POST). */
export const SIGN_IN_PATH = "/auth/login";
export const SIGN_OUT_PATH = "/auth/logout";

export interface Me {
  user: string;
  groups: string[];
  /** The actions the caller holds that concern no runbook in particular (`audit`, `query`). */
  actions?: string[];
  /** The CSRF token of a cookie session (absent for callers that need none). */
  csrfToken?: string;
}

/** One runbook of `GET /api/runbooks`: what the caller may do with it. */
export interface RunbookAccess {
  id: string;
  actions: string[];
}

/** A run record as `GET /api/runs` and `GET /api/runs/{id}` show it. */
export interface RunSummary {
  id: string;
  runbook: string;
  status: string;
  requester: { user: string; groups: string[] };
  requestedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** The parameters the request gave (not the defaults). */
  params: Record<string, unknown>;
  /** The window as requested (`since`, or `from`/`to`; empty: the runbook's own). */
  window: { since?: string; from?: string; to?: string };
  /** The engine the request named (absent: the runbook's own). */
  engine?: string;
  /** The stored report, relative to the reports folder, once the run ended. */
  report?: string;
  /** How many warnings its steps gave (days without logs, files not read), once it ended. */
  warnings?: number;
  error?: string;
}

export interface AuditItem {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** The outcome of a request whose refusal the page shows: the answer, or the status and body. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; status: number; body: unknown };

let me: Promise<ApiResult<Me>> | undefined;

/** The signed-in caller, once per page; undefined without a server or without a session. */
export async function getMe(): Promise<Me | undefined> {
  me ??= getJson<Me>("/api/me");
  const r = await me;
  return r.ok && typeof r.value?.user === "string" ? r.value : undefined;
}

/**
 * Where to sign in and come back to this page, when the server answered `/api/me` 401 and
 * offers browser sign-in (its message names `/auth/login`: OIDC); undefined on the static site
 * (404), when signed in, and where only API tokens are taken.
 */
export async function signInHref(): Promise<string | undefined> {
  me ??= getJson<Me>("/api/me");
  const r = await me;
  if (r.ok || r.status !== 401 || !messageOf(r.status, r.body).includes(SIGN_IN_PATH)) return;
  return `${SIGN_IN_PATH}?return=${encodeURIComponent(location.pathname + location.search)}`;
}

/** The runbooks the caller may view, with their allowed actions. */
export async function getRunbookAccess(): Promise<RunbookAccess[] | undefined> {
  const r = await getJson<unknown>("/api/runbooks");
  if (!r.ok) return undefined;
  const list = Array.isArray(r.value) ? r.value : (r.value as { runbooks?: unknown })?.runbooks;
  if (!Array.isArray(list)) return undefined;
  return list
    .filter((x): x is { id: string; actions?: unknown } => typeof x?.id === "string")
    .map((x) => ({
      id: x.id,
      actions: Array.isArray(x.actions) ? x.actions.filter((a) => typeof a === "string") : [],
    }));
}

export async function getJson<T>(path: string): Promise<ApiResult<T>> {
  return request<T>(path, { method: "GET" });
}

/** A JSON POST with the CSRF token of the session. */
export async function postJson<T>(path: string, body: unknown): Promise<ApiResult<T>> {
  const caller = await getMe();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (caller?.csrfToken) headers[CSRF_HEADER] = caller.csrfToken;
  return request<T>(path, { method: "POST", headers, body: JSON.stringify(body) });
}

async function request<T>(path: string, init: RequestInit): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: { accept: "application/json", ...(init.headers as Record<string, string>) },
    });
  } catch (e) {
    return { ok: false, status: 0, body: { message: `the server did not answer (${e})` } };
  }
  const type = res.headers.get("content-type") ?? "";
  let body: unknown;
  try {
    body = type.includes("json") ? await res.json() : await res.text();
  } catch {
    body = undefined;
  }
  return res.ok ? { ok: true, value: body as T } : { ok: false, status: res.status, body };
}

/**
 * The message of a refused request's body (the server's `{error, hint}`; `{message}` too), else
 * the status, with its format characters visible: an engine's error may quote the data
 * (`Cannot cast '...' to INT` holds a value whoever made the API call chose).
 */
export function messageOf(status: number, body: unknown): string {
  return visibleFormat(rawMessageOf(status, body));
}

function rawMessageOf(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as { message?: unknown; error?: unknown; hint?: unknown };
    const text = typeof b.error === "string" ? b.error : b.message;
    if (typeof text === "string") return typeof b.hint === "string" ? `${text} (${b.hint})` : text;
  }
  if (typeof body === "string" && body.trim() && !body.trimStart().startsWith("<")) {
    return body.trim();
  }
  return status === 0 ? "the server did not answer" : `the server answered ${status}`;
}
