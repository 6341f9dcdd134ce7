/**
 * The test files that read the shared site (site/test/shared-site.ts): the global setup builds it
 * ahead for them, and the sequencer starts them once it is likely built. A module of its own, so
 * that vitest's configuration loads it without the build's code.
 */
export const SHARED_SITE_READERS = [
  "site/test/site.test.ts",
  "site/test/serve.test.ts",
  "site/test/approval.test.ts",
  "site/test/escaping.test.ts",
  "site/test/list-pages.test.ts",
  "site/test/page-answers.test.ts",
  "site/test/links.test.ts",
  "site/test/versions.test.ts",
];
