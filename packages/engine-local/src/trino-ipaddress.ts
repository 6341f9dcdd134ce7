/**
 * Trino's IPADDRESS type on DuckDB, for the CloudTrail question "which calls came from outside our
 * networks": `contains('10.0.0.0/8', CAST(sourceipaddress AS IPADDRESS))`.
 *
 * A value is carried as a STRUCT (`IP`) holding the address's 16 bytes as one UHUGEINT, an IPv4
 * address in its IPv4-mapped form (`::ffff:1.2.3.4`), as Trino stores it: comparisons, ORDER BY,
 * min/max, GROUP BY and DISTINCT then follow Trino's (the bytes, unsigned), and the struct's field
 * name tells values.ts to print the column as an `ipaddress`.
 *
 * Parsing follows Guava's `InetAddresses.forString`, which Trino's cast uses: a dotted quad (no
 * leading zeros), or eight hextets with at most one `::` standing for at least one zero hextet,
 * the last 32 bits optionally a dotted quad. Text is Guava's `toAddrString`: an IPv4-mapped
 * address as a dotted quad, others in lower case with the first longest run of two or more zero
 * hextets written `::`. `contains(cidr, address)` is Trino 462's: a dotted-quad network must have
 * no bits set past its prefix and is compared on the mapped form (prefix + 96), an IPv6 network
 * on its first `prefix` bits.
 */
import { IP_FIELD } from "./ipaddress-text.ts";
import { callNode } from "./trino-ast.ts";

type Node = Record<string, unknown>;

/** The DuckDB type of an IPADDRESS value. */
export const IP = `STRUCT(${IP_FIELD} UHUGEINT)`;

const MAPPED = "(CAST(65535 AS UHUGEINT) << 32)";

/** `body` with `x` evaluated once and named `name` (macro arguments are expanded as trees). */
const LET = (x: string, name: string, body: string) =>
  `list_transform([${x}], lambda ${name}: ${body})[1]`;

const HEXTET = "'[0-9A-Fa-f]{1,4}'";

/** Hextet texts as one UHUGEINT (NULL unless each is 1 to 4 hex digits). */
const HEXTETS_VALUE = (g: string) =>
  `CASE WHEN list_bool_and(list_transform(${g}, lambda ip_h: regexp_full_match(ip_h, ${HEXTET}))) THEN list_reduce(list_transform(${g}, lambda ip_h: CAST(CAST('0x' || ip_h AS INTEGER) AS UHUGEINT)), lambda ip_a, ip_b: ip_a * 65536 + ip_b) END`;

const HEXTET_LIST = (s: string) =>
  `CASE WHEN ${s} = '' THEN []::VARCHAR[] ELSE string_split(${s}, ':') END`;

/**
 * Inside trino_ip_contains: `ip_c[1]` the network's text, `ip_p` its prefix length (0 or more).
 * CASE branches run only for the rows that reach them: no shift by a negative count.
 */
const CIDR_MATCH = `CASE WHEN trino_ip4(ip_c[1]) IS NOT NULL THEN CASE WHEN ip_p > 32 THEN ${raise("Invalid CIDR")} WHEN trino_ip4(ip_c[1]) % (CAST(1 AS UHUGEINT) << CAST(32 - ip_p AS UHUGEINT)) <> 0 THEN ${raise("Invalid CIDR")} ELSE trino_ip_prefix_eq(ip_a, trino_ip_parse(ip_c[1]), ip_p + 96) END WHEN ip_p > 128 THEN ${raise("Invalid CIDR")} ELSE trino_ip_prefix_eq(ip_a, trino_ip_parse(ip_c[1]), ip_p) END`;

function raise(message: string): string {
  return `trino_raise('INVALID_FUNCTION_ARGUMENT: ${message}', cidr)`;
}

