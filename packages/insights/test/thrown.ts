/** What a call throws, checked to be of the expected class; the test fails if it throws nothing. */
export function thrown<E extends Error>(kind: new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (e) {
    if (e instanceof kind) return e;
    throw new Error(`expected ${kind.name}, got ${String(e)}`);
  }
  throw new Error(`expected ${kind.name}, nothing was thrown`);
}
