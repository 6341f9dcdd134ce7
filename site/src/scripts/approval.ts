/**
 * The approval part of the live run page (spec access-proxy.md §6): from the run's `approval`
 * events, the requester reads "waiting for approval" (never a button: nobody approves their own
 * run), an approver in the allowed groups gets Approve and Deny with a comment box, and everyone
 * sees who decided, with the comment, or that the request expired. The server checks every
 * decision again (`POST /api/runs/{id}/approve`, `/deny`); its refusal is shown as it says it.
 */
import { visibleFormat } from "@run-md/core/printable";
import { type Me, messageOf, postJson } from "./api.ts";

export interface ApprovalViewer {
  me: Me;
  requester: string | undefined;
  runId: string;
}

/** The panel, made once under the run's facts. */
function panel(root: HTMLElement): HTMLElement {
  const found = root.querySelector<HTMLElement>("[data-approval]");
  if (found) return found;
  const doc = root.ownerDocument;
  const section = doc.createElement("section");
  section.className = "rm-approval";
  section.dataset.approval = "";
  section.innerHTML = `<p data-approval-state role="status"></p>
<form data-approval-form hidden>
  <label>Comment <textarea data-approval-comment rows="2" maxlength="2000"></textarea></label>
  <p><button type="button" class="rm-button" data-approve>Approve</button>
  <button type="button" class="rm-button" data-deny>Deny</button></p>
  <p class="rm-field__error" data-approval-error role="alert" hidden></p>
</form>`;
  root.querySelector("[data-run-meta]")?.after(section);
  return section;
}

/** One person whatever the case of their address, as the server compares them. */
export const samePerson = (a: string | undefined, b: string) =>
  a?.toLowerCase() === b.toLowerCase();

export function decisionText(d: Record<string, unknown>): string {
  const state = String(d.state);
  if (state === "expired")
    return `The request expired at ${String(d.expiresAt)}: nobody approved it in time.`;
  const by = typeof d.by === "string" ? ` by ${d.by}` : "";
  // Written as JSON: one quoted string, whatever quotes or sentences the comment holds (a comment
  // `fine”. Approved by ciso@example.com: “go` read as a second approval).
  const comment = typeof d.comment === "string" ? `: ${JSON.stringify(d.comment)}` : "";
  return `${state === "approved" ? "Approved" : "Denied"}${by}${comment}.`;
}

/** Shows one `approval` event (requested, approved, denied, expired). */
export function showApproval(
  root: HTMLElement,
  d: Record<string, unknown>,
  who: ApprovalViewer,
): void {
  const section = panel(root);
  section.dataset.approvalState = String(d.state);
  const state = section.querySelector<HTMLElement>("[data-approval-state]")!;
  const form = section.querySelector<HTMLFormElement>("[data-approval-form]")!;
  if (d.state !== "requested") {
    state.textContent = visibleFormat(decisionText(d));
    form.hidden = true;
    return;
  }
  const approvers = Array.isArray(d.approvers) ? d.approvers.join(", ") : "an approver";
  const until = typeof d.expiresAt === "string" ? ` until ${d.expiresAt}` : "";
  if (samePerson(who.requester, who.me.user)) {
    state.textContent = visibleFormat(
      `Waiting for approval by ${approvers}${until}. You cannot approve your own run.`,
    );
    return;
  }
  state.textContent = visibleFormat(
    `${who.requester ?? "Someone"} asks to run this; it waits for approval by ${approvers}${until}.`,
  );
  if (who.me.actions?.includes("approve")) wireDecision(form, who.runId);
}

function wireDecision(form: HTMLFormElement, runId: string): void {
  if (form.dataset.wired) return;
  form.dataset.wired = "true";
  form.hidden = false;
  const error = form.querySelector<HTMLElement>("[data-approval-error]")!;
  for (const verdict of ["approve", "deny"] as const) {
    const button = form.querySelector<HTMLButtonElement>(`[data-${verdict}]`)!;
    button.addEventListener("click", async () => {
      const comment = form.querySelector<HTMLTextAreaElement>("[data-approval-comment]")!.value;
      for (const b of form.querySelectorAll("button")) b.disabled = true;
      const r = await postJson(`/api/runs/${encodeURIComponent(runId)}/${verdict}`, {
        ...(comment.trim() ? { comment } : {}),
      });
      if (r.ok) return; // the approval event that follows updates the panel
      error.textContent = messageOf(r.status, r.body);
      error.hidden = false;
      for (const b of form.querySelectorAll("button")) b.disabled = false;
    });
  }
}
