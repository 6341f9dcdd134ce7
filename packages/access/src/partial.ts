/**
 * The `partial` masking strategy: keep enough of a value to correlate, hide the rest.
 * IPv4 keeps two octets (`203.0.x.x`), IPv6 three hextets, an ARN its partition, service,
 * region, account and resource type, an e-mail its domain; any other string keeps its first two
 * characters (when longer than four) and its length class.
 */
import { isIPv4, isIPv6 } from "node:net";

const HIDDEN = "***";

export function partialString(v: string): string {
  // Cheap shape tests first: node:net's checks are regular expressions that cost more.
  if (v.startsWith("arn:")) return partialArn(v);
  if (IPV4_CHARS.test(v) && isIPv4(v)) return `${v.split(".").slice(0, 2).join(".")}.x.x`;
  if (IPV6_CHARS.test(v)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
    if (mapped && isIPv4(mapped[1]!)) return `${v.slice(0, 7)}${partialString(mapped[1]!)}`;
    if (isIPv6(v)) return `${expandIPv6(v).slice(0, 3).join(":")}:x:x:x:x:x`;
  }
  const at = v.lastIndexOf("@");
  if (at > 0 && /^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(v)) return `${HIDDEN}${v.slice(at)}`;
  return `${v.length > 4 ? v.slice(0, 2) : ""}${HIDDEN}(${lengthClass(v.length)})`;
}

const IPV4_CHARS = /^[\d.]{7,15}$/;
const IPV6_CHARS = /^[\da-f:.]*:[\da-f:.]*$/i;

/** `arn:aws:iam::123456789012:user/alice` → `arn:aws:iam::123456789012:user/***`. */
function partialArn(v: string): string {
  const parts = v.split(":");
  if (parts.length < 6) return `${v.slice(0, 2)}${HIDDEN}(${lengthClass(v.length)})`;
  const resource = parts.slice(5).join(":");
  // An S3 resource is `bucket/key`: no type before the slash, so nothing of it is kept.
  const type = parts[2] === "s3" ? null : /^([A-Za-z0-9-]+)[/:]/.exec(resource);
  return `${parts.slice(0, 5).join(":")}:${type ? `${type[0]}${HIDDEN}` : HIDDEN}`;
}

/** The eight hextets of an IPv6 address, `::` expanded, leading zeros dropped. */
function expandIPv6(v: string): string[] {
  const [head = "", tail] = v.split("::");
  const split = (s: string) => (s === "" ? [] : s.split(":"));
  const h = split(head);
  const t = tail === undefined ? [] : split(tail);
  const zeros = Array.from({ length: 8 - h.length - t.length }, () => "0");
  return [...h, ...zeros, ...t].map((x) => (x.includes(".") ? x : x.replace(/^0+(?=.)/, "")));
}

/** `1-4`, `5-8`, `9-16`, `17-32`, `33+`: how long the value was, not exactly. */
function lengthClass(n: number): string {
  if (n <= 4) return "1-4";
  if (n <= 8) return "5-8";
  if (n <= 16) return "9-16";
  if (n <= 32) return "17-32";
  return "33+";
}
