/**
 * The `NextToken` of a paged answer (Athena's GetQueryResults, Logs' GetQueryResults and its
 * `@ptr` values): the query's id and an offset, opaque to the client.
 */
export function pageToken(id: string, offset: number): string {
  return Buffer.from(`${id}:${offset}`).toString("base64url");
}

/** The id and offset of a token `pageToken` made; undefined for anything else. */
export function readPageToken(token: unknown): { id: string; offset: number } | undefined {
  if (typeof token !== "string") return undefined;
  const m = /^(.+):(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  return m ? { id: m[1]!, offset: Number(m[2]) } : undefined;
}
