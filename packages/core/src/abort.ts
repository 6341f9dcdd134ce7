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

/**
 * `fn` over `items`, at most `limit` calls at once; the results of the items started, in their
 * order (every item, unless `stop` aborted first). No item is started once `stop` aborted or a
 * call failed, and the first failure is the answer: the others' work would be for nothing.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  stop?: AbortSignal,
): Promise<R[]> {
  const out: { done: boolean; value?: R }[] = items.map(() => ({ done: false }));
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed && stop?.aborted !== true) {
      const i = next++;
      try {
        out[i] = { done: true, value: await fn(items[i] as T) };
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out.filter((o) => o.done).map((o) => o.value as R);
}
