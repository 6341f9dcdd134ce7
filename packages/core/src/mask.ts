import { type JsonValue, setEntry } from "./engine.ts";

/*
 * Credentials in result values are masked in every output (terminal, JSON, Markdown, JUnit,
 * site). The rule is "hide what is secret, keep the evidence" (docs/engines.md#masking):
 *
 * - masked: secret access keys, session tokens, passwords and private keys, found by the field
 *   they sit in (`secretAccessKey`, `sessionToken`, `password`, `X-Amz-Security-Token`, ... as
 *   object keys, in JSON text, in `name=value` text) and by shape where the shape is unambiguous
 *   (40-character secret keys, STS session tokens by their fixed prefix, PEM private key blocks,
 *   the password of `scheme://user:password@host`), also when percent-encoded;
 * - kept: access key ids (identifiers, not secrets, and the pivot of credential investigations)
 *   unless `accessKeyIds: "hide"` (outputs published to a wide audience), and every other long
 *   base64 run: pagination tokens, `x-amz-id-2`, encoded authorization failure messages are
 *   evidence an investigator needs.
 */

export interface MaskOptions {
  /** `show` (default): access key ids stay visible; `hide`: masked like secrets, kind kept. */
  accessKeyIds?: "show" | "hide";
}

type Kind = "access-key-id" | "secret";
interface Span {
  start: number;
  end: number;
  kind: Kind;
}

const SECRET_FIELD =
  "(?:aws[_-]?)?(?:secret[_-]?access[_-]?key|secret[_-]?key|session[_-]?token|security[_-]?token|password|passwd|private[_-]?key|client[_-]?secret)";
