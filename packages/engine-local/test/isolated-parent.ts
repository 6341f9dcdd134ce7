/**
 * A caller of the isolated engine for isolated.test.ts to kill: it opens the engine on the log
 * directory given, starts the query `process.argv[3]` and prints the child's pid, then waits.
 */
import { queryRequest } from "../../core/test/query-request.ts";
import { createIsolatedEngine } from "../src/isolated.ts";

const [logDir, sql] = process.argv.slice(2) as [string, string];
const engine = await createIsolatedEngine({ logDir, threads: 1 }, { memoryBytes: 1.5 * 2 ** 30 });
const window = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-02T00:00:00Z") };
const run = engine.query(queryRequest("sql", sql, window));
console.log(JSON.stringify({ child: await engine.pid() }));
await run;
