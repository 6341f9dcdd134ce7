/**
 * Corpus rows whose expected value contradicts the Trino test line they cite. Each is judged
 * against what that line asserts, and the report lists every one with its reason, so the
 * substitution is never silent. Add a row only with the test line that proves it.
 */
export interface Correction {
  type: string;
  value: string;
  why: string;
}

export const CORRECTIONS: ReadonlyMap<string, Correction> = new Map([
  [
    "trino-9fc64b592fb1",
    {
      type: "array(decimal(18,3))",
      value: "[1.000, 2.000, 123456789123456.789]",
      why: "TestArrayOperators.java (testElementArrayConcat) asserts a || b || c matches ARRAY[1.0, 2.0, 123456789123456.789], an array(decimal(18,3)); the corpus cut the last element to two decimals and took the type of the first",
    },
  ],
]);
