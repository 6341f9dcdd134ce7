/**
 * Loaded with `node --import` into a process (the real `run-md` binary) whose clock a test sets
 * or moves. Only `Date` moves; timers and performance.now() are untouched.
 * - RUN_MD_TEST_CLOCK_AT (an ISO date): the process starts at that time and its clock runs on.
 * - RUN_MD_TEST_CLOCK_STEP_MS (a positive whole number): each SIGUSR2 moves the clock on by that
 *   much, and the process writes `test clock: +<ms> ms` (the total) to standard error once it has.
 */
const { RUN_MD_TEST_CLOCK_AT: atText, RUN_MD_TEST_CLOCK_STEP_MS: stepText } = process.env;
const at = atText === undefined ? Date.now() : Date.parse(atText);
if (Number.isNaN(at)) throw new Error(`clock.mjs: RUN_MD_TEST_CLOCK_AT is not a date: ${atText}`);
const step = stepText === undefined ? undefined : Number(stepText);
if (step !== undefined && !(Number.isInteger(step) && step > 0)) {
  throw new Error(
    `clock.mjs: RUN_MD_TEST_CLOCK_STEP_MS is not a positive whole number: ${stepText}`,
  );
}
if (atText === undefined && step === undefined) {
  throw new Error("clock.mjs: set RUN_MD_TEST_CLOCK_AT or RUN_MD_TEST_CLOCK_STEP_MS");
}
let offset = at - Date.now();
const RealDate = Date;

class TestDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }

  static now() {
    return RealDate.now() + offset;
  }
}

globalThis.Date = TestDate;
if (step !== undefined) {
  let moved = 0;
  process.on("SIGUSR2", () => {
    offset += step;
    moved += step;
    process.stderr.write(`test clock: +${moved} ms\n`);
  });
}
