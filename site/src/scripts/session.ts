/**
 * The header's session links (SessionLinks.astro): shown when `run-md serve` answers `/api/me`,
 * with the user's name; the audit link only for callers who may read the audit log.
 */
import { getMe, postJson, SIGN_OUT_PATH, signInHref } from "./api.ts";

export async function initSession(doc: Document): Promise<void> {
  const boxes = [...doc.querySelectorAll<HTMLElement>("[data-rm-session]")];
  const me = boxes.length > 0 ? await getMe() : undefined;
  if (!me) return offerSignIn(doc, boxes);
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

/**
 * Signed out on a server that signs people in: a Sign in link in the header, and on the pages
 * that need the server (a run's live view an approver was sent to), a sentence saying to sign
 * in instead of "this copy of the site has no server".
 */
async function offerSignIn(doc: Document, boxes: HTMLElement[]): Promise<void> {
  const href = await signInHref();
  if (!href) return;
  for (const box of boxes) {
    for (const e of box.querySelectorAll<HTMLElement>(
      "[data-session-link], [data-session-signout]",
    ))
      e.hidden = true;
    const a = box.querySelector<HTMLAnchorElement>("[data-session-signin]")!;
    a.href = href;
    a.hidden = false;
    box.hidden = false;
  }
  for (const p of doc.querySelectorAll<HTMLElement>("[data-needs-server]")) {
    const a = doc.createElement("a");
    a.href = href;
    a.textContent = "Sign in";
    p.replaceChildren(a, " to see this page.");
  }
}
