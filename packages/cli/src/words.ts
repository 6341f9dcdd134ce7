/** `1 problem`, `3 problems`: a count and its noun, for the messages the commands print. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A word as a POSIX shell reads it back: as it is when plain, else single-quoted. */
export function shellWord(w: string): string {
  return /^[\w./:@%+=,-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`;
}
