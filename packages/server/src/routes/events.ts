/**
 * `GET /api/runs/{id}/events` (spec §5): Server-Sent Events with `id:` on each, what already
 * happened first (after `Last-Event-ID`, when the client resumes), then the rest live, and a
 * heartbeat comment so proxies keep the stream open. The stream ends after `run-end`, and when
 * the server stops (its `preClose` hook ends every open stream, which Fastify would otherwise
 * wait for: a followed stream is a hijacked response the heartbeat keeps busy).
 */
import path from "node:path";
import type { Caller } from "@run-md/access";
import { readReport } from "@run-md/core";
import type { FastifyInstance } from "fastify";
import { callerOf, type ServerContext } from "../context.ts";
import { SECURITY_HEADERS } from "../headers.ts";
import { HttpError } from "../http-error.ts";
import { FINAL_EVENT } from "../runs/events.ts";
import type { RunEvent, RunRecord } from "../runs/record.ts";
import { paramViewFor } from "./run-params.ts";
import { viewableRun } from "./runs.ts";

/** How often an open stream asks whether its caller's credentials still hold. */
const RECHECK_MS = 1000;
/** Streams one caller may hold open at once (tabs, dashboards), and all callers together. */
export const STREAMS_PER_CALLER = 16;
export const STREAMS_IN_ALL = 1000;
/**
 * What a stream may still hold unsent at a heartbeat before it is ended (bytes): a client that
 * does not read would otherwise have everything the run sends buffered for it.
 */
const MAX_UNSENT = 16 * 1024 * 1024;

/** Counts open streams by caller; refuses one past the limits (429). */
class StreamCount {
  private readonly byUser = new Map<string, number>();
  private total = 0;

  open(user: string): () => void {
    const mine = this.byUser.get(user) ?? 0;
    if (mine >= STREAMS_PER_CALLER || this.total >= STREAMS_IN_ALL) {
      throw new HttpError(
        429,
        mine >= STREAMS_PER_CALLER
          ? `you have ${mine} event streams open already (at most ${STREAMS_PER_CALLER}): close one first`
          : "the server follows as many event streams as it can: try again later",
        { code: "too-many-streams" },
      );
    }
    this.byUser.set(user, mine + 1);
    this.total++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.total--;
      const left = (this.byUser.get(user) ?? 1) - 1;
      if (left === 0) this.byUser.delete(user);
      else this.byUser.set(user, left);
    };
  }
}

/** The event id a client resumes after: `Last-Event-ID` (EventSource), else `?lastEventId=`. */
function resumeAfter(header: unknown, query: unknown): number {
  const raw = typeof header === "string" ? header : typeof query === "string" ? query : "0";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new HttpError(400, `Last-Event-ID "${raw}" is not an event id`, {
      field: "Last-Event-ID",
    });
  }
  return n;
}

/**
 * The queries the run's steps ran, by step id, from its stored report: for the step-end events
 * of a log written before they kept their query (a server upgraded with its runs on disk). Empty
 * when every step-end event has its query, or the run has no report that can be read: such a
 * step's query is then not known, and masking takes it to read every masked field. Never the
 * runbook as served now: a step edited since may no longer read the field its logged rows hold
 * under another name (red-team: `useridentity.arn AS actor` rewritten as `eventname AS actor`
 * sent the logged ARNs as they were).
 */
async function queriesAsRun(
  ctx: ServerContext,
  rec: RunRecord,
  log: readonly RunEvent[],
): Promise<Map<unknown, string>> {
  const queries = new Map<unknown, string>();
  const old = log.some((e) => e.event === "step-end" && typeof e.data.query !== "string");
  if (!old || rec.report === undefined) return queries;
  try {
    const report = await readReport(path.join(ctx.reportsDir, rec.report));
    for (const s of report.steps) if (typeof s.query === "string") queries.set(s.id, s.query);
  } catch {
    // Pruned or unreadable: the queries are not known.
  }
  return queries;
}

/**
 * A step-end event masked for the caller with its step's query, then without it: masking reads
 * the query to find a masked field read under another name (`useridentity.arn AS actor`), and
 * without it sent such rows as they were (red-team). An event logged before the log kept the
 * query takes it from the run's report (`asRun`), else it is not known (every masked field taken
 * as read).
 */
function stepEndFor(
  ctx: ServerContext,
  caller: Caller,
  runbook: string,
  asRun: Map<unknown, string>,
): (data: Record<string, unknown>) => Record<string, unknown> {
  return (data) => {
    const query = typeof data.query === "string" ? data.query : asRun.get(data.step);
    const { query: _query, ...masked } = ctx.rowsFor(caller, runbook, { ...data, query });
    return masked;
  };
}

