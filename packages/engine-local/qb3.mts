import { createLocalEngine } from "./src/index.ts";
const logDir = "/work/main/.run-md/test-data/incidents";
const threads = process.env.T ? Number(process.env.T) : undefined;
const e = await createLocalEngine({ logDir, ...(threads ? { threads } : {}) });
const end = new Date(); const start = new Date(end.getTime() - (Number(process.env.H ?? 24)) * 3600e3);
const qs = [`SELECT eventtime, eventname, eventsource, sourceipaddress, useragent, json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used, errorcode FROM cloudtrail_logs WHERE useridentity.type = 'Root' AND useridentity.invokedby IS NULL AND coalesce(eventtype, '') <> 'AwsServiceEvent' ORDER BY eventtime, eventid`,
 `SELECT useridentity.arn AS principal, count(*) AS calls FROM cloudtrail_logs WHERE errorcode = 'AccessDenied' GROUP BY 1 ORDER BY calls DESC`,
 `SELECT eventsource, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY n DESC`];
await e.query({ dialect: "sql", query: qs[0], params: {}, window: { start, end }, attributes: {} } as never);
const t = process.cpuUsage(); const w = performance.now();
for (let i = 0; i < 10; i++) for (const q of qs) await e.query({ dialect: "sql", query: q, params: {}, window: { start, end }, attributes: {} } as never);
const u = process.cpuUsage(t);
console.log(`threads=${threads ?? "default"} H=${process.env.H ?? 24}`, ((performance.now() - w) / 30).toFixed(1), "ms wall/q", ((u.user + u.system) / 1000 / 30).toFixed(1), "ms cpu/q");
await e.close();
