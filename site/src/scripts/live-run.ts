/**
 * The live run page in the browser: the run's facts from `GET /api/runs/{id}`, then its events
 * from `GET /api/runs/{id}/events` (EventSource replays what already happened and resumes with
 * Last-Event-ID by itself), drawn by lib/live-run.ts. The requester gets a cancel button.
 */
import { visibleFormat } from "@run-md/core/printable";
import { RUN_ID } from "@run-md/core/run-id";
import { applyEvent, reconnecting, reportLinks, streamLost } from "../lib/live-run.ts";
import { url } from "../lib/paths.ts";
import {
  getJson,
  getMe,
  getRunbookAccess,
  type Me,
  messageOf,
  postJson,
  type RunSummary,
} from "./api.ts";
import { samePerson, showApproval } from "./approval.ts";

/** Every event the server sends (spec access-proxy.md §5). */
export const EVENT_TYPES = [
  "queued",
  "approval",
  "run-start",
  "step-start",
  "step-progress",
  "step-end",
  "run-end",
] as const;

export async function initLiveRun(doc: Document): Promise<void> {
  const root = doc.querySelector<HTMLElement>("[data-live-run]");
  const id = new URLSearchParams(location.search).get("id");
  const me = await getMe();
  if (!root || !me) return;
  doc.querySelector<HTMLElement>("[data-needs-server]")!.hidden = true;
  root.hidden = false;
  // Only a run id is asked for: the server's 404 quotes what it was given (`no run "..."`), so
  // a link's `?id=` would put its own sentence on this page ("sign in again at ...").
  if (!id || !RUN_ID.test(id)) return fail(root, "No run in the address: open one from My runs.");
  const run = await getJson<RunSummary>(`/api/runs/${encodeURIComponent(id)}`);
  if (!run.ok) return fail(root, messageOf(run.status, run.body));
  showFacts(root, run.value);
  // The server lets the requester (whatever the case of their address) or an admin cancel.
  if (samePerson(run.value.requester?.user, me.user) || me.actions?.includes("admin")) {
    wireCancel(root, id);
  }
  follow(
    root,
    id,
    run.value.runbook,
    await withRunbookActions(me, run.value.runbook),
    run.value.requester?.user,
  );
}

/**
 * The caller with the actions they hold on this run's runbook too: `approve` may be granted for
 * some runbooks only (a rule with a selector), which `/api/me` (the actions of no runbook in
 * particular) leaves out, so such an approver saw no Approve button (review).
 */
async function withRunbookActions(me: Me, runbook: string): Promise<Me> {
  const access = await getRunbookAccess();
  const own = access?.find((a) => a.id === runbook)?.actions ?? [];
  return { ...me, actions: [...new Set([...(me.actions ?? []), ...own])] };
}

function follow(
  root: HTMLElement,
  id: string,
  runbook: string,
  me: Me,
  requester: string | undefined,
): void {
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  const links = (d: Record<string, unknown>) => reportLinks(id, runbook, d);
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (e) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>;
      } catch {
        // An event without a JSON body still moves the run along.
      }
      applyEvent(root, { type, data }, links);
      // Governance (spec §6): who may approve, who waits.
      if (type === "approval") showApproval(root, data, { me, requester, runId: id });
      if (type === "run-end") {
        source.close();
        root.querySelector<HTMLElement>("[data-cancel]")!.hidden = true;
      }
    });
  }
  // The browser retries a dropped connection itself; a refused one ends here.
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) return reconnecting(root, true);
    if (root.dataset.runState !== "ended") void whyLost(id).then((why) => streamLost(root, why));
  });
  source.addEventListener("open", () => reconnecting(root, false));
}

/** Why a refused stream was refused: the run's own request answers what EventSource hides. */
async function whyLost(id: string): Promise<string> {
  const r = await getJson<RunSummary>(`/api/runs/${encodeURIComponent(id)}`);
  if (r.ok) return "The server closed the run's event stream.";
  if (r.status === 401) return "Your session ended: sign in again to follow this run.";
  return messageOf(r.status, r.body);
}

/**
 * The run's facts, as its request gave them: what an approver reads before deciding. Text from the
 * request shows its format characters; a parameter's value is written as JSON, as My runs writes
 * it, so a string holding `, days=1` reads as one quoted value, not as a second parameter.
 */
export function showFacts(root: HTMLElement, run: RunSummary): void {
  const set = (key: string, value: string | Node) => {
    const shown = typeof value === "string" ? visibleFormat(value) : value;
    root.querySelector<HTMLElement>(`[data-meta="${key}"]`)?.replaceChildren(shown);
  };
  const a = root.ownerDocument.createElement("a");
  a.href = url(`/runbooks/${run.runbook}/`);
  a.textContent = run.runbook;
  set("runbook", a);
  set("user", run.requester?.user ?? "–");
  const w = run.window ?? {};
  set(
    "window",
    w.from || w.to
      ? `${w.from ?? "…"} → ${w.to ?? "now"}`
      : w.since
        ? `the last ${w.since}`
        : "the runbook's own",
  );
  const params = Object.entries(run.params ?? {});
  set(
    "params",
    params.length ? params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ") : "defaults",
  );
  set("engine", run.engine ?? "the default");
  root.dataset.runState = run.status;
  const status = root.querySelector<HTMLElement>("[data-run-status]");
  if (status) status.textContent = run.status;
}

function wireCancel(root: HTMLElement, id: string): void {
  const button = root.querySelector<HTMLButtonElement>("[data-cancel]")!;
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const r = await postJson(`/api/runs/${encodeURIComponent(id)}/cancel`, {});
    if (!r.ok) {
      fail(root, messageOf(r.status, r.body));
      button.disabled = false;
    }
  });
}

function fail(root: HTMLElement, message: string): void {
  const p = root.querySelector<HTMLElement>("[data-live-error]")!;
  p.textContent = message;
  p.hidden = false;
}
