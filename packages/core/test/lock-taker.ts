/**
 * One taker of locks, in a process of its own (file-lock.test.ts starts several at once): for
 * each round, at the same instant as the other takers, tries `holdFileLock` on that round's lock;
 * when it holds it, keeps it to the round's end, checks that nobody wrote the file meanwhile, and
 * gives it back. Prints a line per round: `held`, `busy`, or `overlap` (another taker wrote the
 * lock it held).
 */
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { holdFileLock } from "../src/file-lock.ts";

const ROUND_MS = 250;
const HOLD_MS = 200;
/** A taker starting this long after the round's instant is late (the lock may be given back). */
const LATE_MS = 100;

const [dir = "", rounds = "1"] = process.argv.slice(2);
// Loaded: the test writes the first round's instant once every taker is (a taker whose modules
// loaded late found the locks given back, and took one too).
process.stdout.write("ready\n");
const at = Number((await once(process.stdin, "data"))[0]);
for (let r = 0; r < Number(rounds); r++) {
  await sleep(Math.max(0, at + r * ROUND_MS - Date.now()));
  const lock = path.join(dir, `race-${r}.lock`);
  // A taker woken too late (a loaded machine) may find the lock given back, and rightly take it:
  // it did not find the dead process's lock at once with the others, and says so.
  const late = Date.now() - (at + r * ROUND_MS) > LATE_MS ? " late" : "";
  try {
    const release = await holdFileLock(lock, (owner) => new Error(`busy ${owner}`));
    // Taken after the round's holder let go (the attempt itself slowed past HOLD_MS on a loaded
    // machine): a holder after another, not beside it, and as late as one woken late.
    const after = Date.now() > at + r * ROUND_MS + HOLD_MS ? " late" : "";
    const mine = await readFile(lock, "utf8");
    // Held until the round's end, so that a taker a moment late still finds it busy.
    await sleep(Math.max(0, at + r * ROUND_MS + HOLD_MS - Date.now()));
    const still = await readFile(lock, "utf8").catch(() => "");
    process.stdout.write(`${r} ${still === mine ? "held" : "overlap"}${late || after}\n`);
    await release();
  } catch (e) {
    const message = (e as Error).message;
    process.stdout.write(`${r} ${message.startsWith("busy") ? "busy" : message}${late}\n`);
  }
}
process.stdin.destroy();
