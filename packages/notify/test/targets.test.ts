import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Alert,
  alertsFor,
  DELIVERY_HEADER,
  deliver,
  deliveryProblems,
  type NotifyConfig,
  notify,
  notifyConfigMistakes,
  parseNotifyConfig,
  retryAfterMs,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from "@run-md/notify";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { afterEach, describe, expect, it } from "vitest";
import { deadUrl, type Received, report, startReceiver } from "./helpers.ts";

/** A user name an attacker chose: Slack mentions, a Slack link, Markdown and HTML. */
const EVIL =
  "arn:aws:iam::111122223333:user/<!channel>*bold*_[x](https://evil.example)<img src=x>@admins";
const FAST = { attempts: 3, backoffMs: 5, timeoutMs: 2000 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(answer);
  closers.push(r.close);
  return r;
}

function config(targets: unknown[], extra: Record<string, unknown> = {}): NotifyConfig {
  const parsed = parseNotifyConfig({ targets, retry: FAST, ...extra }, "run-md.config.yaml", {
    SLACK_URL: "unused",
    PD_KEY: "R0UTINGKEY",
    GH_TOKEN: "ghp_test",
    HOOK_SECRET: "s3cret",
  });
  // The configuration's site.url, which the CLI and the nightly job pass on.
  return { ...parsed, siteUrl: "https://sec.example.com/runbooks" };
}

async function failingAlert(actor = EVIL): Promise<Alert[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-notify-"));
  return alertsFor(
    [
      {
        report: report("audit-iam", "failed", { actor }),
        reportFile: path.join(dir, "audit-iam", "2026-11-24T02-00-00.000Z.json"),
      },
    ],
    config([]),
    { reportsDir: dir, now: new Date("2026-11-24T02:01:00Z") },
  );
}

describe("an alert of a run over the bundled sample data", () => {
  // A nightly set up before local.logDir pointed at the real logs: its planted incidents must not
  // page anyone as the account's findings.
  it("says so in its headline, which every target leads with", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-notify-sample-"));
    const sample = { ...report("audit-iam", "failed"), sampleData: true as const };
    const alerts = await alertsFor(
      [
        {
          report: sample,
          reportFile: path.join(dir, "audit-iam", "2026-11-24T02-00-00.000Z.json"),
        },
      ],
      config([]),
      { reportsDir: dir, now: new Date("2026-11-24T02:01:00Z") },
    );
    const slack = await receiver();
    const pager = await receiver();
    await deliver(
      alerts,
      config([
        { type: "slack", url: `${slack.url}/hook` },
        { type: "pagerduty", url: `${pager.url}/v2/enqueue`, routingKeyEnv: "PD_KEY" },
      ]),
    );
    const said =
      "Audit IAM changes failed (severity high); this run read the bundled sample data (local.logDir: sample), not your CloudTrail logs: what it found is about generated events";
    expect(slack.received[0]!.json.text).toBe(`:red_circle: run-md: ${said}`);
    expect(pager.received[0]!.json.payload.summary).toContain(said);
    // A run over real logs says nothing of it.
    expect((await failingAlert())[0]!.sampleData).toBeUndefined();
  });
});

