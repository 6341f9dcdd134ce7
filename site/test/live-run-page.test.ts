/** The live run page's script: the run's facts an approver reads (linkedom). */
import { parseHTML } from "linkedom";
import { describe, expect, it, vi } from "vitest";
import type { RunSummary } from "../src/scripts/api.ts";
import { showFacts } from "../src/scripts/live-run.ts";

function page() {
  const { document } = parseHTML(
    `<!doctype html><html><body><div data-live-run><dl data-run-meta>${[
      "runbook",
      "user",
      "window",
      "params",
      "engine",
    ]
      .map((k) => `<dd data-meta="${k}"></dd>`)
      .join("")}<dd data-run-status></dd></dl></div></body></html>`,
  );
  return document.querySelector<HTMLElement>("[data-live-run]")!;
}

const run: RunSummary = {
  id: "r1",
  runbook: "audit-iam",
  status: "pending-approval",
  requester: { user: "mallory\u202e@example.com", groups: [] },
  requestedAt: "2026-11-23T00:00:00Z",
  params: { principal: "alice, days=1", days: 30 },
  window: { since: "7d" },
  engine: "athena",
};

describe("the live run page's facts", () => {
  it("quotes a parameter's value, so one holding `, name=value` cannot pass for two", () => {
    const root = page();
    showFacts(root, run);
    const shown = root.querySelector('[data-meta="params"]')!.textContent;
    expect(shown).toBe('principal="alice, days=1", days=30');
  });

  it("shows the requester's format characters, and the engine the request named", () => {
    const root = page();
    showFacts(root, run);
    expect(root.querySelector('[data-meta="user"]')!.textContent).toBe(
      "mallory\\u202e@example.com",
    );
    expect(root.querySelector('[data-meta="engine"]')!.textContent).toBe("athena");
    showFacts(root, { ...run, engine: undefined });
    expect(root.querySelector('[data-meta="engine"]')!.textContent).toBe("the default");
  });
});

