import { collectFromDir } from "@run-md/collect";
const end = new Date("2026-01-31T00:00:00.000Z");
const t0 = performance.now();
const r = await collectFromDir({ sourceDir: "bench-data", store: process.argv[2] as string, window: { start: new Date(end.getTime() - 30 * 86400_000), end } });
console.log(JSON.stringify({ ms: performance.now() - t0, events: r.eventsAdded, cpu: process.cpuUsage() }));