/** Object keys whose whole value is secret: `secretAccessKey`, `newPassword`, `aws_session_token`. */
const SECRET_KEY_NAME = new RegExp(`^[A-Za-z0-9_-]*?${SECRET_FIELD}$`, "i");
/** `"sessionToken": "…"`, `password=…`, `X-Amz-Security-Token: …`, also with escaped quotes. */
const SECRET_FIELD_TEXT = new RegExp(
  `(?<![A-Za-z0-9])[A-Za-z0-9_-]*?${SECRET_FIELD}(?:\\\\*["'])?[ \\t]*[:=][ \\t]*(?:(\\\\*["'])((?:(?!\\1)[^\\n])*)|([^\\s&;,"'}\\]]+))`,
  "gi",
);
/** Values a secret-named field may hold that reveal nothing. */
const HARMLESS = /^(?:true|false|null|none|\*+|HIDDEN_DUE_TO_SECURITY_REASONS|)$/i;
const ACCESS_KEY_ID =
  /(?<![A-Za-z0-9])(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g;
/** Base64 characters, and the characters that continue a run of them (`=`, `-`, `_`). */
const B64 = "A-Za-z0-9/+";
const SECRET_ACCESS_KEY = new RegExp(`(?<![${B64}_-])[${B64}]{40}(?![${B64}=_-])`, "g");
/** STS session tokens begin with a fixed, versioned header; other base64 runs are not tokens. */
const SESSION_TOKEN = new RegExp(
  `(?<![${B64}_-])(?:IQoJb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz|AQoEXAMPLE)[${B64}]{40,}={0,2}`,
  "g",
);
/** The body of a PEM private key, between its header and footer (or to where the text ends). */
const PRIVATE_KEY =
  /(-----BEGIN[ +]([A-Z0-9]+[ +])*PRIVATE[ +]KEY-----)((?:[A-Za-z0-9+/=:,\-\s]|\\[nr])*?)(?=-----END|["'<]|$)/g;
const URL_PASSWORD = /(?<=[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+(?=@)/gi;

/**
 * Whether any rule could match: most values (ARNs, names, addresses, times) have none of these,
 * and skip the full search. Each rule's match contains one of them (a 40-character base64 run,
 * a secret field's name, a URL, a percent escape; an access key id when those are hidden).
 */
const MAYBE_SECRET = /[A-Za-z0-9/+]{40}|secret|token|passw|private|:\/\/|%[0-7][0-9A-Fa-f]/i;
const MAYBE_ACCESS_KEY_ID = /A[A-Z]{3}[A-Z0-9]{16}/;

function looksRandom(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);
}

function matches(re: RegExp, text: string, kind: Kind, accept?: (m: string) => boolean): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(re)) {
    if (accept && !accept(m[0])) continue;
    out.push({ start: m.index, end: m.index + m[0].length, kind });
  }
  return out;
}

/** Spans of secrets in a plain (already decoded) text. */
function findSpans(text: string, opts: MaskOptions): Span[] {
  const spans: Span[] = [
    ...matches(SESSION_TOKEN, text, "secret"),
    ...matches(SECRET_ACCESS_KEY, text, "secret", looksRandom),
    ...matches(URL_PASSWORD, text, "secret"),
  ];
  for (const m of text.matchAll(SECRET_FIELD_TEXT)) {
    const value = m[2] ?? m[3] ?? "";
    if (HARMLESS.test(value.replace(/\\+$/, ""))) continue;
    const end = m.index + m[0].length;
    spans.push({ start: end - value.length, end, kind: "secret" });
  }
  for (const m of text.matchAll(PRIVATE_KEY)) {
    const start = m.index + (m[1]?.length ?? 0);
    if (m[0].length > start - m.index)
      spans.push({ start, end: m.index + m[0].length, kind: "secret" });
  }
  if (opts.accessKeyIds === "hide") spans.push(...matches(ACCESS_KEY_ID, text, "access-key-id"));
  return spans;
}

/**
 * A percent-decoded view of a text: `decoded[i]` came from `text.slice(from[i], to[i])`. Only
 * ASCII escapes are decoded (`%2F`, `%3D`, `%22`); `+` stays `+` (it is a base64 character).
 */
function percentDecoded(text: string): { decoded: string; from: number[]; to: number[] } {
  let decoded = "";
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < text.length; ) {
    const esc = /^%([0-7][0-9A-Fa-f])/.exec(text.slice(i, i + 3));
    const n = esc ? 3 : 1;
    decoded += esc ? String.fromCharCode(Number.parseInt(esc[1]!, 16)) : text[i];
    from.push(i);
    to.push(i + n);
    i += n;
  }
  return { decoded, from, to };
}

/** Secret spans of `text`, found in it as written and in up to two levels of percent-decoding. */
function allSpans(text: string, opts: MaskOptions, depth = 0): Span[] {
  const spans = findSpans(text, opts);
  if (depth < 2 && /%[0-7][0-9A-Fa-f]/.test(text)) {
    const { decoded, from, to } = percentDecoded(text);
    for (const s of allSpans(decoded, opts, depth + 1)) {
      if (s.end > s.start) spans.push({ start: from[s.start]!, end: to[s.end - 1]!, kind: s.kind });
    }
  }
  return spans;
}

/** Overlapping spans joined; a secret wins over an access key id. */
function merge(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      if (s.kind === "secret") last.kind = "secret";
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

const HIDDEN = "*".repeat(16);

/** An access key id keeps its kind (`AKIA`, `ASIA`); a secret keeps nothing, not even its length. */
function replacement(original: string, kind: Kind): string {
  return kind === "access-key-id" ? `${original.slice(0, 4)}${HIDDEN}` : HIDDEN;
}

export function maskText(text: string, opts: MaskOptions = {}): string {
  if (
    !MAYBE_SECRET.test(text) &&
    !(opts.accessKeyIds === "hide" && MAYBE_ACCESS_KEY_ID.test(text))
  ) {
    return text;
  }
  const spans = merge(allSpans(text, opts));
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + replacement(text.slice(s.start, s.end), s.kind);
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * An object's keys masked as values are (a map from access key ids, `map_agg(accesskeyid, n)`):
 * two keys masked alike stay two entries (`AKIA**** (2)`).
 */
function maskedObject(v: { [k: string]: JsonValue }, opts: MaskOptions): JsonValue {
  const o: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) {
    const masked = maskText(k, opts);
    let name = masked;
    for (let n = 2; name !== k && Object.hasOwn(o, name); n++) name = `${masked} (${n})`;
    setEntry(o, name, maskValue(x, opts, k));
  }
  return o;
}

/** Masks a result value; object keys named like a secret (`sessionToken`) mask their whole value. */
export function maskValue(v: JsonValue, opts: MaskOptions = {}, key?: string): JsonValue {
  if (typeof v === "string") {
    if (key !== undefined && SECRET_KEY_NAME.test(key) && !HARMLESS.test(v)) {
      return replacement(v, "secret");
    }
    return maskText(v, opts);
  }
  if (Array.isArray(v)) return v.map((x) => maskValue(x, opts));
  if (v !== null && typeof v === "object") return maskedObject(v, opts);
  return v;
}
