/**
 * A run asked for with an API token starts only while that token stands: one revoked (or taken
 * out of the tokens file) while the run waited in the queue or for approval is a credential its
 * owner no longer trusts (a leaked token), and what it queued must not run after the revocation
 * (red-team: a revoked token's run started once approved). A token that expired meanwhile was
 * valid when it asked: its run starts.
 */
import type { TokenStore } from "@run-md/access";
import { RunMdError } from "@run-md/core";
import type { RunRecord } from "../runs/record.ts";

export async function tokenStands(tokens: TokenStore, rec: RunRecord): Promise<void> {
  const name = rec.requester.token;
  if (rec.requester.via !== "token" || name === undefined) return;
  const token = (await tokens.list()).find((t) => t.name === name);
  if (token !== undefined && token.revokedAt === undefined) return;
  const what =
    token === undefined ? "taken out of the tokens file" : `revoked (${token.revokedAt})`;
  throw new RunMdError(
    "token-revoked",
    `the token ${name} that asked for this run was ${what} before the run started: it did not run`,
  );
}