/** A masked step-end's statistics, their bound parameters seen as the caller may see them. */
function withStats(
  data: Record<string, unknown>,
  view: (stats: unknown) => unknown,
): Record<string, unknown> {
  return { ...data, stats: view(data.stats) };
}

/**
 * Counts the caller's new stream (one person whatever the case of their address, through any of
 * their tokens); past the limit, 429, audited as every refusal is (spec §9).
 */
async function openCounted(
  ctx: ServerContext,
  counted: StreamCount,
  caller: Caller,
  rec: RunRecord,
): Promise<() => void> {
  try {
    return counted.open(caller.user.toLowerCase());
  } catch (e) {
    await ctx.auditor.record(caller, "access.refused", rec.runbook, {
      action: "view",
      run: rec.id,
      reason: "too-many-streams",
    });
    throw e;
  }
}

/**
 * An event's data as the caller may see it: a step's end through `stepEnd` with its statistics
 * masked, the run's parameters masked. The run's parameters as it ran (its run-start event's)
 * serve the bound values a step's statistics list; unknown before it started (every text
 * literal is then hidden).
 */
function shownData(
  log: readonly RunEvent[],
  stepEnd: ReturnType<typeof stepEndFor>,
  view: ReturnType<typeof paramViewFor>,
): (ev: RunEvent) => object {
  let ranWith = log.find((e) => e.event === "run-start")?.data.params;
  return (ev) => {
    if (ev.event === "run-start") ranWith = ev.data.params;
    if (ev.event === "step-end") {
      return withStats(stepEnd(ev.data), (stats) => view.stats(stats, ranWith));
    }
    if (ev.event === "run-start") return { ...ev.data, params: view.params(ev.data.params) };
    return ev.data;
  };
}

export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** The open streams, each by the function that ends it. */
  const open = new Set<() => void>();
  const counted = new StreamCount();
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });

  app.get("/api/runs/:id/events", async (req, reply) => {
    const caller = callerOf(req);
    const rec = await viewableRun(ctx, caller, (req.params as { id: string }).id);
    // Live in memory while the run is active; an ended run's, read from disk (500 when damaged).
    const log = await ctx.runs.store.events(rec);
    const stepEnd = stepEndFor(ctx, caller, rec.runbook, await queriesAsRun(ctx, rec, log));
    const view = paramViewFor(ctx, caller, rec);
    const after = resumeAfter(
      req.headers["last-event-id"],
      (req.query as { lastEventId?: unknown }).lastEventId,
    );
    const release = await openCounted(ctx, counted, caller, rec);
    reply.hijack();
    const res = reply.raw;
    // A hijacked answer skips the onSend hook: the security headers are written here.
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 3000\n\n");
    let stop = () => {};
    const heartbeat = setInterval(() => {
      if (res.writableLength > MAX_UNSENT) end();
      else res.write(": heartbeat\n\n");
    }, ctx.heartbeatMs);
    // The caller's token or session is asked again as the stream goes: one revoked, expired or
    // signed out since it opened ends it (a run waiting for approval streams for hours).
    const recheck = setInterval(async () => {
      const reason = await ctx.identifier.lapsed(req).catch(() => "credentials unreadable");
      if (reason === undefined || res.writableEnded) return;
      end();
      await ctx.auditor
        .record(caller, "auth.refused", rec.runbook, { reason, stream: rec.id, peer: req.ip })
        .catch(() => {});
    }, RECHECK_MS);
    const end = () => {
      open.delete(end);
      release();
      clearInterval(heartbeat);
      clearInterval(recheck);
      stop();
      if (!res.writableEnded) res.end();
    };
    const shown = shownData(log, stepEnd, view);
    const send = (ev: RunEvent) => {
      const data = shown(ev);
      res.write(
        `id: ${ev.id}\nevent: ${ev.event}\ndata: ${JSON.stringify({ ...data, time: ev.time })}\n\n`,
      );
      if (ev.event === FINAL_EVENT) setImmediate(end);
    };
    open.add(end);
    req.raw.on("close", end);
    res.on("close", end);
    // A client gone while the run was looked up (before the listeners above) sends no `close`
    // again: without this its slot and timers stayed until the run ended (red-team).
    if (req.raw.destroyed || res.destroyed || req.raw.socket.destroyed) return end();
    const followed = ctx.runs.hub.follow(rec, log, after, send);
    stop = followed.stop;
    // A run that has ended (its replay sent, or nothing left after `after`) ends the stream now.
    if (followed.ended) end();
  });
}
