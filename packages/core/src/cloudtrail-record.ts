/**
 * The CloudTrail record schema, written once for every package: the record's fields with
 * CloudTrail's own key spelling (the local engine reads records with it; Athena's columns are the
 * same names lower-cased, as in the AWS documentation's DDL) and the partition columns of the
 * documented partitioning schemes. The SQL checker resolves columns and struct fields against it.
 */

export type FieldKind =
  | { kind: "string" }
  /** A JSON payload that Athena stores as a STRING column holding JSON text. */
  | { kind: "json" }
  | { kind: "struct"; fields: Field[] }
  | { kind: "struct-array"; fields: Field[] }
  | { kind: "string-map" };

export type Field = { name: string } & FieldKind;

const s = (name: string): Field => ({ name, kind: "string" });
const j = (name: string): Field => ({ name, kind: "json" });
const st = (name: string, fields: Field[]): Field => ({ name, kind: "struct", fields });

/** Top-level record fields in Athena column order (current docs, manual partitioning table). */
export const RECORD_FIELDS: Field[] = [
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

/** The partition columns: manual, projection and bootstrap schemes, all exposed. */
export const PARTITION_COLUMNS = [
  "region",
  "year",
  "month",
  "day",
  "timestamp",
  "date_partition",
  "region_partition",
  "account_partition",
] as const;
