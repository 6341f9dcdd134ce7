/**
 * One event whose payload's numbers JavaScript would change, as three sources: a JSON lines
 * export and lookup-events output (the lenient reader) and the delivery layout (DuckDB's typed
 * reader). Read by engine-local's number-text test and by the collect's.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { tempDir } from "./helpers.ts";

export const NUMBERS_WINDOW = {
  start: new Date("2026-01-01T00:00:00Z"),
  end: new Date("2026-01-02T00:00:00Z"),
};

/** The payload's numbers, each as written (none of them reads back through a JS number). */
export const PAYLOAD =
  '{"size":500.0,"big":12345678901234567890,"e":1E2,"z":-0,"list":[1.50,2],"n":7}';

/**
 * One event as text: its payload PAYLOAD, and such numbers also in an object where a string belongs
 * (errorMessage) and in a string map's values (webIdFederationData.attributes).
 */
function eventText(id: string): string {
  return `{"eventVersion":"1.08","eventTime":"2026-01-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","eventID":"${id}","recipientAccountId":"111122223333","errorCode":1.50,"errorMessage":{"a":1E2,"b":-0,"c":1.50,"d":500.0},"requestParameters":${PAYLOAD},"userIdentity":{"type":"AssumedRole","accountId":"111122223333","sessionContext":{"webIdFederationData":{"federatedProvider":"x","attributes":{"n":1.50,"o":{"p":500.0}}}}}}`;
}

/** The three sources, each a folder of its own (pushed to `dirs`, for the caller to remove). */
export async function numberSources(dirs: string[]): Promise<Record<string, string>> {
  const folder = async (files: Record<string, string>) => {
    const dir = await tempDir("run-md-number-text-");
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      await fsp.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await fsp.writeFile(path.join(dir, name), text);
    }
    return dir;
  };
  const lookup = JSON.stringify({
    Events: [{ EventId: "b", EventName: "RunInstances", CloudTrailEvent: eventText("b") }],
  });
  const day = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01";
  return {
    export: await folder({ "export.jsonl": `${eventText("a")}\n` }),
    lookup: await folder({ "lookup.json": lookup }),
    layout: await folder({ [`${day}/x.json`]: `{"Records":[${eventText("c")}]}` }),
  };
}
