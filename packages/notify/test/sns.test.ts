import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { alertsFor, deliver, parseNotifyConfig } from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { report } from "./helpers.ts";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:security-alerts";
let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-sns-"));
  emulator = await startEmulator({ logDir: dir });
  // The SDK's default credential chain, as in production; the emulator checks no signature.
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await emulator?.close();
});

function config(topicArn = TOPIC) {
  const parsed = parseNotifyConfig(
    {
      targets: [{ type: "sns", topicArn, endpoint: emulator.endpoint }],
      retry: { attempts: 3, backoffMs: 5 },
    },
    "run-md.config.yaml",
  );
  // The configuration's site.url, which the CLI and the nightly job pass on.
  return { ...parsed, siteUrl: "https://sec.example.com/runbooks" };
}

async function alerts(title: string) {
  return alertsFor(
    [
      {
        report: report("audit-iam", "failed", { title }),
        reportFile: "reports/audit-iam/2026-11-24T02-00-00.000Z.json",
      },
    ],
    config(),
    { reportsDir: dir, stateFile: path.join(dir, `${Math.random()}.json`) },
  );
}

describe("Amazon SNS through the SDK, against the emulator", () => {
  it("publishes one message per call with a short ASCII subject and the finding in the body", async () => {
    const [d] = await deliver(await alerts("Audit IAM changes — weekly"), config());
    expect(d).toMatchObject({ target: "sns", ok: true, attempts: 1 });
    const call = emulator.callsOf("Publish").at(-1)!;
    expect(call.body).toMatchObject({ Action: "Publish", Version: "2010-03-31", TopicArn: TOPIC });
    const msg = emulator.published.at(-1)!;
    expect(msg.Subject).toBe("run-md: Audit IAM changes ? weekly failed (severity high)");
    expect(msg.Message).toContain("Failed check: rows == 0 in step changes_outside_automation");
    expect(msg.Message).toContain("First offender: actor = arn:aws:iam::111122223333:user/mallory");
    expect(msg.Message).toContain(
      "Run: https://sec.example.com/runbooks/runbooks/audit-iam/runs/2026-11-24T02-00-00.000Z/",
    );
  });

  it("cuts a subject over 100 characters with ASCII dots, so SNS takes it", async () => {
    const title = `Audit ${"very ".repeat(30)}long title`;
    const [d] = await deliver(await alerts(title), config());
    expect(d).toMatchObject({ target: "sns", ok: true });
    const subject = emulator.published.at(-1)!.Subject as string;
    expect(subject).toHaveLength(100);
    const kept = `run-md: Audit ${"very ".repeat(30)}`.slice(0, 97);
    expect(subject).toBe(`${kept}...`);
  });

  it("retries SNS throttling and then delivers", async () => {
    emulator.faults.throttle = { Publish: 2 };
    const before = emulator.callsOf("Publish").length;
    const [d] = await deliver(await alerts("Throttled"), config());
    expect(d).toMatchObject({ ok: true, attempts: 3 });
    expect(emulator.callsOf("Publish").length - before).toBe(3);
  });

  it("does not retry a publish SNS rejects, and reports it", async () => {
    const cfg = config();
    const target = {
      ...cfg.targets[0]!,
      topicArn: "arn:aws:sns:us-east-1:111122223333:no.such.topic",
    };
    const before = emulator.callsOf("Publish").length;
    const [d] = await deliver(await alerts("Rejected"), {
      ...cfg,
      targets: [target] as typeof cfg.targets,
    });
    expect(d).toMatchObject({ ok: false, attempts: 1 });
    expect(d!.error).toContain("Invalid parameter: TopicArn");
    expect(emulator.callsOf("Publish").length - before).toBe(1);
  });

  it("gives up after the attempts when SNS keeps throttling", async () => {
    emulator.faults.throttle = { Publish: 5 };
    const [d] = await deliver(await alerts("Throttled"), config());
    expect(d).toMatchObject({ ok: false, attempts: 3 });
    expect(d!.error).toContain("Rate exceeded");
    emulator.faults.throttle = {};
  });
});

describe("the address an alert links to", () => {
  it("is the run's page for a full run, and the report's JSON for an investigation (it has no page)", async () => {
    const state = { reportsDir: dir, stateFile: path.join(dir, `${Math.random()}.json`) };
    const reportFile = "reports/audit-iam/2026-11-24T02-00-00.000Z.json";
    const [full] = await alertsFor(
      [{ report: report("audit-iam", "failed"), reportFile }],
      config(),
      state,
    );
    expect(full!.runUrl).toBe(
      "https://sec.example.com/runbooks/runbooks/audit-iam/runs/2026-11-24T02-00-00.000Z/",
    );
    const [investigation] = await alertsFor(
      [{ report: { ...report("audit-iam", "failed"), kind: "investigation" }, reportFile }],
      config(),
      { ...state, stateFile: path.join(dir, `${Math.random()}.json`) },
    );
    expect(investigation!.runUrl).toBe(
      "https://sec.example.com/runbooks/reports/audit-iam/2026-11-24T02-00-00.000Z.json",
    );
  });
});
