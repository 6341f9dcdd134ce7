/**
 * Starlight route middleware: Starlight writes the page's `<title>` as raw HTML
 * (`set:html`), so a runbook title `x </title><script>...` would end the element and run
 * script. The title is escaped here; the browser shows it exactly as written.
 */
import { defineRouteMiddleware } from "@astrojs/starlight/route-data";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

export const onRequest = defineRouteMiddleware((context) => {
  for (const entry of context.locals.starlightRoute.head) {
    if (entry.tag === "title" && typeof entry.content === "string") {
      entry.content = entry.content.replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
    }
  }
});
