/**
 * API tokens (spec access-proxy.md §2). A token is `rmd_` + 32 random bytes (base64url); the
 * file (`server.tokens`, default `.run-md/tokens.json`) keeps only its SHA-256 (hex) with the
 * metadata, and is replaced atomically on every change. Names are unique for good, revoked ones
 * included, so `token:NAME` in the audit log always means one token.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { newFileRefusal, RunMdError, writeFileAtomic } from "@run-md/core";
import type { Caller } from "./model.ts";

export const DEFAULT_TOKENS_FILE = ".run-md/tokens.json";
export const TOKEN_PREFIX = "rmd_";
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface StoredToken {
  name: string;
  /** SHA-256 of the whole token (prefix included), hex. */
  sha256: string;
  groups: string[];
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  /** The person the token acts for (self-approval is refused across a person's tokens). */
  user?: string;
}

interface TokenFile {
  version: 1;
  tokens: StoredToken[];
}

export type TokenInfo = Omit<StoredToken, "sha256">;

export type VerifyTokenResult =
  | { ok: true; caller: Caller }
  | { ok: false; reason: "unknown" | "expired" | "revoked" };

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export class TokenStore {
  private cache: { key: string; data: TokenFile } | undefined;
  /** Changes made through this store, one at a time (load, change, save). */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * A new token. `beforeSave` runs once the request is valid and before the file changes: the
   * place to write the audit entry that must precede the change (a throw there changes nothing).
   */
  create(
    o: { name: string; groups: string[]; expiresAt?: Date; user?: string },
    beforeSave?: (info: TokenInfo) => Promise<void>,
  ): Promise<{ token: string }> {
    return this.serialized(() => this.doCreate(o, beforeSave));
  }

  private async doCreate(
    o: Parameters<TokenStore["create"]>[0],
    beforeSave?: (info: TokenInfo) => Promise<void>,
  ): Promise<{ token: string }> {
    if (!TOKEN_NAME_PATTERN.test(o.name))
      throw new RunMdError(
        "bad-token-name",
        `invalid token name "${o.name}": use letters, digits, ".", "_" and "-" (up to 64)`,
      );
    if (o.groups.length === 0 || o.groups.some((g) => g.trim() === ""))
      throw new RunMdError("bad-token-groups", "a token needs at least one group");
    const now = this.now();
    if (o.expiresAt && o.expiresAt.getTime() <= now.getTime())
      throw new RunMdError("bad-token-expiry", `the expiry ${o.expiresAt.toISOString()} is past`);
    const data = await this.load();
    if (data.tokens.some((t) => t.name === o.name))
      throw new RunMdError("token-exists", `a token named "${o.name}" exists already`, {
        hint: "Token names are never reused (revoked ones included): choose another name.",
      });
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const stored: StoredToken = {
      name: o.name,
      sha256: sha256(token).toString("hex"),
      groups: [...o.groups],
      createdAt: now.toISOString(),
    };
    if (o.expiresAt) stored.expiresAt = o.expiresAt.toISOString();
    if (o.user !== undefined) stored.user = o.user;
    const { sha256: _hash, ...info } = stored;
    this.assertWritable();
    await beforeSave?.(info);
    data.tokens.push(stored);
    await this.save(data);
    return { token };
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.load()).tokens.map(({ sha256: _hash, ...info }) => info);
  }

  /**
   * Revokes a token; `beforeSave` as for `create`. A token revoked already is left as it is
   * (nothing is saved or audited): the answer is then when it was revoked, else undefined.
   */
  revoke(
    name: string,
    beforeSave?: (info: TokenInfo) => Promise<void>,
  ): Promise<string | undefined> {
    return this.serialized(() => this.doRevoke(name, beforeSave));
  }

  private async doRevoke(
    name: string,
    beforeSave?: (info: TokenInfo) => Promise<void>,
  ): Promise<string | undefined> {
    const data = await this.load();
    const t = data.tokens.find((x) => x.name === name);
    if (!t) throw new RunMdError("token-unknown", `no token named "${name}"`);
    if (t.revokedAt) return t.revokedAt;
    t.revokedAt = this.now().toISOString();
    const { sha256: _hash, ...info } = t;
    this.assertWritable();
    await beforeSave?.(info);
    await this.save(data);
  }

  /**
   * The caller a bearer token stands for. Every stored hash is compared in constant time (no
   * early exit), so timing tells nothing about how close a guess was.
   */
  async verify(bearer: string): Promise<VerifyTokenResult> {
    const digest = sha256(bearer);
    let match: StoredToken | undefined;
    for (const t of (await this.load()).tokens) {
      const stored = Buffer.from(t.sha256, "hex");
      if (stored.length === digest.length && timingSafeEqual(stored, digest)) match = t;
    }
    if (!match || !bearer.startsWith(TOKEN_PREFIX)) return { ok: false, reason: "unknown" };
    if (match.revokedAt) return { ok: false, reason: "revoked" };
    if (match.expiresAt && Date.parse(match.expiresAt) <= this.now().getTime())
      return { ok: false, reason: "expired" };
    return {
      ok: true,
      caller: {
        user: match.user ?? `token:${match.name}`,
        groups: [...match.groups],
        via: "token",
        token: match.name,
      },
    };
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writes.then(fn);
    this.writes = next.catch(() => undefined);
    return next;
  }

  /**
   * The file's tokens; re-read only when its size or time changed (a server verifies often). A
   * missing file holds none; one that cannot be read (`tokens-unreadable`) or is not a tokens
   * file (`tokens-invalid`) throws an error naming it, with `details.reason` saying why without
   * the path (what a server may tell a client).
   */
  private async load(): Promise<TokenFile> {
    let key: string;
    let text: string;
    try {
      const s = await stat(this.file);
      key = `${s.mtimeMs}:${s.size}:${s.ino}`;
      if (this.cache?.key === key) return structuredClone(this.cache.data);
      text = await readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, tokens: [] };
      throw this.unreadable(e);
    }
    const data = this.parse(text);
    this.cache = { key, data };
    return structuredClone(data);
  }

  private unreadable(e: unknown): RunMdError {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = typeof code === "string" ? code : "read failed";
    return new RunMdError(
      "tokens-unreadable",
      `the tokens file ${this.file} cannot be read (${(e as Error).message ?? String(e)})`,
      {
        hint: "Make it a file the server's user may read (server.tokens, or --file of run-md token), or move it away to start with no tokens.",
        cause: e,
        details: { reason },
      },
    );
  }

  private parse(text: string): TokenFile {
    let data: TokenFile;
    try {
      data = JSON.parse(text) as TokenFile;
    } catch {
      // Not JSON.parse's message: it quotes the file (hashes) into logs.
      throw new RunMdError("tokens-invalid", `the tokens file ${this.file} is not JSON`, {
        details: { reason: "not JSON" },
      });
    }
    if (data?.version !== 1 || !Array.isArray(data.tokens))
      throw new RunMdError(
        "tokens-invalid",
        `the tokens file ${this.file} is not a run-md tokens file`,
        { details: { reason: "not a run-md tokens file" } },
      );
    return data;
  }

  /**
   * The tokens file's folder takes new files (the save's temporary file and rename), checked
   * before the audit entry is written: an entry for a change that then could not be saved
   * recorded a token that never existed.
   */
  private assertWritable(): void {
    const reason = newFileRefusal(path.dirname(this.file));
    if (reason === undefined) return;
    throw new RunMdError(
      "tokens-invalid",
      `the tokens file ${this.file} cannot be written (${reason})`,
      {
        hint: "Give --file (or server.tokens) a file in a folder you can write to; nothing was changed or recorded.",
      },
    );
  }

  private async save(data: TokenFile): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
    this.cache = undefined;
  }
}
