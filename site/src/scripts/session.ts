/**
 * The header's session links (SessionLinks.astro): shown when `run-md serve` answers `/api/me`,
 * with the user's name; the audit link only for callers who may read the audit log.
 */
import { getMe, postJson, SIGN_OUT_PATH } from "./api.ts";

export async function initSession(doc: Document): Promise<void> {
  const boxes = [...doc.querySelectorAll<HTMLElement>("[data-rm-session]")];
  const me = boxes.length > 0 ? await getMe() : undefined;
  if (!me) return;
  for (const box of boxes) {
    box.querySelector<HTMLElement>("[data-session-user]")!.textContent = me.user;
    box.querySelector<HTMLElement>('[data-session-link="audit"]')!.hidden =
      !me.actions?.includes("audit");
    box.querySelector<HTMLElement>('[data-session-link="query"]')!.hidden =
      !me.actions?.includes("query");
    const signOut = box.querySelector<HTMLButtonElement>("[data-session-signout]")!;
    // A token or `none` caller has no session to end.
    signOut.hidden = !me.csrfToken;
    signOut.addEventListener("click", async () => {
      await postJson(SIGN_OUT_PATH, {});
      location.assign(new URL("/", location.href).href);
    });
    box.hidden = false;
  }
}
