/**
 * The built site (server.siteDir), with the access rules on every page (spec §3): a page under
 * `runbooks/<id>/` or `reports/<id>/` is 404 to a caller without `view` on that runbook, exactly
 * as if it did not exist. The index, tag and status pages are served without the rows of the
 * runbooks the caller may not view (list-pages.ts). The search index (`pagefind/`) holds every
 * page's text, and the sitemap names every runbook's pages, so they are served only to callers
 * who may view every runbook.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import { type Caller, maskPlan } from "@run-md/access";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ServerContext } from "../context.ts";
import { clipped, HttpError } from "../http-error.ts";
import { refusalDetails } from "../identity/identify.ts";
import { type ListView, listPageFor } from "./list-pages.ts";
import { sitePath } from "./site-path.ts";

const GATED = ["runbooks", "reports"];
/** The sitemap's files (`sitemap-index.xml`, `sitemap-0.xml`, ...): served like the search index. */
const SITEMAP = /^sitemap[^/]*\.xml$/;

/** The file a site path names inside `root` (directories: their index.html), or undefined. */
async function resolveFile(root: string, sitePath: string): Promise<string | undefined> {
  const full = path.resolve(root, `.${sitePath}`);
  if (full !== root && !full.startsWith(root + path.sep)) return undefined;
  for (const candidate of [full, path.join(full, "index.html"), `${full}.html`]) {
    const st = await stat(candidate).catch(() => undefined);
    if (st?.isFile()) return path.relative(root, candidate);
  }
  return undefined;
}

/**
 * What a page may show of the runbook list (list-pages.ts), or undefined when the caller may see
 * it all: they may view every runbook (`seesAll`) and no masking covers them.
 */
function listView(
  ctx: ServerContext,
  caller: Caller | undefined,
  viewable: ReadonlySet<string>,
  seesAll: boolean,
): ListView | undefined {
  const masked = caller !== undefined && maskPlan(ctx.guard.access, caller).size > 0;
  if (seesAll && !masked) return undefined;
  return { visible: (id) => viewable.has(id), masked };
}

/**
 * Whether the caller may view every runbook served and every runbook the built site has pages
 * for (the entries of `runbooks/`, folders or not). A site whose `runbooks/` cannot be read
 * (being rebuilt, a permission) says no: the pages are then filtered, never shown whole.
 */
async function viewsEverything(
  ctx: ServerContext,
  root: string,
  caller: Caller | undefined,
  viewable: ReadonlySet<string>,
): Promise<boolean> {
  if (caller === undefined || viewable.size !== ctx.catalog.all().length) return false;
  try {
    const entries = await readdir(path.join(root, "runbooks"));
    return entries.every((id) => viewable.has(id));
  } catch (e) {
    // No runbook pages at all: a site without runbooks hides none.
    return (e as NodeJS.ErrnoException).code === "ENOENT" && ctx.catalog.all().length === 0;
  }
}

export async function siteRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const root = path.resolve(ctx.config.siteDir);
  await app.register(fastifyStatic, { root, serve: false });

  const notFound = (reply: FastifyReply) =>
    reply.code(404).type("text/plain; charset=utf-8").send("404: no such page\n");

  app.get("/*", async (req, reply) => {
    const urlPath = req.url.split("?")[0]!;
    if (urlPath.startsWith("/api/"))
      throw new HttpError(404, `no API ${urlPath}`, { code: "not-found" });
    // Gated and looked up by the same decoded, normalized path (site-path.ts).
    const where = sitePath(req.url);
    if (where === undefined) return notFound(reply);
    const { segments, top } = where;
    const caller = req.identity.caller;
    /**
     * A page refused (404 as if it did not exist), audited (spec §9): a signed-in caller's
     * refusal is an `access.refused` entry, whether the runbook named exists or not (the same
     * synced write, so the time tells nothing); an anonymous one is bounded as every refusal
     * before sign-in is (identity/refusals.ts), so a flood cannot grow the log without end.
     */
    const refused = async (target?: string) => {
      if (caller === undefined) {
        await ctx.refusals.refuse(req.ip, refusalDetails(req, "not signed in"));
      } else {
        await ctx.auditor.record(caller, "access.refused", target, {
          action: "view",
          page: clipped(urlPath),
        });
      }
      return notFound(reply);
    };
    if (GATED.includes(top) && segments[1] !== undefined) {
      const entry = ctx.catalog.get(segments[1]);
      if (
        caller === undefined ||
        entry === undefined ||
        !ctx.guard.can(caller, "view", entry.facts)
      ) {
        return refused(clipped(segments[1]));
      }
    }
    const viewable = new Set(ctx.guard.viewableEntries(caller).map((e) => e.facts.id));
    // Every runbook the site has pages for, not every one served: a runbook the server leaves
    // out (it does not load, its id is another's) still has rows, search text and sitemap lines.
    // Asked only where it matters (the folder is read each time), not for every asset.
    const seesAll = () => viewsEverything(ctx, root, caller, viewable);
    // The search index holds every page's text; the sitemap names every runbook and run page.
    if ((top === "pagefind" || SITEMAP.test(top)) && !(await seesAll())) return refused();
    const file = await resolveFile(root, where.path);
    if (file === undefined) return notFound(reply);
    // Pages depend on who asks: never kept by a shared cache.
    reply.header("cache-control", "private, no-cache");
    // Only the list pages hold rows of other runbooks (a runbook's own pages passed its gate).
    const listPage = file.endsWith(".html") && !GATED.includes(top);
    const view = listPage ? listView(ctx, caller, viewable, await seesAll()) : undefined;
    if (view === undefined) return reply.sendFile(file, root);
    const html = await readFile(path.join(root, file), "utf8");
    return reply.type("text/html; charset=utf-8").send(listPageFor(html, view));
  });
}