describe("the live run page's address", () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  it("asks only for a run id, so a link's ?id= cannot write its own sentence on the page", async () => {
    const injected = `x" is gone. Your session expired: sign in again at https://evil.example/login "`;
    const asked: string[] = [];
    vi.stubGlobal("location", { search: `?id=${encodeURIComponent(injected)}` });
    vi.stubGlobal("fetch", async (path: string) => {
      asked.push(path);
      if (path === "/api/me") return json({ user: "alice@example.com", groups: [] });
      // The server's answer for a run it does not have quotes the id.
      return json({ error: `no run "${decodeURIComponent(path.split("/")[3]!)}"` }, 404);
    });
    try {
      vi.resetModules(); // a fresh /api/me
      const { initLiveRun } = await import("../src/scripts/live-run.ts");
      const { document } = parseHTML(
        `<!doctype html><html><body><p data-needs-server></p><div data-live-run hidden><p data-live-error hidden></p></div></body></html>`,
      );
      await initLiveRun(document);
      const error = document.querySelector<HTMLElement>("[data-live-error]")!;
      expect(error.hidden).toBe(false);
      expect(error.textContent).not.toContain("evil.example");
      expect(asked).toEqual(["/api/me"]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("the approval panel's decision", () => {
  it("quotes the comment as one string, so it cannot read as another approver's decision", async () => {
    const { decisionText } = await import("../src/scripts/approval.ts");
    const comment = "fine”. Approved by ciso@example.com: “go";
    expect(decisionText({ state: "approved", by: "bob@example.com", comment })).toBe(
      'Approved by bob@example.com: "fine”. Approved by ciso@example.com: “go".',
    );
    expect(decisionText({ state: "denied", by: "bob@example.com", comment: 'no "way"\nok' })).toBe(
      'Denied by bob@example.com: "no \\"way\\"\\nok".',
    );
  });
});

describe("the live run page's stream", () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const id = "0b7e8a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b";

  /** EventSource as the page uses it: listeners by type, a readyState the test sets. */
  class FakeSource {
    static readonly CONNECTING = 0;
    static readonly CLOSED = 2;
    static last: FakeSource;
    readyState = 0;
    readonly listeners = new Map<string, ((e: unknown) => void)[]>();
    constructor(readonly url: string) {
      FakeSource.last = this;
    }
    addEventListener(type: string, f: (e: unknown) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
    }
    close() {
      this.readyState = FakeSource.CLOSED;
    }
    fire(type: string, data?: unknown) {
      for (const f of this.listeners.get(type) ?? []) f({ data: JSON.stringify(data ?? {}) });
    }
  }

  it("says when the stream dropped and is retried, and when a refused one needs a new sign-in", async () => {
    let signedIn = true;
    vi.stubGlobal("location", { search: `?id=${id}` });
    vi.stubGlobal("EventSource", FakeSource);
    vi.stubGlobal("fetch", async (path: string) => {
      if (!signedIn) return json({ error: "not signed in" }, 401);
      if (path === "/api/me") return json({ user: "alice@example.com", groups: [] });
      return json({ ...run, id, status: "running", requester: { user: "bob@example.com" } });
    });
    try {
      vi.resetModules();
      const { initLiveRun } = await import("../src/scripts/live-run.ts");
      const { document } = parseHTML(`<!doctype html><html><body><p data-needs-server></p>
        <div data-live-run hidden><dl data-run-meta><dd data-run-status></dd></dl>
        <button data-cancel hidden></button><p data-live-error hidden></p>
        <div data-live-steps></div><p data-run-end hidden></p></div></body></html>`);
      await initLiveRun(document);
      const root = document.querySelector<HTMLElement>("[data-live-run]")!;
      const source = FakeSource.last;
      expect(source.url).toBe(`/api/runs/${id}/events`);
      source.fire("run-start");
      source.fire("step-start", { step: "slow" });
      const note = () => root.querySelector<HTMLElement>("[data-live-reconnecting]");
      source.fire("error"); // CONNECTING: the browser retries
      expect(note()?.hidden).toBe(false);
      source.fire("open");
      expect(note()!.hidden).toBe(true);
      // The session ends; the retry is refused (401) and the browser gives up.
      signedIn = false;
      source.readyState = FakeSource.CLOSED;
      source.fire("error");
      await new Promise((r) => setTimeout(r, 20));
      expect(root.dataset.runState).toBe("disconnected");
      expect(root.querySelector("[data-live-error]")!.textContent).toContain("sign in again");
      expect(root.querySelector(".rm-spinner")).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("the live run page's cancel button", () => {
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  const id = "0b7e8a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b";

  async function cancelShown(me: { user: string; actions?: string[] }, requester: string) {
    vi.stubGlobal("location", { search: `?id=${id}` });
    vi.stubGlobal(
      "EventSource",
      class {
        static readonly CLOSED = 2;
        addEventListener() {}
      },
    );
    vi.stubGlobal("fetch", async (path: string) =>
      json(
        path === "/api/me" ? { groups: [], ...me } : { ...run, id, requester: { user: requester } },
      ),
    );
    try {
      vi.resetModules();
      const { initLiveRun } = await import("../src/scripts/live-run.ts");
      const { document } = parseHTML(`<!doctype html><html><body><p data-needs-server></p>
        <div data-live-run hidden><dl data-run-meta></dl><button data-cancel hidden></button>
        <p data-live-error hidden></p><div data-live-steps></div></div></body></html>`);
      await initLiveRun(document);
      return !document.querySelector<HTMLElement>("[data-cancel]")!.hidden;
    } finally {
      vi.unstubAllGlobals();
    }
  }

  it("is the requester's whatever the case of their address, and an admin's, as the server allows", async () => {
    expect(await cancelShown({ user: "Alice@Example.com" }, "alice@example.com")).toBe(true);
    expect(
      await cancelShown({ user: "carol@example.com", actions: ["admin"] }, "alice@example.com"),
    ).toBe(true);
    expect(await cancelShown({ user: "carol@example.com" }, "alice@example.com")).toBe(false);
  });
});

describe("the live run page's approval buttons", () => {
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  const id = "0b7e8a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b";

  /** Whether Approve is offered to a caller who may approve this runbook (`runbookActions`). */
  async function approveShown(runbookActions: string[]) {
    let source: { fire: (type: string, data: unknown) => void } | undefined;
    vi.stubGlobal("location", { search: `?id=${id}` });
    vi.stubGlobal(
      "EventSource",
      class {
        static readonly CLOSED = 2;
        readonly listeners = new Map<string, (e: unknown) => void>();
        constructor() {
          source = this;
        }
        addEventListener(type: string, f: (e: unknown) => void) {
          this.listeners.set(type, f);
        }
        fire(type: string, data: unknown) {
          this.listeners.get(type)?.({ data: JSON.stringify(data) });
        }
      },
    );
    vi.stubGlobal("fetch", async (path: string) => {
      // Approving is granted for some runbooks only: /api/me lists no approve.
      if (path === "/api/me") return json({ user: "lead@example.com", groups: [], actions: [] });
      if (path === "/api/runbooks") return json([{ id: "audit-iam", actions: runbookActions }]);
      return json({ ...run, id, requester: { user: "alice@example.com" } });
    });
    try {
      vi.resetModules();
      const { initLiveRun } = await import("../src/scripts/live-run.ts");
      const { document } = parseHTML(`<!doctype html><html><body><p data-needs-server></p>
        <div data-live-run hidden><dl data-run-meta></dl><button data-cancel hidden></button>
        <p data-live-error hidden></p><div data-live-steps></div></div></body></html>`);
      await initLiveRun(document);
      source!.fire("approval", { state: "requested", approvers: ["leads"] });
      return !document.querySelector<HTMLElement>("[data-approval-form]")!.hidden;
    } finally {
      vi.unstubAllGlobals();
    }
  }

  it("are offered to a caller who may approve this runbook only, and not to one who may not (review)", async () => {
    expect(await approveShown(["view", "approve"])).toBe(true);
    expect(await approveShown(["view"])).toBe(false);
  });
});