describe("Slack", () => {
  it("posts text and blocks with the finding, the offender escaped, and the run's link", async () => {
    const r = await receiver();
    const [d] = await deliver(
      await failingAlert(),
      config([{ type: "slack", url: `${r.url}/hook` }]),
    );
    expect(d).toMatchObject({ target: "slack", ok: true, attempts: 1, alerts: 1 });
    const body = r.received[0]!.json;
    expect(r.received[0]!.headers["content-type"]).toBe("application/json");
    expect(body.text).toBe(":red_circle: run-md: Audit IAM changes failed (severity high)");
    const section = body.blocks[0].text.text as string;
    expect(section).toContain("Failed check: rows == 0 in step changes_outside_automation");
    expect(section).toContain("rows = 1, expected == 0");
    // `<!channel>` would notify everyone; `<...|...>` would be a link: both are escaped.
    expect(section).toContain(
      "First offender: actor = arn:aws:iam::111122223333:user/&lt;!channel&gt;",
    );
    expect(section).not.toContain("<!channel>");
    expect(section).not.toContain("<img");
    expect(section).toContain(
      "<https://sec.example.com/runbooks/runbooks/audit-iam/runs/2026-11-24T02-00-00.000Z/|Open this run>",
    );
  });

  it("retries a 503 with backoff and succeeds", async () => {
    let n = 0;
    const r = await receiver((_req, res) => {
      n++;
      res.writeHead(n < 3 ? 503 : 200).end(n < 3 ? "busy" : "ok");
    });
    const [d] = await deliver(await failingAlert(), config([{ type: "slack", url: r.url }]));
    expect(d).toMatchObject({ ok: true, attempts: 3 });
  });

  it("waits as long as a 429's Retry-After asks before trying again (Slack's rate limit)", async () => {
    const at: number[] = [];
    const r = await receiver((_req, res) => {
      at.push(Date.now());
      if (at.length === 1) res.writeHead(429, { "retry-after": "1" }).end("rate_limited");
      else res.writeHead(200).end("ok");
    });
    const [d] = await deliver(await failingAlert(), config([{ type: "slack", url: r.url }]));
    expect(d).toMatchObject({ ok: true, attempts: 2 });
    // The backoff alone (5 ms here) would have tried again at once, into the same limit.
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(990);
  });

  it("reads Retry-After as seconds or as an HTTP date (RFC 9110)", () => {
    const now = Date.parse("2026-12-07T09:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7000);
    expect(retryAfterMs("Mon, 07 Dec 2026 09:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("Mon, 07 Dec 2026 08:59:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it("stops at a Retry-After longer than it waits for, saying how long it was asked to wait", async () => {
    const r = await receiver((_req, res) =>
      res.writeHead(429, { "retry-after": "120" }).end("rate_limited"),
    );
    const [d] = await deliver(await failingAlert(), config([{ type: "slack", url: r.url }]));
    expect(d).toMatchObject({ ok: false, attempts: 1 });
    expect(r.received).toHaveLength(1);
    expect(deliveryProblems([d!])).toEqual([
      `notification to slack failed after 1 attempt: HTTP 429 from ${new URL(r.url).host}: rate_limited (asked to wait 120 s, longer than 30 s)`,
    ]);
  });

  it("gives up at once on a 404 (a wrong URL), reporting it", async () => {
    const r = await receiver((_req, res) => res.writeHead(404).end("no_service"));
    const [d] = await deliver(await failingAlert(), config([{ type: "slack", url: r.url }]));
    expect(d).toMatchObject({ ok: false, attempts: 1 });
    expect(deliveryProblems([d!])).toEqual([
      `notification to slack failed after 1 attempt: HTTP 404 from ${new URL(r.url).host}: no_service`,
    ]);
  });
});

describe("a target that is not usable", () => {
  it("is reported as not sent, not as failed after 0 attempts, and the others are told", async () => {
    const ok = await receiver();
    // As the senders read it when the runs are done: the mistake kept, the target unusable.
    const lenient = parseNotifyConfig(
      {
        targets: [
          { type: "slack", url: "hooks.example.com/x" },
          { type: "teams", url: ok.url },
        ],
      },
      "run-md.config.yaml",
      {},
      () => {},
    );
    const deliveries = await deliver(await failingAlert(), lenient);
    expect(deliveries.map((d) => [d.target, d.ok, d.attempts])).toEqual([
      ["slack (notify.targets[0])", false, 0],
      ["teams", true, 1],
    ]);
    expect(deliveryProblems(deliveries)).toEqual([
      "notification to slack (notify.targets[0]) not sent: the target is not usable: run-md.config.yaml: notify.targets[0].url must be an http(s) URL such as https://hooks.example.com/run-md",
    ]);
    expect(ok.received).toHaveLength(1);
  });
});

describe("a target that is down", () => {
  it("is retried, reported, and does not stop the other targets", async () => {
    const ok = await receiver();
    const deliveries = await deliver(
      await failingAlert(),
      config([
        { type: "slack", name: "down", url: await deadUrl() },
        { type: "teams", url: ok.url },
      ]),
    );
    expect(deliveries.map((d) => [d.target, d.ok, d.attempts])).toEqual([
      ["down", false, 3],
      ["teams", true, 1],
    ]);
    expect(deliveryProblems(deliveries)[0]).toMatch(
      /^notification to down failed after 3 attempts: /,
    );
    expect(ok.received).toHaveLength(1);
  });
});

describe("a target that answers a redirect", () => {
  it("is a failed delivery, not a GET of the new address that answers 200 (a proxy's login page read as delivered)", async () => {
    // 302 turns fetch's POST into a GET without the message; the page it lands on answers 200.
    const r = await receiver((req, res) => {
      if (req.path === "/hook") res.writeHead(302, { location: "/login?next=%2Fhook" }).end();
      else res.writeHead(200).end("<html>Sign in</html>");
    });
    const [d] = await deliver(
      await failingAlert(),
      config([{ type: "slack", url: `${r.url}/hook` }]),
    );
    expect(d).toMatchObject({ ok: false, attempts: 1 });
    expect(r.received.map((q) => `${q.method} ${q.path}`)).toEqual(["POST /hook"]);
    expect(deliveryProblems([d!])).toEqual([
      `notification to slack failed after 1 attempt: HTTP 302 from ${new URL(r.url).host}: a redirect (to ${new URL(r.url).host}), not followed: a message sent on would be a GET without its body, or go to another host; give the target's own address`,
    ]);
  });

  it("is not followed to another host, which would get the message and its secrets (PagerDuty's routing key, a webhook's signature)", async () => {
    const other = await receiver();
    const r = await receiver((_req, res) =>
      res.writeHead(307, { location: `${other.url}/steal` }).end(),
    );
    const [d] = await deliver(
      await failingAlert(),
      config([{ type: "pagerduty", url: `${r.url}/v2/enqueue`, routingKeyEnv: "PD_KEY" }]),
      new Date("2026-11-24T02:01:00Z"),
    );
    expect(d).toMatchObject({ ok: false, attempts: 1 });
    expect(other.received).toEqual([]);
  });

  it("follows a 307 or 308 on the same host with the same method and body (a GitHub repository renamed)", async () => {
    const r = await receiver((req, res) => {
      if (req.path === "/old") res.writeHead(308, { location: "/new" }).end();
      else res.writeHead(200).end("ok");
    });
    const [d] = await deliver(
      await failingAlert(),
      config([{ type: "slack", url: `${r.url}/old` }]),
    );
    expect(d).toMatchObject({ ok: true, attempts: 1 });
    expect(r.received.map((q) => `${q.method} ${q.path}`)).toEqual(["POST /old", "POST /new"]);
    expect(r.received[1]!.json.text).toBe(r.received[0]!.json.text);
  });
});

describe("PagerDuty Events API v2", () => {
  it("triggers with a stable dedup_key per runbook, and resolves it on recovery", async () => {
    const r = await receiver((_req, res) =>
      res.writeHead(202, { "content-type": "application/json" }).end('{"status":"success"}'),
    );
    const cfg = config([
      { type: "pagerduty", url: `${r.url}/v2/enqueue`, routingKeyEnv: "PD_KEY" },
    ]);
    await deliver(await failingAlert(), cfg, new Date("2026-11-24T02:01:00Z"));
    const recovered: Alert = { ...(await failingAlert())[0]!, kind: "recovered", status: "passed" };
    await deliver([recovered], cfg);
    const [trigger, resolve] = r.received.map((x) => x.json);
    expect(r.received[0]!.path).toBe("/v2/enqueue");
    expect(trigger).toMatchObject({
      routing_key: "R0UTINGKEY",
      event_action: "trigger",
      dedup_key: "run-md/audit-iam",
      payload: {
        source: "run-md",
        severity: "error",
        component: "audit-iam",
        group: "security-team",
        timestamp: "2026-11-24T02:01:00.000Z",
      },
      links: [
        {
          href: "https://sec.example.com/runbooks/runbooks/audit-iam/runs/2026-11-24T02-00-00.000Z/",
        },
      ],
    });
    expect(trigger.payload.summary).toBe(
      `Audit IAM changes failed (severity high): actor = ${EVIL}`,
    );
    expect(trigger.payload.custom_details.found[0]).toContain("Failed check: rows == 0");
    expect(resolve).toEqual({
      routing_key: "R0UTINGKEY",
      dedup_key: "run-md/audit-iam",
      event_action: "resolve",
    });
  });
});

describe("Microsoft Teams (workflow webhook)", () => {
  it("posts a message with an Adaptive Card, every value Markdown-escaped", async () => {
    const r = await receiver((_req, res) => res.writeHead(202).end());
    const [d] = await deliver(await failingAlert(), config([{ type: "teams", url: r.url }]));
    expect(d!.ok).toBe(true);
    const msg = r.received[0]!.json;
    expect(msg.type).toBe("message");
    const att = msg.attachments[0];
    expect(att.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(att.content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    const texts = (att.content.body as { type: string; text?: string }[])
      .filter((b) => b.type === "TextBlock")
      .map((b) => b.text);
    const offender = texts.find((t) => t?.startsWith("First offender"))!;
    expect(offender).toContain(
      "\\<!channel\\>\\*bold\\*\\_\\[x\\](https\\://evil.example)\\<img src=x\\>@\u200dadmins",
    );
    const action = (att.content.body as { type: string; actions?: { url: string }[] }[]).find(
      (b) => b.type === "ActionSet",
    );
    expect(action!.actions![0]!.url).toBe(
      "https://sec.example.com/runbooks/runbooks/audit-iam/runs/2026-11-24T02-00-00.000Z/",
    );
  });
});

describe("GitHub issues", () => {
  /** A tiny GitHub: issues by number, labels, comments, state. */
  function fakeGitHub() {
    const issues: {
      number: number;
      title: string;
      body: string;
      labels: string[];
      state: string;
      comments: string[];
    }[] = [];
    const answer = (req: Received, res: import("node:http").ServerResponse) => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.headers.authorization !== "Bearer ghp_test")
        return json(401, { message: "Bad credentials" });
      const url = new URL(req.path, "http://x");
      const m = /^\/api\/v3\/repos\/acme\/security\/issues(?:\/(\d+)(\/comments)?)?$/.exec(
        url.pathname,
      );
      if (!m) return json(404, { message: "Not Found" });
      if (req.method === "GET") {
        const want = (url.searchParams.get("labels") ?? "").split(",");
        return json(
          200,
          issues.filter(
            (i) =>
              i.state === url.searchParams.get("state") && want.every((l) => i.labels.includes(l)),
          ),
        );
      }
      if (req.method === "POST" && !m[1]) {
        const issue = { number: issues.length + 1, ...req.json, state: "open", comments: [] };
        issues.push(issue);
        return json(201, issue);
      }
      const issue = issues.find((i) => i.number === Number(m[1]))!;
      if (req.method === "POST" && m[2]) {
        issue.comments.push(req.json.body);
        return json(201, {});
      }
      Object.assign(issue, req.json);
      return json(200, issue);
    };
    return { issues, answer };
  }

  /** A GitHub target pointed at a tiny GitHub of its own. */
  async function gitHubTarget() {
    const gh = fakeGitHub();
    const r = await receiver(gh.answer);
    const cfg = config([
      { type: "github", apiUrl: `${r.url}/api/v3`, repo: "acme/security", tokenEnv: "GH_TOKEN" },
    ]);
    return { gh, r, cfg };
  }

  it("a storm (7 runbooks failing at once) opens one issue naming them all, closed when the last recovers", async () => {
    const { gh, cfg } = await gitHubTarget();
    const reportsDir = await mkdtemp(path.join(tmpdir(), "run-md-gh-storm-"));
    const ids = Array.from({ length: 7 }, (_, i) => `runbook-${i + 1}`);
    const night = (h: number, status: (id: string) => "failed" | "passed") => {
      const startedAt = new Date(Date.UTC(2026, 10, 24 + h)).toISOString();
      return notify(
        ids.map((id) => ({
          report: report(id, status(id), { startedAt, title: `Title of ${id}` }),
        })),
        cfg,
        { reportsDir, now: new Date(startedAt) },
      );
    };
    await night(0, () => "failed");
    expect(gh.issues).toHaveLength(1);
    for (const id of ids) expect(gh.issues[0]!.body).toContain(`Title of ${id}`);
    await night(1, (id) => (id === "runbook-7" ? "failed" : "passed"));
    expect(gh.issues[0]!.state).toBe("open");
    await night(2, () => "passed");
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.state).toBe("closed");
  });

  it("opens one issue per failing runbook, comments while it fails, closes it on recovery", async () => {
    const { gh, r, cfg } = await gitHubTarget();
    const [first] = await failingAlert();
    expect((await deliver([first!], cfg))[0]).toMatchObject({ ok: true });
    await deliver([{ ...first!, kind: "reminder" }], cfg);
    await deliver([{ ...first!, kind: "recovered", status: "passed" }], cfg);

    expect(gh.issues).toHaveLength(1);
    const issue = gh.issues[0]!;
    expect(issue).toMatchObject({
      title: "run-md: Audit IAM changes failed",
      labels: ["run-md", "runbook:audit-iam"],
      state: "closed",
      state_reason: "completed",
    });
    expect(issue.body).toContain(
      "- Failed check: rows == 0 in step changes\\_outside\\_automation",
    );
    expect(issue.body).toContain("user/\\<!channel\\>\\*bold\\*");
    // As GitHub renders it: no element from the value, no link to it.
    const html = micromark(issue.body, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html).not.toMatch(/<img|<a href="https:\/\/evil/);
    expect(issue.body).toContain(
      "[Open this run](https://sec.example.com/runbooks/runbooks/audit-iam/runs/2026-11-24T02-00-00.000Z/)",
    );
    expect(issue.comments).toHaveLength(2);
    expect(issue.comments[0]).toContain("still failing");
    expect(issue.comments[1]).toContain("Audit IAM changes recovered");
    const headers = r.received[0]!.headers;
    expect(headers.accept).toBe("application/vnd.github+json");
    expect(headers["x-github-api-version"]).toBe("2022-11-28");
    expect(r.received.map((x) => `${x.method} ${x.path.split("?")[0]}`)).toEqual([
      "GET /api/v3/repos/acme/security/issues",
      "POST /api/v3/repos/acme/security/issues",
      "GET /api/v3/repos/acme/security/issues",
      "POST /api/v3/repos/acme/security/issues/1/comments",
      "GET /api/v3/repos/acme/security/issues",
      "POST /api/v3/repos/acme/security/issues/1/comments",
      "PATCH /api/v3/repos/acme/security/issues/1",
    ]);
  });

  it("keeps an investigation's issue apart: the runbook's recovery never closes it", async () => {
    const { gh, cfg } = await gitHubTarget();
    const [full] = await failingAlert();
    const investigation = {
      ...full!,
      investigation: "0123456789abcdef",
      about: "access_key_id=AKIA0000000000000001",
    };
    await deliver([investigation], cfg);
    await deliver([full!], cfg);
    await deliver([{ ...full!, kind: "recovered", status: "passed" }], cfg);
    expect(gh.issues.map((i) => [i.labels, i.state])).toEqual([
      [["run-md", "investigation:0123456789abcdef"], "open"],
      [["run-md", "runbook:audit-iam"], "closed"],
    ]);
    // Its title says what it is about: another key's issue has another title.
    expect(gh.issues.map((i) => i.title)).toEqual([
      "run-md: Audit IAM changes (access_key_id=AKIA0000000000000001) failed",
      "run-md: Audit IAM changes failed",
    ]);
  });
});

describe("signed webhook", () => {
  it("signs the body with HMAC-SHA256 over the timestamp; a receiver rejects tampering and replays", async () => {
    const r = await receiver();
    const alerts = await failingAlert();
    const [d] = await deliver(
      alerts,
      config([{ type: "webhook", url: r.url, secretEnv: "HOOK_SECRET" }]),
    );
    expect(d!.ok).toBe(true);
    const req = r.received[0]!;
    expect(req.headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(req.headers[DELIVERY_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.json).toMatchObject({
      type: "run-md.alerts",
      version: 1,
      alerts: [{ kind: "failing", runbook: { id: "audit-iam" } }],
    });
    const sentAt = new Date(Number(req.headers[TIMESTAMP_HEADER]) * 1000);
    expect(Math.abs(sentAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(verifyWebhook("s3cret", req.headers, req.text, sentAt)).toBeUndefined();
    expect(verifyWebhook("wrong", req.headers, req.text, sentAt)).toBe("bad signature");
    expect(
      verifyWebhook("s3cret", req.headers, req.text.replace("audit-iam", "audit-xyz"), sentAt),
    ).toBe("bad signature");
    const later = new Date(sentAt.getTime() + 10 * 60_000);
    expect(verifyWebhook("s3cret", req.headers, req.text, later)).toBe(
      "timestamp outside the tolerance (a replay?)",
    );
  });
});

describe("routing by severity and outcome", () => {
  it("sends each target only the alerts it asked for", async () => {
    const pager = await receiver((_q, res) => res.writeHead(202).end("{}"));
    const chat = await receiver();
    const cfg = config([
      { type: "pagerduty", url: pager.url, routingKeyEnv: "PD_KEY", minSeverity: "critical" },
      { type: "slack", url: chat.url, on: ["recovered"] },
    ]);
    const alerts = await failingAlert();
    expect(await deliver(alerts, cfg)).toEqual([]);
    await deliver(
      [{ ...alerts[0]!, runbook: { ...alerts[0]!.runbook, severity: "critical" } }],
      cfg,
    );
    await deliver([{ ...alerts[0]!, kind: "recovered", status: "passed" }], cfg);
    expect(pager.received).toHaveLength(1);
    expect(chat.received).toHaveLength(1);
    expect(chat.received[0]!.json.text).toContain("recovered");
  });

  it("rejects a bad configuration naming the file and key", () => {
    expect(() => config([{ type: "slak", url: "x" }])).toThrow(
      "run-md.config.yaml: notify.targets[0].type must be one of slack, pagerduty, teams, sns, github, webhook",
    );
    expect(() => config([{ type: "webhook", url: "http://x", secretEnv: "NOPE" }])).toThrow(
      "notify.targets[0].secretEnv names NOPE, which is not set",
    );
    expect(() => config([{ type: "slack", url: "http://x", minSeverity: "urgent" }])).toThrow(
      "minSeverity",
    );
    expect(() => config([], { reminder: "daily" })).toThrow("notify.reminder must be a duration");
  });

  it("an address that is not http(s) is refused, from the file or from its variable, never echoed", () => {
    const url = "must be an http(s) URL such as https://hooks.example.com/run-md";
    expect(() => config([{ type: "slack", url: "hooks.slack.com/T0/XyZ" }])).toThrow(
      `run-md.config.yaml: notify.targets[0].url ${url}`,
    );
    expect(() =>
      config([{ type: "github", repo: "a/b", tokenEnv: "GH_TOKEN", apiUrl: "ghe" }]),
    ).toThrow(`notify.targets[0].apiUrl ${url}`);
    // Sent with the sender's environment: the variable's value is checked, and not shown.
    const sent = (env: NodeJS.ProcessEnv) =>
      parseNotifyConfig({ targets: [{ type: "teams", urlEnv: "TEAMS_URL" }] }, "c.yaml", env);
    expect(() => sent({ TEAMS_URL: "teams.example.com/XyZ" })).toThrow(
      "c.yaml: notify.targets[0].urlEnv names TEAMS_URL, whose value is not an http(s) URL",
    );
    expect(() => sent({ TEAMS_URL: "teams.example.com/XyZ" })).not.toThrow("XyZ");
    expect(sent({ TEAMS_URL: "https://teams.example.com/x" }).targets[0]).toMatchObject({
      url: "https://teams.example.com/x",
    });
  });

  it("notifyConfigMistakes: every mistake, without the sender's environment (nothing required of it)", () => {
    const messages = (raw: unknown) => notifyConfigMistakes(raw, "c.yaml").map((e) => e.message);
    // Every variable unset here: none is a mistake, as the sender has its own environment.
    const vars = ["RT_UNSET_SLACK", "RT_UNSET_KEY", "RT_UNSET_TOKEN", "RT_UNSET_SECRET"];
    for (const v of vars) expect(process.env[v]).toBeUndefined();
    const fine = {
      targets: [
        { type: "slack", urlEnv: vars[0] },
        { type: "pagerduty", routingKeyEnv: vars[1] },
        { type: "github", repo: "acme/sec", tokenEnv: vars[2] },
        { type: "webhook", url: "https://hooks.example.com/x", secretEnv: vars[3] },
      ],
    };
    expect(messages(fine)).toEqual([]);
    // Each target's first mistake and each wrong key of the section, in order.
    const wrong = {
      reminders: "24h",
      targets: [
        { type: "slack", urlEnv: "https://hooks.slack.com/XyZ" },
        { type: "sns", topicArn: "alerts" },
        { type: "webhook", url: "https://hooks.example.com/x" },
      ],
    };
    expect(messages(wrong)).toEqual([
      "c.yaml: notify.reminders is not a known key (expected targets, reminder, retry, digest)",
      "c.yaml: notify.targets[0].urlEnv must be the name of an environment variable (letters, digits, _), not its value",
      "c.yaml: notify.targets[1].topicArn must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts",
      'c.yaml: notify.targets[2] needs "secret" or "secretEnv"',
    ]);
  });
});
