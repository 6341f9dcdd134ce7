import type { JsonValue } from "./engine.ts";

/*
 * AWS credentials that appear in result values are masked in every output (terminal, JSON,
 * Markdown, JUnit). What counts:
 * - access key ids: AKIA/ASIA/AROA... followed by 16 upper-case letters or digits;
 * - secret access keys: 40 characters of base64 alphabet with upper, lower and a digit or / +,
 *   and values of keys named like secretAccessKey/secret_key;
 * - session tokens: long base64 runs (100+ characters), and values of keys named sessionToken.
 * The first four characters stay visible so a reader can tell which kind of key it was.
 */
const ACCESS_KEY_ID = /\b((?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16})\b/g;
const SECRET_KEY = /(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g;
const SESSION_TOKEN = /(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{100,}={0,2})(?![A-Za-z0-9/+=])/g;
const SECRET_NAMES =
  /^(secret_?access_?key|aws_?secret_?access_?key|secret_?key|session_?token|aws_?session_?token|security_?token)$/i;

function looksLikeSecretKey(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9/+]/.test(s);
}

function mask(s: string): string {
  return `${s.slice(0, 4)}${"*".repeat(Math.min(16, Math.max(4, s.length - 4)))}`;
}

export function maskText(text: string): string {
  return text
    .replace(SESSION_TOKEN, (m) => mask(m))
    .replace(SECRET_KEY, (m) => (looksLikeSecretKey(m) ? mask(m) : m))
    .replace(ACCESS_KEY_ID, (m) => mask(m));
}

export function maskValue(v: JsonValue, key?: string): JsonValue {
  if (typeof v === "string") {
    if (key !== undefined && SECRET_NAMES.test(key) && v.length > 0) return mask(v);
    return maskText(v);
  }
  if (Array.isArray(v)) return v.map((x) => maskValue(x));
  if (v !== null && typeof v === "object") {
    const o: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) o[k] = maskValue(x, k);
    return o;
  }
  return v;
}