export const IP_MACROS: string[] = [
  // A dotted quad's 32 bits, or NULL.
  `CREATE MACRO trino_ip4(s) AS CASE WHEN regexp_full_match(s, '(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}') AND list_bool_and(list_transform(string_split(s, '.'), lambda ip_p: TRY_CAST(ip_p AS INTEGER) <= 255)) THEN list_reduce(list_transform(string_split(s, '.'), lambda ip_p: TRY_CAST(ip_p AS UHUGEINT)), lambda ip_a, ip_b: ip_a * 256 + ip_b) END`,
  // IPv6 text with hextets only (any dotted quad already replaced): its 128 bits, or NULL.
  `CREATE MACRO trino_ip6_hex(s) AS CASE WHEN NOT regexp_full_match(s, '[0-9A-Fa-f:]+') OR strpos(s, ':::') > 0 OR length(s) - length(replace(s, '::', '')) > 2 THEN NULL WHEN strpos(s, '::') = 0 THEN CASE WHEN len(string_split(s, ':')) = 8 THEN ${HEXTETS_VALUE("string_split(s, ':')")} END ELSE ${LET(`[${HEXTET_LIST("split_part(s, '::', 1)")}, ${HEXTET_LIST("split_part(s, '::', 2)")}]`, "ip_parts", `CASE WHEN len(ip_parts[1]) + len(ip_parts[2]) <= 7 THEN ${HEXTETS_VALUE("list_concat(ip_parts[1], list_transform(range(8 - len(ip_parts[1]) - len(ip_parts[2])), lambda ip_z: '0'), ip_parts[2])")} END`)} END`,
  // IPv6 text, the last 32 bits possibly a dotted quad: its 128 bits, or NULL.
  `CREATE MACRO trino_ip6(s) AS CASE WHEN strpos(s, '.') = 0 THEN trino_ip6_hex(s) ELSE ${LET("trino_ip4(regexp_extract(s, '[^:]*$'))", "ip_v4", `CASE WHEN ip_v4 IS NOT NULL AND regexp_matches(s, ':[^:]*$') THEN trino_ip6_hex(regexp_replace(s, '[^:]*$', '') || printf('%x:%x', CAST(ip_v4 >> 16 AS BIGINT), CAST(ip_v4 & 65535 AS BIGINT))) END`)} END`,
  // An address's text (Guava forString) as its 16 bytes, an IPv4 address mapped; NULL if invalid.
  `CREATE MACRO trino_ip_parse(s) AS CASE WHEN strpos(s, ':') > 0 THEN trino_ip6(s) ELSE ${MAPPED} + trino_ip4(s) END`,
  `CREATE MACRO trino_ip_make(v) AS CASE WHEN v IS NOT NULL THEN {'${IP_FIELD}': v} END`,
  `CREATE MACRO trino_ipaddress(s VARCHAR) AS ${LET("trino_ip_parse(s)", "ip_v", `CASE WHEN s IS NULL THEN CAST(NULL AS ${IP}) WHEN ip_v IS NULL THEN trino_raise('INVALID_CAST_ARGUMENT: Cannot cast value to IPADDRESS: ' || s, s) ELSE CAST(trino_ip_make(ip_v) AS ${IP}) END`)}, (s ${IP}) AS s`,
  `CREATE MACRO trino_try_ipaddress(s VARCHAR) AS CAST(trino_ip_make(trino_ip_parse(s)) AS ${IP}), (s ${IP}) AS s`,
  // The text of 8 hextets: the first longest run of 2 or more zero hextets as '::'.
  `CREATE MACRO trino_ip6_text(g) AS ${LET(
    "list_aggregate(list_transform(g, lambda ip_x: CASE WHEN ip_x = 0 THEN 'z' ELSE 'n' END), 'string_agg', '')",
    "ip_flags",
    LET(
      "coalesce(list_filter([8, 7, 6, 5, 4, 3, 2], lambda ip_n: strpos(ip_flags, repeat('z', ip_n)) > 0)[1], 0)",
      "ip_run",
      LET(
        "list_transform(g, lambda ip_x: printf('%x', ip_x))",
        "ip_t",
        `CASE WHEN ip_run = 0 THEN array_to_string(ip_t, ':') ELSE array_to_string(ip_t[1:strpos(ip_flags, repeat('z', ip_run)) - 1], ':') || '::' || array_to_string(ip_t[strpos(ip_flags, repeat('z', ip_run)) + ip_run:], ':') END`,
      ),
    ),
  )}`,
  `CREATE MACRO trino_ip_text(v) AS ${LET("v", "ip_v", "CASE WHEN ip_v IS NULL THEN NULL WHEN ip_v >> 32 = 65535 THEN concat_ws('.', (ip_v >> 24) & 255, (ip_v >> 16) & 255, (ip_v >> 8) & 255, ip_v & 255) ELSE trino_ip6_text(list_transform(range(8), lambda ip_i: CAST((ip_v >> CAST(16 * (7 - ip_i) AS UHUGEINT)) & 65535 AS BIGINT))) END")}`,
  // Whether the first p bits (0 to 128) of a and b agree.
  `CREATE MACRO trino_ip_prefix_eq(a, b, p) AS p = 0 OR (a >> CAST(128 - p AS UHUGEINT)) = (b >> CAST(128 - p AS UHUGEINT))`,
  `CREATE MACRO trino_ip_contains(cidr, a) AS ${LET(
    "a",
    "ip_a",
    `CASE WHEN cidr IS NULL OR ip_a IS NULL THEN NULL WHEN strpos(cidr, '/') = 0 THEN ${raise("Invalid CIDR")} ELSE ${LET(
      "[split_part(cidr, '/', 1), substr(cidr, strpos(cidr, '/') + 1)]",
      "ip_c",
      `CASE WHEN trino_ip_parse(ip_c[1]) IS NULL THEN ${raise("Invalid network IP address")} WHEN NOT coalesce(TRY_CAST(ip_c[2] AS INTEGER) >= 0, false) THEN ${raise("Invalid prefix length")} ELSE ${LET("CAST(ip_c[2] AS INTEGER)", "ip_p", CIDR_MATCH)} END`,
    )} END`,
  )}`,
];

/** Overloads other macros take for an IPADDRESS argument (trino.ts, trino-helpers.ts). */
export const IP_OVERLOADS = {
  contains: `(a VARCHAR, x ${IP}) AS trino_ip_contains(a, x.${IP_FIELD})`,
  toVarchar: `(x ${IP}) AS trino_ip_text(x.${IP_FIELD})`,
  // Trino has no cast of an IPADDRESS to JSON (an analysis error, which try() does not catch).
  toJson: `(x ${IP}) AS CAST(trino_refuse('Cannot cast ipaddress to json') AS JSON)`,
};

/** Whether a cast's target is IPADDRESS (DuckDB parses it as a type it does not know). */
function isIpType(t: Node | undefined): boolean {
  const info = t?.type_info as Node | null | undefined;
  return t?.id === "UNBOUND" && String(info?.name ?? "").toUpperCase() === "IPADDRESS";
}

/**
 * `IPADDRESS '10.0.0.1'`, `CAST(x AS IPADDRESS)` → `trino_ipaddress(x)` (an invalid text is
 * Trino's cast error); `TRY_CAST` → `trino_try_ipaddress(x)` (NULL). Undefined for other nodes.
 */
export function ipAddressCast(v: Node): Node | undefined {
  if (v.class !== "CAST" || !isIpType(v.cast_type as Node)) return undefined;
  const fn = v.try_cast === true ? "trino_try_ipaddress" : "trino_ipaddress";
  return callNode(fn, [{ ...(v.child as Node), alias: "" }], v);
}
