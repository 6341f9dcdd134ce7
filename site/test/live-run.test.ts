/** The live run view: each event of a run turned into the report components' markup (linkedom). */
import type { StepReport } from "@run-md/core";
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { applyEvent, type LiveEvent, reportLinks, streamLost } from "../src/lib/live-run.ts";

function view() {
  const { document } = parseHTML(
    `<!doctype html><html><body><div data-live-run><p data-run-status></p><div data-live-steps></div><p data-run-end hidden></p></div></body></html>`,
  );
  return document.querySelector<HTMLElement>("[data-live-run]")!;
}

// Raw records of the step, and the check's truth computed from them here: principals with
// more than `threshold` denied calls offend.
const calls: [string, number][] = [
  ["arn:aws:iam::111122223333:user/alice", 3],
  ["arn:aws:iam::111122223333:user/<script>alert(1)</script>", 71],
  ["arn:aws:iam::111122223333:user/mallory", 64],
];
const threshold = 50;
const offenders = calls.filter(([, n]) => n > threshold);

const stepEnd: StepReport = {
  id: "denied_by_principal",
  title: "Denied calls by principal",
  dialect: "sql",
  engine: "local",
  optional: false,
  status: "failed",
  durationMs: 412,
  query: "select ...",
  window: { start: "2026-11-23T00:00:00Z", end: "2026-11-24T00:00:00Z" },
  stats: { dataScannedInBytes: 3_500_000 },
  columns: [
    { name: "principal", type: "varchar" },
    { name: "calls", type: "bigint" },
  ] as StepReport["columns"],
  rows: calls,
  rowCount: calls.length,
  truncated: false,
  warnings: [],
  checks: [
    {
      check: `every calls <= ${threshold}`,
      label: "nobody is denied in bursts",
      line: 20,
      warn: false,
      status: "failed",
      actual: offenders.length,
      message: `${offenders.length} of ${calls.length} rows have calls > ${threshold}`,
      offendingRows: offenders.map(([principal, n]) => ({ principal, calls: n })),
      offendingCount: offenders.length,
    },
  ],
};

const ev = (type: string, data: Record<string, unknown>): LiveEvent => ({ type, data });

