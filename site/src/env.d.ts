/// <reference path="../.astro/types.d.ts" />

/** Set in astro.config.mjs from the environment (see docs/site.md). */
declare const __RUN_MD_INPUTS__: {
  runbooksDir: string;
  reportsDir: string;
  historyLimit: number;
};
