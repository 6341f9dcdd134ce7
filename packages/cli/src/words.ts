/** `1 problem`, `3 problems`: a count and its noun, for the messages the commands print. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
