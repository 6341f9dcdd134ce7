import { defineCollection } from "astro:content";
import { docsLoader } from "@astrojs/starlight/loaders";
import { docsSchema } from "@astrojs/starlight/schema";
import { runbooksLoader } from "./lib/loader.ts";

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
  runbooks: defineCollection({ loader: runbooksLoader({ dir: __RUN_MD_INPUTS__.runbooksDir }) }),
};
