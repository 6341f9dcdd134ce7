/**
 * IPADDRESS values at the boundary (no imports: values.ts reads it, trino-ipaddress.ts builds on it).
 */

/** The one field of the struct an IPADDRESS is carried in (trino-ipaddress.ts `IP`). */
export const IP_FIELD = "trino_ip";

/** An address's 128 bits as Trino prints the IPADDRESS (Guava's toAddrString; trino_ip_text is the same rule in SQL). */
export function ipAddressText(v: bigint): string {
  if (v >> 32n === 0xffffn) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(16 * (7 - i))) & 0xffffn));
  const flags = groups.map((g) => (g === 0 ? "z" : "n")).join("");
  const run = [8, 7, 6, 5, 4, 3, 2].find((n) => flags.includes("z".repeat(n))) ?? 0;
  const text = groups.map((g) => g.toString(16));
  if (run === 0) return text.join(":");
  const at = flags.indexOf("z".repeat(run));
  return `${text.slice(0, at).join(":")}::${text.slice(at + run).join(":")}`;
}
