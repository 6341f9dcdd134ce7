/** `run-md token create | list | revoke`: the access proxy's API tokens (docs/serve.md). */
import { userInfo } from "node:os";
import {
  AuditLog,
  DEFAULT_AUDIT_FILE,
  DEFAULT_TOKENS_FILE,
  parseWhen,
  type TokenInfo,
  TokenStore,
} from "@run-md/access";
import { RunMdError } from "@run-md/core";
import { accessCommand, serverFile } from "./access-files.ts";

/** How long a token lives unless --expires says otherwise (the spec's synopsis shows 90d). */
const DEFAULT_EXPIRY = "90d";

export const TOKEN_USAGE = `Usage: run-md token create --name NAME --groups g1,g2 [--expires 90d] [--user EMAIL]
       run-md token list
       run-md token revoke NAME

API tokens for run-md serve (Authorization: Bearer <token>). create prints the token once, on
stdout; the file keeps only its SHA-256. A token acts in its groups; with --user it acts for that
person (who then cannot approve their own runs through it), else as "token:NAME". create and
revoke are recorded in the audit log (token.create, token.revoke) before they take effect.

Options:
  --name NAME           the token's name (letters, digits, ".", "_", "-"; never reused)
  --groups g1,g2        the groups it acts in (comma-separated)
  --expires WHEN        a duration from now (90d, 12h), a date (2027-03-01, midnight UTC), or
                        never (default: 90d, as a credential left behind should not live on)
  --user EMAIL          the person it acts for
  --file PATH           the tokens file (default: server.tokens, else ${DEFAULT_TOKENS_FILE})
  --audit PATH          the audit log (default: server.audit, else ${DEFAULT_AUDIT_FILE})
  -h, --help            this help
`;

const OPTIONS = {
  name: { type: "string" },
  groups: { type: "string" },
  expires: { type: "string" },
  user: { type: "string" },
  file: { type: "string" },
  audit: { type: "string" },
} as const;

export async function tokenCommand(argv: string[]): Promise<number> {
  return accessCommand(argv, "run-md token", TOKEN_USAGE, OPTIONS, async (values, sub, rest) => {
    const store = new TokenStore(serverFile(values.file, "tokens"));
    const audit = auditor(serverFile(values.audit, "audit"));
    try {
      return await dispatch(store, audit, sub, rest, values);
    } finally {
      await audit.close();
    }
  });
}

async function dispatch(
  store: TokenStore,
  audit: ReturnType<typeof auditor>,
  sub: string | undefined,
  rest: string[],
  values: { name?: string; groups?: string; expires?: string; user?: string },
): Promise<number> {
  if (sub === "create" && rest.length === 0)
    return create(store, values, audit.record("token.create"));
  if (sub === "list" && rest.length === 0) return list(store);
  if (sub === "revoke" && rest.length === 1) {
    const earlier = await store.revoke(rest[0]!, audit.record("token.revoke"));
    process.stderr.write(
      earlier === undefined
        ? `token "${rest[0]}" revoked\n`
        : `token "${rest[0]}" was revoked already, at ${earlier}: nothing changed\n`,
    );
    return 0;
  }
  throw new RunMdError(
    "usage",
    sub === undefined || !["create", "list", "revoke"].includes(sub)
      ? `run-md token needs create, list or revoke${sub === undefined ? "" : `, not "${sub}"`}`
      : `unexpected arguments for run-md token ${sub}: ${rest.join(" ") || "(a NAME is needed)"}`,
    { hint: "run-md token --help" },
  );
}

/**
 * Audit entries for token changes, written by the person at this machine (`local:USER`); the
 * log is opened only when a change is about to happen.
 */
function auditor(file: string) {
  let log: AuditLog | undefined;
  return {
    record:
      (action: "token.create" | "token.revoke") =>
      async (info: TokenInfo): Promise<void> => {
        log ??= await AuditLog.open(file);
        await log.append({
          actor: `local:${userInfo().username}`,
          groups: [],
          action,
          target: info.name,
          details: { ...info, via: "run-md token" },
        });
      },
    close: async () => {
      await log?.close();
    },
  };
}

async function create(
  store: TokenStore,
  values: { name?: string; groups?: string; expires?: string; user?: string },
  beforeSave: (info: TokenInfo) => Promise<void>,
): Promise<number> {
  if (values.name === undefined) throw new RunMdError("usage", "--name is required");
  if (values.groups === undefined) throw new RunMdError("usage", "--groups is required");
  const groups = values.groups.split(",").map((g) => g.trim());
  if (groups.some((g) => g === ""))
    throw new RunMdError("usage", `--groups "${values.groups}": an empty group name`);
  let expiresAt: Date | undefined;
  const expires = values.expires ?? DEFAULT_EXPIRY;
  if (expires !== "never") {
    expiresAt = parseWhen(expires, "--expires", new Date(), 1);
    if (expiresAt.getTime() <= Date.now())
      throw new RunMdError("usage", `--expires "${expires}" is in the past`);
  }
  const o: Parameters<TokenStore["create"]>[0] = { name: values.name, groups };
  if (expiresAt) o.expiresAt = expiresAt;
  if (values.user !== undefined) o.user = values.user;
  const { token } = await store.create(o, beforeSave);
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `token "${values.name}" created for ${groups.join(", ")}, ${expiresAt ? `expires ${expiresAt.toISOString()}` : "never expires"}: it is shown once, keep it now\n`,
  );
  return 0;
}

async function list(store: TokenStore): Promise<number> {
  const now = new Date().toISOString();
  for (const t of await store.list()) {
    const status = t.revokedAt
      ? `revoked ${t.revokedAt}`
      : t.expiresAt && t.expiresAt <= now
        ? `expired ${t.expiresAt}`
        : `active${t.expiresAt ? ` until ${t.expiresAt}` : ""}`;
    process.stdout.write(
      `${t.name}\tgroups=${t.groups.join(",")}\tuser=${t.user ?? "-"}\tcreated ${t.createdAt}\t${status}\n`,
    );
  }
  return 0;
}
