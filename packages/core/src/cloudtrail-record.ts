/**
 * The CloudTrail record schema, written once for every package: the record's fields with
 * CloudTrail's own key spelling. `RECORD_FIELDS` is Athena's table (the AWS documentation's DDL):
 * the local engine reads records with it, Athena's columns are the same names lower-cased, and the
 * SQL checker (`@run-md/sql`) resolves columns and struct fields against it. CloudTrail writes a
 * few keys the DDL has no column for (`RECORD_FIELDS_BEYOND_DDL`); Logs Insights, which reads the
 * record's JSON, sees those too, and its checker (`@run-md/insights`) resolves field paths
 * against both (`checkRecordPath`).
 */
import { suggest } from "./diagnostics.ts";

export type RecordFieldKind =
  | { kind: "string" }
  /** A JSON payload that Athena stores as a STRING column holding JSON text. */
  | { kind: "json" }
  | { kind: "struct"; fields: RecordField[] }
  | { kind: "struct-array"; fields: RecordField[] }
  | { kind: "string-map" };

export type RecordField = { name: string } & RecordFieldKind;

const s = (name: string): RecordField => ({ name, kind: "string" });
const j = (name: string): RecordField => ({ name, kind: "json" });
const st = (name: string, fields: RecordField[]): RecordField => ({ name, kind: "struct", fields });

/** Top-level record fields in Athena column order (current docs, manual partitioning table). */
export const RECORD_FIELDS: RecordField[] = [
  s("eventVersion"),
  st("userIdentity", [
    s("type"),
    s("principalId"),
    s("arn"),
    s("accountId"),
    s("invokedBy"),
    s("accessKeyId"),
    s("userName"),
    st("onBehalfOf", [s("userId"), s("identityStoreArn")]),
    st("sessionContext", [
      st("attributes", [s("mfaAuthenticated"), s("creationDate")]),
      st("sessionIssuer", [s("type"), s("principalId"), s("arn"), s("accountId"), s("userName")]),
      s("ec2RoleDelivery"),
      st("webIdFederationData", [
        s("federatedProvider"),
        { name: "attributes", kind: "string-map" },
      ]),
    ]),
  ]),
  s("eventTime"),
  s("eventSource"),
  s("eventName"),
  s("awsRegion"),
  s("sourceIPAddress"),
  s("userAgent"),
  s("errorCode"),
  s("errorMessage"),
  j("requestParameters"),
  j("responseElements"),
  j("additionalEventData"),
  s("requestID"),
  s("eventID"),
  {
    name: "resources",
    kind: "struct-array",
    fields: [s("ARN"), s("accountId"), s("type")],
  },
  s("eventType"),
  s("apiVersion"),
  s("readOnly"),
  s("recipientAccountId"),
  j("serviceEventDetails"),
  s("sharedEventID"),
  s("vpcEndpointId"),
  s("vpcEndpointAccountId"),
  s("eventCategory"),
  st("addendum", [s("reason"), s("updatedFields"), s("originalRequestID"), s("originalEventID")]),
  s("sessionCredentialFromConsole"),
  j("edgeDeviceDetails"),
  st("tlsDetails", [s("tlsVersion"), s("cipherSuite"), s("clientProvidedHostHeader")]),
];

/**
 * Keys CloudTrail writes that Athena's DDL has no column or struct field for, by the dotted path
 * of the object that holds them ("" for the record): Logs Insights reads them from the record's
 * JSON. `json`: a payload whose keys are not fixed.
 */
export const RECORD_FIELDS_BEYOND_DDL: Readonly<Record<string, readonly RecordField[]>> = {
  "": [s("managementEvent"), j("insightDetails")],
  userIdentity: [s("identityProvider"), s("credentialId"), j("inScopeOf")],
  "userIdentity.sessionContext": [s("sourceIdentity"), s("assumedRoot")],
  // A data event on a prefix of objects names the prefix (ARN or ARNPrefix, never both).
  resources: [s("ARNPrefix")],
};

