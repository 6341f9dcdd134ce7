/**
 * Where an `astro build` of the site spent its time, read from its log: the content layer, the
 * server bundle, the client bundle, each route's pages, and the site's own build steps (search
 * index, report files). Route times come from the log's timestamps (whole seconds).
 */

export interface Phase {
  name: string;
  seconds: number;
}

const STAMP = /^(\d\d):(\d\d):(\d\d) (.*)$/;
/** The name of a route as its header line gives it (`▶ src/pages/index.astro`). */
const ROUTE = /^[▶λ] (?:src\/pages\/)?(.+?)(?:\.astro|\.ts)?$/;

function seconds(h: string, m: string, s: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** The phases of the log, in order; a phase the log does not show is left out. */
export function astroPhases(log: string): Phase[] {
  const phases: Phase[] = [];
  let contentStart: number | undefined;
  let bundling = false;
  let client = false;
  let route: { name: string; at: number } | undefined;
  const endRoute = (at: number) => {
    if (route) phases.push({ name: `pages ${route.name}`, seconds: at - route.at });
    route = undefined;
  };
  for (const raw of log.split("\n")) {
    const line = raw.trim();
    if (line === "building client (vite)") client = true;
    const m = STAMP.exec(line);
    if (!m) continue;
    const at = seconds(m[1]!, m[2]!, m[3]!);
    const text = m[4]!;
    const completed = /✓ Completed in ([\d.]+)s/.exec(text);
    const routeHeader = ROUTE.exec(text);
    if (text === "[content] Syncing content") contentStart = at;
    else if (text === "[content] Synced content" && contentStart !== undefined)
      phases.push({ name: "content layer", seconds: at - contentStart });
    else if (text.includes("Building static entrypoints")) bundling = true;
    else if (bundling && completed) {
      phases.push({ name: "server bundle", seconds: Number(completed[1]) });
      bundling = false;
    } else if (client && /\[vite\] ✓ built in ([\d.]+)s/.test(text)) {
      phases.push({ name: "client bundle", seconds: Number(/([\d.]+)s/.exec(text)![1]) });
      client = false;
    } else if (routeHeader) {
      endRoute(at);
      route = { name: routeHeader[1]!, at };
    } else if (route && completed) endRoute(at);
    else {
      const step = /\[run-md:([\w-]+)\] .* in (\d+) ms/.exec(text);
      if (step) phases.push({ name: step[1]!, seconds: Number(step[2]) / 1000 });
      // Starlight's own search index, before the site made it (integrations/search-index.ts).
      const pagefind = /Finished building search index in ([\d.]+)(m?s)/.exec(text);
      if (pagefind) {
        const n = Number(pagefind[1]);
        phases.push({ name: "search", seconds: pagefind[2] === "ms" ? n / 1000 : n });
      }
    }
  }
  return phases;
}

/** The phases as one line, the costliest first (pages of routes under a second left out). */
export function formatPhases(phases: Phase[]): string {
  return [...phases]
    .filter((p) => !p.name.startsWith("pages ") || p.seconds >= 1)
    .sort((a, b) => b.seconds - a.seconds)
    .map((p) => `${p.name} ${p.seconds.toFixed(p.seconds < 10 ? 1 : 0)} s`)
    .join(", ");
}
