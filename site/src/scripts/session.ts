/**
 * The header's session links (SessionLinks.astro): shown when `run-md serve` answers `/api/me`,
 * with the user's name; the audit link only for callers who may read the audit log.
 */
import { getJson, getMe, type Me, SIGN_OUT_PATH } from "./api.ts";

export async function initSession(doc: Document): Promise<void> {
  const boxes = [...doc.querySelectorAll<HTMLElement>("[data-rm-session]")];
  const me = boxes.length > 0 ? await getMe() : undefined;
  if (!me) return;
  const audit = await mayReadAudit(me);
  for (const box of boxes) {
    box.querySelector<HTMLElement>("[data-session-user]")!.textContent = me.user;
    box.querySelector<HTMLAnchorElement>('[data-session-link="signout"]')!.href = SIGN_OUT_PATH;
    box.querySelector<HTMLElement>('[data-session-link="audit"]')!.hidden = !audit;
    box.hidden = false;
  }
}

/** `actions` of `/api/me` when the server lists them, else whether `/api/audit` answers. */
async function mayReadAudit(me: Me & { actions?: unknown }): Promise<boolean> {
  if (Array.isArray(me.actions)) return me.actions.includes("audit");
  return (await getJson("/api/audit?limit=1")).ok;
}
