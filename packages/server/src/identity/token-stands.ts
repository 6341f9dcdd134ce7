/**
 * A run asked for with an API token runs only while that token stands: one revoked (or taken
 * out of the tokens file) while the run waited in the queue or for approval is a credential its
 * owner no longer trusts (a leaked token), and what it queued must not run after the revocation
 * (red-team: a revoked token's run started once approved). A run already running when its token
 * is revoked is stopped (`tokenLapsed`, asked while it runs: RunHooks.stands): it would go on
 * querying for a credential its owner has taken back. A token that expired meanwhile was valid
 * when it asked: its run starts, and runs on.
 */
import type { TokenStore } from "@run-md/access";
import { RunMdError } from "@run-md/core";
import type { RunRecord } from "../runs/record.ts";

/**
 * How the token that asked for the run no longer stands (`revoked (<time>)`, `taken out of the
 * tokens file`); undefined while it stands, or when no token asked.
 */
async function lapse(tokens: TokenStore, rec: RunRecord): Promise<string | undefined> {
  const name = rec.requester.token;
  if (rec.requester.via !== "token" || name === undefined) return undefined;
  const token = (await tokens.list()).find((t) => t.name === name);
  if (token !== undefined && token.revokedAt === undefined) return undefined;
  return token === undefined ? "taken out of the tokens file" : `revoked (${token.revokedAt})`;
}

/** Before the run starts: `token-revoked` when its token no longer stands (it does not run). */
export async function tokenStands(tokens: TokenStore, rec: RunRecord): Promise<void> {
  const what = await lapse(tokens, rec);
  if (what === undefined) return;
  throw new RunMdError(
    "token-revoked",
    `the token ${rec.requester.token} that asked for this run was ${what} before the run started: it did not run`,
  );
}

/** While the run runs: the `token-revoked` error that stops it, once its token no longer stands. */
export async function tokenLapsed(
  tokens: TokenStore,
  rec: RunRecord,
): Promise<RunMdError | undefined> {
  const what = await lapse(tokens, rec);
  if (what === undefined) return undefined;
  return new RunMdError(
    "token-revoked",
    `the token ${rec.requester.token} that asked for this run was ${what} while the run was running: it was stopped`,
  );
}
