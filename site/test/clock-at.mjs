/**
 * Loaded with `node --import` into a process (the real `run-md` binary) whose clock a test sets:
 * the process starts at RUN_MD_TEST_CLOCK_AT (an ISO date) and its clock runs on from there.
 * Only `Date` moves; timers and performance.now() are untouched.
 */
const at = Date.parse(process.env.RUN_MD_TEST_CLOCK_AT ?? "");
if (Number.isNaN(at)) {
  throw new Error(
    `clock-at.mjs: RUN_MD_TEST_CLOCK_AT is not a date: ${process.env.RUN_MD_TEST_CLOCK_AT}`,
  );
}
const offset = at - Date.now();
const RealDate = Date;

class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }

  static now() {
    return RealDate.now() + offset;
  }
}

globalThis.Date = ShiftedDate;
