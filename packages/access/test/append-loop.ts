/**
 * Test helper (run with `node --import tsx`): opens the audit log given as argv[2] and appends
 * forever, printing each entry's seq once `append` has resolved, until it is killed.
 */
import { AuditLog } from "../src/index.ts";

const log = await AuditLog.open(process.argv[2]!);
for (let i = 0; ; i++) {
  const e = await log.append({
    actor: "loop@example.com",
    groups: ["g"],
    action: "run.request",
    target: "audit-iam",
    details: { i, padding: "x".repeat(i % 500) },
  });
  process.stdout.write(`${e.seq}\n`);
}
