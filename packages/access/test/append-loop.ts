/**
 * Test helper (run with `node --import tsx`): opens the audit log given as argv[2] and appends
 * forever, five at a time (so they share writes), printing each entry's seq once its `append`
 * has resolved, until it is killed.
 */
import { AuditLog } from "../src/index.ts";

const log = await AuditLog.open(process.argv[2]!);
for (let i = 0; ; i += 5) {
  await Promise.all(
    [0, 1, 2, 3, 4].map(async (k) => {
      const e = await log.append({
        actor: "loop@example.com",
        groups: ["g"],
        action: "run.request",
        target: "audit-iam",
        details: { i: i + k, padding: "x".repeat((i + k) % 500) },
      });
      process.stdout.write(`${e.seq}\n`);
    }),
  );
}
