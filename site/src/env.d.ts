/// <reference path="../.astro/types.d.ts" />

/** Set in astro.config.mjs from the environment (see docs/site.md). */
declare const __RUN_MD_INPUTS__: {
  runbooksDir: string;
  reportsDir: string;
  historyLimit: number;
};

/** The pages' Content-Security-Policy, made in astro.config.mjs (see lib/script-policy.ts). */
declare const __RUN_MD_CSP__: string;
