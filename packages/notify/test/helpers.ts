/** A local HTTP receiver on 127.0.0.1 that records every request, and report builders. */
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { RunReport, RunStatus } from "@run-md/core";

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a request body as parsed JSON
  json: any;
}

export type Answer = (req: Received, res: ServerResponse) => void;

export async function startReceiver(answer: Answer = (_r, res) => res.writeHead(200).end("ok")) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const r = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, text, json };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: a target that is down. */
export async function deadUrl(): Promise<string> {
  const r = await startReceiver();
  await r.close();
  return r.url;
}

/** A report of `runbookId` with the given status; a failed one names an attacker-controlled actor. */
export function report(
  runbookId: string,
  status: RunStatus,
  opts: { actor?: string; severity?: string; startedAt?: string; title?: string } = {},
): RunReport {
  const failed = status === "failed";
  const startedAt = opts.startedAt ?? "2026-11-24T02:00:00.000Z";
  return {
    reportVersion: 1,
    tool: { name: "run-md", version: "0.1.0" },
    runId: `run-${runbookId}-${startedAt}`,
    runbook: {
      id: runbookId,
      path: `runbooks/${runbookId}.md`,
      title: opts.title ?? "Audit IAM changes",
      severity: opts.severity ?? "high",
      owner: "security-team",
      tags: [],
      sourceHash: "0".repeat(64),
      escalation: "Page the security on-call.",
    },
    status,
    startedAt,
    endedAt: startedAt,
    durationMs: 1000,
    engine: "local",
    params: {},
    window: { start: "2026-11-17T02:00:00Z", end: "2026-11-24T02:00:00Z", source: "window: 7d" },
    steps: [
      {
        id: "changes_outside_automation",
        dialect: "sql",
        engine: "local",
        optional: false,
        status: failed ? "failed" : "passed",
        durationMs: 500,
        query: "SELECT 1",
        window: { start: "2026-11-17T02:00:00Z", end: "2026-11-24T02:00:00Z" },
        stats: {},
        columns: [
          { name: "eventtime", type: "varchar" },
          { name: "actor", type: "varchar" },
          { name: "eventname", type: "varchar" },
        ],
        rows: failed
          ? [
              [
                "2026-11-24T01:45:00Z",
                opts.actor ?? "arn:aws:iam::111122223333:user/mallory",
                "CreateUser",
              ],
            ]
          : [],
        rowCount: failed ? 1 : 0,
        truncated: false,
        warnings: [],
        checks: [
          {
            check: "rows == 0",
            label: "nobody outside the automation roles changed IAM",
            line: 30,
            warn: false,
            status: failed ? "failed" : "passed",
            actual: failed ? 1 : 0,
            message: failed ? "rows = 1, expected == 0" : "rows = 0, expected == 0",
          },
        ],
      },
    ],
    summary: {
      checks: { passed: failed ? 0 : 1, warned: 0, failed: failed ? 1 : 0, errored: 0 },
      steps: {
        passed: failed ? 0 : 1,
        warned: 0,
        failed: failed ? 1 : 0,
        errored: 0,
        skipped: 0,
        cancelled: 0,
      },
    },
  } as RunReport;
}
