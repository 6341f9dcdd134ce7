/**
 * The generator's ordinary traffic stays free of the incident patterns the runbooks look for,
 * whatever the hour it is generated at (its seed holds the hour): here, password spraying. The
 * users share four office addresses; four of them mistyping a password from one address within a
 * day failed unauthorized-access-attempts' `max(users) < 4` on the data without incidents (CI,
 * data generated at 06:00). Counted from the generated records themselves.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureSampleData } from "@run-md/generator";
import { afterAll, describe, expect, it } from "vitest";
import { readGenerated } from "./truth/runbook-answers.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the sample data without incidents", () => {
  it.each(["2026-12-06T06:30:00Z", "2026-12-06T05:30:00Z", "2026-11-30T13:10:00Z"])(
    "generated at %s has one failing user per address a day at most",
    async (now) => {
      const dir = await mkdtemp(path.join(tmpdir(), "run-md-quiet-"));
      dirs.push(dir);
      const sample = await ensureSampleData(dir, { now: new Date(now), incidents: false });
      const users = new Map<string, Set<string>>();
      let failures = 0;
      for (const e of readGenerated(sample.dir)) {
        const out = (e.responseElements as { ConsoleLogin?: string } | null)?.ConsoleLogin;
        if (e.eventName !== "ConsoleLogin" || out !== "Failure") continue;
        failures++;
        const key = `${String(e.eventTime).slice(0, 10)} ${String(e.sourceIPAddress)}`;
        const who = (e.userIdentity as { userName?: string }).userName ?? "";
        users.set(key, (users.get(key) ?? new Set()).add(who));
      }
      expect(failures).toBeGreaterThan(0); // ordinary traffic does mistype passwords
      const crowded = [...users].filter(([, u]) => u.size > 1).map(([k, u]) => `${k}: ${[...u]}`);
      expect(crowded).toEqual([]);
    },
    120_000,
  );
});