/**
 * Objects of the DDL whose keys CloudTrail has been extending (`onBehalfOf` differs by how the
 * identity was federated; `tlsDetails` gained keys): their keys are not checked.
 */
const OPEN_OBJECTS = new Set(["userIdentity.onBehalfOf", "tlsDetails"]);

/** A field path a CloudTrail record cannot have, with the spelling it likely meant. */
export interface RecordPathProblem {
  /** The index of the first segment that is not a key of its object. */
  segment: number;
  /** The path with every segment up to the payloads spelt as CloudTrail does, when one is close. */
  suggestion?: string;
}

/**
 * Whether a dotted field path (`userIdentity.sessionContext.attributes.mfaAuthenticated`,
 * `resources.0.ARN`, `requestParameters.bucketName`) can name a value of a CloudTrail record,
 * case-sensitively, as Logs Insights reads the record's JSON. Below a payload (`json`: request
 * parameters, response elements, additional event data) and a map, and in an open object, any
 * key goes; a text field has no keys; array elements are numbered.
 */
export function checkRecordPath(segments: readonly string[]): RecordPathProblem | undefined {
  let bad: number | undefined;
  const fixed: string[] = [];
  let fields: readonly RecordField[] | undefined = RECORD_FIELDS;
  let path = "";
  let array = false;
  for (const [i, seg] of segments.entries()) {
    if (array) {
      // An element of an array of objects, by its number.
      if (!/^\d+$/.test(seg)) return bad === undefined ? undefined : { segment: bad };
      fixed.push(seg);
      array = false;
      continue;
    }
    if (fields === undefined) {
      // A text value: no keys below it (a payload or open object returned already).
      if (bad === undefined) bad = i;
      return { segment: bad };
    }
    const known: RecordField[] = [...fields, ...(RECORD_FIELDS_BEYOND_DDL[path] ?? [])];
    let field = known.find((f) => f.name === seg);
    if (field === undefined) {
      bad ??= i;
      const guess = suggest(
        seg,
        known.map((f) => f.name),
      );
      field = guess === undefined ? undefined : known.find((f) => f.name === guess);
      if (field === undefined) return { segment: bad };
    }
    fixed.push(field.name);
    path = path === "" ? field.name : `${path}.${field.name}`;
    if (field.kind === "json" || field.kind === "string-map" || OPEN_OBJECTS.has(path)) {
      fixed.push(...segments.slice(i + 1));
      break;
    }
    fields = field.kind === "struct" || field.kind === "struct-array" ? field.fields : undefined;
    array = field.kind === "struct-array";
  }
  if (bad === undefined) return undefined;
  return { segment: bad, suggestion: fixed.join(".") };
}

/**
 * How many leading segments of a dotted field path are CloudTrail's fixed keys (with array
 * element numbers): the keys after them lie in a payload, a map or an open object, where any key
 * goes, a dot inside one too (a tag key `app.name`). The whole path when it names a fixed value;
 * a segment that is no fixed key (a key CloudTrail added since) starts the free part.
 */
export function fixedPathLength(segments: readonly string[]): number {
  let fields: readonly RecordField[] | undefined = RECORD_FIELDS;
  let path = "";
  let array = false;
  for (const [i, seg] of segments.entries()) {
    if (array) {
      if (!/^\d+$/.test(seg)) return i;
      array = false;
      continue;
    }
    const known: readonly RecordField[] = fields
      ? [...fields, ...(RECORD_FIELDS_BEYOND_DDL[path] ?? [])]
      : [];
    const field: RecordField | undefined = known.find((f) => f.name === seg);
    if (field === undefined) return i;
    path = path === "" ? field.name : `${path}.${field.name}`;
    if (field.kind === "json" || field.kind === "string-map" || OPEN_OBJECTS.has(path))
      return i + 1;
    fields = field.kind === "struct" || field.kind === "struct-array" ? field.fields : undefined;
    array = field.kind === "struct-array";
  }
  return segments.length;
}
