/** Waiting and cancelling with an AbortSignal: engine-neutral helpers the engines share. */

/** Waits `ms` milliseconds, or less when `signal` aborts; never rejects (check the signal after). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Why a signal aborted, in words: the reason's message or text, else `cancelled`. */
export function abortReason(signal: AbortSignal): string {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r.message;
  if (typeof r === "string") return r;
  return "cancelled";
}
