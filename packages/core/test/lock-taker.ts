/**
 * One taker of locks, in a process of its own (file-lock.test.ts starts several at once): for
 * each round, at the same instant as the other takers, tries `holdFileLock` on that round's lock;
 * when it holds it, keeps it a moment, checks that nobody wrote the file meanwhile, and gives it
 * back. Prints a line per round: `held`, `busy`, or `overlap` (another taker wrote the lock it
 * held).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { holdFileLock } from "../src/file-lock.ts";

const [dir = "", at = "0", rounds = "1"] = process.argv.slice(2);
for (let r = 0; r < Number(rounds); r++) {
  await sleep(Math.max(0, Number(at) + r * 250 - Date.now()));
  const lock = path.join(dir, `race-${r}.lock`);
  try {
    const release = await holdFileLock(lock, (owner) => new Error(`busy ${owner}`));
    const mine = await readFile(lock, "utf8");
    await sleep(120);
    const still = await readFile(lock, "utf8").catch(() => "");
    process.stdout.write(`${r} ${still === mine ? "held" : "overlap"}\n`);
    await release();
  } catch (e) {
    const message = (e as Error).message;
    process.stdout.write(`${r} ${message.startsWith("busy") ? "busy" : message}\n`);
  }
}