describe("the live run view", () => {
  it("shows a step with a spinner when it starts, and its result, checks and offending rows when it ends", () => {
    const root = view();
    applyEvent(root, ev("run-start", {}));
    expect(root.dataset.runState).toBe("running");
    applyEvent(
      root,
      ev("step-start", {
        step: "denied_by_principal",
        title: "Denied calls by principal",
        engine: "local",
      }),
    );
    const block = root.querySelector<HTMLElement>('[data-live-step="denied_by_principal"]')!;
    expect(block.dataset.stepState).toBe("running");
    expect(block.querySelector(".rm-spinner")).not.toBeNull();
    expect(block.querySelector("h3")!.textContent).toBe("Denied calls by principal");
    applyEvent(
      root,
      ev("step-progress", { step: "denied_by_principal", message: "1.2 MB scanned" }),
    );
    expect(block.querySelector("[data-step-progress]")!.textContent).toBe("1.2 MB scanned…");

    applyEvent(root, ev("step-end", { step: stepEnd }));
    expect(block.dataset.stepState).toBe("ended");
    expect(block.querySelector(".rm-spinner")).toBeNull();
    const result = block.querySelector('[data-step-result="denied_by_principal"]')!;
    expect(result.querySelector('.rm-status[data-status="failed"]')!.textContent).toBe("✗ failed");
    expect(result.textContent).toContain("412 ms");
    expect(result.textContent).toContain("3.50 MB");
    expect(result.querySelectorAll(".rm-rows tbody tr")).toHaveLength(calls.length);

    const check = block.querySelector('[data-expect="denied_by_principal"] tr.rm-check')!;
    expect(check.getAttribute("data-check-status")).toBe("failed");
    expect(check.querySelector("code")!.textContent).toBe("every calls <= 50");
    expect(check.querySelector(".rm-actual")!.textContent).toBe(String(offenders.length));
    const offending = block.querySelector(".rm-offending")!;
    const cells = [...offending.querySelectorAll("table > tbody > tr")].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent),
    );
    expect(cells).toEqual(offenders.map(([p, n]) => [p, String(n)]));
    expect(offending.querySelector("caption")!.textContent).toBe("Offending rows");
  });

  it("shows a pass in a step that errored as not judged, never as passed", () => {
    // A log file was not read: the check judged part of the data only.
    const errored: StepReport = {
      ...stepEnd,
      status: "errored",
      error: { code: "unread-files", message: "1 file was not read" },
      checks: [{ ...stepEnd.checks[0]!, status: "passed", offendingRows: [], offendingCount: 0 }],
    };
    const root = view();
    applyEvent(root, ev("step-start", { step: errored.id, title: errored.title, engine: "local" }));
    applyEvent(root, ev("step-end", { step: errored }));
    const check = root.querySelector(`[data-expect="${errored.id}"] tr.rm-check`)!;
    expect(check.getAttribute("data-check-status")).toBe("unjudged");
    expect(check.className).not.toContain("rm-check--passed");
    expect(check.textContent).not.toContain("✓");
  });

  it("renders server text as text: markup in a value never becomes an element", () => {
    const root = view();
    applyEvent(
      root,
      ev("step-end", { step: { ...stepEnd, title: "<img src=x onerror=alert(1)>" } }),
    );
    expect(root.querySelector("script")).toBeNull();
    expect(root.querySelector("img")).toBeNull();
    expect(root.textContent).toContain("user/<script>alert(1)</script>");
    expect(root.querySelector("h3")!.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  it("shows a right-to-left override or a hidden control in a value, a warning or an error as \\uXXXX", () => {
    const root = view();
    const spoof = "invoice\u202egpj.exe";
    applyEvent(
      root,
      ev("step-end", {
        step: {
          ...stepEnd,
          rows: [[spoof, 1]],
          warnings: [`skipped ${spoof}`],
          status: "errored",
          error: { code: "local-query", message: `bad \u0007${spoof}`, hint: spoof },
        },
      }),
    );
    const text = root.textContent!;
    expect(text).not.toMatch(/[\u202e\u0007]/);
    expect(text).toContain("skipped invoice\\u202egpj.exe");
    expect(text).toContain("bad \\u0007invoice\\u202egpj.exe");
    expect(text).toContain("Hint: invoice\\u202egpj.exe");
    expect(root.querySelector("td")!.textContent).toBe("invoice\\u202egpj.exe");
  });

  it("keeps one block per step, in the order steps start, when events are replayed", () => {
    const root = view();
    for (const id of ["a", "b", "a"]) applyEvent(root, ev("step-start", { step: id }));
    applyEvent(root, ev("step-end", { step: { ...stepEnd, id: "b" } }));
    applyEvent(root, ev("step-end", { step: { ...stepEnd, id: "b" } }));
    const ids = [...root.querySelectorAll<HTMLElement>("[data-live-step]")].map(
      (b) => b.dataset.liveStep,
    );
    expect(ids).toEqual(["a", "b"]);
    expect(root.querySelectorAll('[data-live-step="b"] [data-expect]')).toHaveLength(1);
  });

  it("links a full run to its page, and an investigation (which has none) to its report's JSON", () => {
    const full = reportLinks("r1", "x", {
      report: "x/2026-11-24T10-00-00.123Z.json",
      kind: "full",
    });
    expect(full).toEqual({
      json: "/api/runs/r1",
      page: "/runbooks/x/runs/2026-11-24T10-00-00.123Z/",
    });
    const investigation = reportLinks("r1", "x", {
      report: "x/2026-11-24T10-00-00.123Z.json",
      kind: "investigation",
    });
    expect(investigation).toEqual({
      json: "/api/runs/r1",
      page: "/reports/x/2026-11-24T10-00-00.123Z.json",
    });
  });

  it("ends the run with its status and a link to its report", () => {
    const root = view();
    applyEvent(root, ev("run-end", { status: "failed", report: "x/1.json" }), (d) => ({
      json: "/api/runs/r1",
      ...(typeof d.report === "string" ? { page: "/runbooks/x/runs/1/" } : {}),
    }));
    expect(root.dataset.runState).toBe("ended");
    expect(root.querySelector('[data-run-status] .rm-status[data-status="failed"]')).not.toBeNull();
    const end = root.querySelector<HTMLElement>("[data-run-end]")!;
    expect(end.hidden).toBe(false);
    expect(end.querySelector('a[data-report-link="json"]')!.getAttribute("href")).toBe(
      "/api/runs/r1",
    );
    expect(end.querySelector('a[data-report-link="page"]')!.getAttribute("href")).toBe(
      "/runbooks/x/runs/1/",
    );
  });
});

describe("a live run that passed over steps that warned", () => {
  it("says the first warning and how many more where it says the run ended, not only under the step", () => {
    const root = view();
    const warnings = ["the window's day 2026-11-23 (UTC) has no log file with events", "second"];
    const passed: StepReport = {
      ...stepEnd,
      status: "passed",
      warnings,
      checks: stepEnd.checks.map((c) => ({ ...c, status: "passed" as const })),
    };
    const quiet: StepReport = { ...passed, id: "other", warnings: ["third"] };
    applyEvent(root, ev("step-end", { report: passed }));
    applyEvent(root, ev("step-end", { report: quiet }));
    applyEvent(root, ev("run-end", { status: "passed" }));
    const end = root.querySelector<HTMLElement>("[data-run-end]")!;
    expect(end.querySelector("[data-run-warning]")?.textContent).toBe(
      `⚠ warning in ${stepEnd.id}: ${warnings[0]} (and 2 more)`,
    );
    // A run whose steps did not warn says nothing of warnings.
    const clean = view();
    applyEvent(clean, ev("step-end", { report: { ...passed, warnings: [] } }));
    applyEvent(clean, ev("run-end", { status: "passed" }));
    expect(clean.querySelector("[data-run-warning]")).toBeNull();
  });
});

describe("a step whose text values the server hid from the caller (masking)", () => {
  it("shows why beside the step, as a note that is not counted among the warnings", () => {
    const root = view();
    const masked =
      "text values hidden for your groups: this step reads useridentity.arn under another column name, which masking by name cannot follow";
    const passed = {
      ...stepEnd,
      status: "passed" as const,
      checks: [],
      warnings: ["the window's day 2026-11-23 (UTC) has no log file with events"],
      masked,
    };
    applyEvent(root, ev("step-end", { report: passed }));
    applyEvent(root, ev("run-end", { status: "passed" }));
    expect(root.querySelector("[data-step-masked]")?.textContent).toBe(masked);
    expect(root.querySelectorAll(".rm-warnings > li")).toHaveLength(1);
    expect(root.querySelector("[data-run-warning]")?.textContent).toBe(
      `⚠ warning in ${stepEnd.id}: ${passed.warnings[0]}`,
    );
  });
});

describe("a live run that stops without its steps' ends", () => {
  it("stops the spinner of a step the run ended without (a cancelled run)", () => {
    const root = view();
    applyEvent(root, ev("run-start", {}));
    applyEvent(root, ev("step-start", { step: "slow", engine: "athena" }));
    applyEvent(root, ev("run-end", { status: "cancelled" }));
    const block = root.querySelector<HTMLElement>('[data-live-step="slow"]')!;
    expect(block.querySelector(".rm-spinner")).toBeNull();
    expect(block.dataset.stepState).toBe("unfinished");
    expect(block.textContent).toContain("did not finish");
  });

  it("says a lost stream is no longer live instead of showing the run as running", () => {
    const root = view();
    root.insertAdjacentHTML("beforeend", "<p data-live-error hidden></p>");
    applyEvent(root, ev("run-start", {}));
    applyEvent(root, ev("step-start", { step: "slow" }));
    streamLost(root, "Your session ended: sign in again to follow this run.");
    expect(root.dataset.runState).toBe("disconnected");
    expect(root.querySelector("[data-run-status]")!.textContent).toBe("disconnected");
    expect(root.querySelector(".rm-spinner")).toBeNull();
    const error = root.querySelector<HTMLElement>("[data-live-error]")!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toContain("sign in again");
  });

  it("leaves an ended run as it ended when the stream closes after it", () => {
    const root = view();
    applyEvent(root, ev("run-end", { status: "passed" }));
    streamLost(root, "gone");
    expect(root.dataset.runState).toBe("ended");
  });
});

describe("the end of a run over the bundled sample data", () => {
  it("says its findings are about generated events, as the site's run page does (review: the live view did not)", () => {
    const root = view();
    applyEvent(root, ev("run-end", { status: "failed", sampleData: true }));
    const end = root.querySelector<HTMLElement>("[data-run-end]")!;
    expect(end.querySelector("[data-sample-note]")?.textContent).toBe(
      "⚠ this run read the bundled sample data (local.logDir: sample), not your CloudTrail logs: what it found is about generated events",
    );
    // A run over real logs says nothing of it.
    const real = view();
    applyEvent(real, ev("run-end", { status: "failed" }));
    expect(real.querySelector("[data-sample-note]")).toBeNull();
  });
});
