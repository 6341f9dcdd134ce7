/**
 * Loaded with `node --import` into a process (the real `run-md serve`) whose clock a test moves
 * forward instead of waiting: each SIGUSR2 moves `Date` on by RUN_MD_TEST_CLOCK_STEP_MS and
 * writes `test clock: +<ms> ms` to standard error once it has. Timers and performance.now() are
 * untouched.
 */
const step = Number(process.env.RUN_MD_TEST_CLOCK_STEP_MS);
if (!Number.isInteger(step) || step <= 0) {
  throw new Error(
    `clock-jump.mjs: RUN_MD_TEST_CLOCK_STEP_MS is not a positive whole number: ${process.env.RUN_MD_TEST_CLOCK_STEP_MS}`,
  );
}
let offset = 0;
const RealDate = Date;

class MovedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }

  static now() {
    return RealDate.now() + offset;
  }
}

globalThis.Date = MovedDate;
process.on("SIGUSR2", () => {
  offset += step;
  process.stderr.write(`test clock: +${offset} ms\n`);
});
