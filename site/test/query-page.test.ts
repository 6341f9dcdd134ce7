/** The query page's script (linkedom, the API stubbed): what it shows of each answer. */
import { parseHTML } from "linkedom";
import { afterEach, describe, expect, it, vi } from "vitest";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const PAGE = `<!doctype html><html><body><p data-needs-server></p><div data-served hidden>
  <p data-list-error hidden></p>
  <form data-query-form hidden>
    <select data-query-dialect><option value="sql" selected>SQL</option></select>
    <input data-query-since value="24h" />
    <textarea data-query-text>SELECT 1</textarea>
    <button type="submit">Run query</button><span data-query-budget></span>
    <p data-query-error hidden></p>
  </form>
  <p data-query-summary hidden></p>
  <table data-query-result><thead><tr></tr></thead><tbody></tbody></table>
  <p data-list-empty hidden></p>
</div></body></html>`;

/** The page, its script started against `answers` (one per POST /api/query, in turn). */
async function queryPage(answers: Response[]) {
  vi.stubGlobal("fetch", async (path: string) => {
    if (path === "/api/me") return json({ user: "a@example.com", groups: [], actions: ["query"] });
    if (path === "/api/query") return answers.shift()!;
    return json({ error: "no" }, 404);
  });
  vi.resetModules(); // a fresh /api/me
  const { initQueryPage } = await import("../src/scripts/query.ts");
  const { document, Event } = parseHTML(PAGE);
  await initQueryPage(document);
  const form = document.querySelector<HTMLFormElement>("[data-query-form]")!;
  const submit = async () => {
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await new Promise((r) => setTimeout(r, 20));
  };
  return { document, form, submit };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const answer = {
  columns: [{ name: "principal" }],
  rows: [["arn:aws:iam::111122223333:user/mallory"]],
  engine: "local",
  window: { start: "2026-11-23T00:00:00Z", end: "2026-11-24T00:00:00Z" },
};

describe("the query page", () => {
  it("takes the previous answer away when the next query is refused", async () => {
    const { document, submit } = await queryPage([
      json(answer),
      json({ error: "the query did not run" }, 400),
    ]);
    await submit();
    expect(document.querySelector("[data-query-result] tbody")!.textContent).toContain("mallory");
    await submit();
    expect(document.querySelector<HTMLElement>("[data-query-error]")!.hidden).toBe(false);
    expect(document.querySelector("[data-query-result] tbody")!.textContent).toBe("");
    expect(document.querySelector("[data-query-result] thead")!.textContent).toBe("");
    expect(document.querySelector<HTMLElement>("[data-query-summary]")!.hidden).toBe(true);
  });

  it("keeps the query as sent while its answer is on the way", async () => {
    let answered: (r: Response) => void = () => {};
    const { form } = await queryPage([]);
    vi.stubGlobal("fetch", () => new Promise<Response>((r) => (answered = r)));
    form.dispatchEvent(new form.ownerDocument.defaultView!.Event("submit", { cancelable: true }));
    await new Promise((r) => setTimeout(r, 20));
    expect(form.querySelector<HTMLTextAreaElement>("[data-query-text]")!.readOnly).toBe(true);
    answered(json(answer));
    await new Promise((r) => setTimeout(r, 20));
    expect(form.querySelector<HTMLTextAreaElement>("[data-query-text]")!.readOnly).toBe(false);
  });

  it("shows a column name's format characters, as the run view does", async () => {
    const { document, submit } = await queryPage([
      json({ ...answer, columns: [{ name: "user\u202eagent" }] }),
    ]);
    await submit();
    expect(document.querySelector("[data-query-result] th")!.textContent).toBe("user\\u202eagent");
  });
});
