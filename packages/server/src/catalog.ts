/**
 * The runbooks the server offers, parsed once at start with core's parser (a runbook with
 * errors, or with a query that does not parse, is left out with a warning, as `run-md run`
 * refuses it).
 */

import type { RunbookFacts } from "@run-md/access";
import {
  type Diagnostic,
  displayPath,
  duplicateIdErrors,
  findRunbooks,
  loadRunbook,
  type Runbook,
} from "@run-md/core";

/**
 * Problems of a runbook's queries beyond its Markdown, which core cannot see (the CLI gives the
 * queries that do not parse): a runbook with an error among them is not served either.
 */
export type QueryProblems = (runbook: Runbook) => Promise<Diagnostic[]>;

export interface CatalogEntry {
  runbook: Runbook;
  facts: RunbookFacts;
}

export class Catalog {
  private readonly byId = new Map<string, CatalogEntry>();

  constructor(runbooks: Runbook[]) {
    for (const runbook of runbooks) {
      const { id, tags, severity } = runbook.meta;
      this.byId.set(id, { runbook, facts: { id, tags, severity } });
    }
  }

  /**
   * Loads every runbook under `inputs` (files or folders). Runbooks that share an id are all
   * left out: which of them a request for the id means is not known, nor whose tags decide who
   * may run it.
   */
  static async load(
    inputs: string[],
    warn: (msg: string) => void,
    queryProblems?: QueryProblems,
  ): Promise<Catalog> {
    const runbooks: Runbook[] = [];
    for (const file of await findRunbooks(inputs)) {
      const { runbook, diagnostics } = await loadRunbook(file);
      const more = runbook && queryProblems ? await queryProblems(runbook) : [];
      const errors = [...diagnostics, ...more].filter((d) => d.severity === "error");
      if (runbook && errors.length === 0) runbooks.push(runbook);
      else {
        const shown = displayPath(file);
        warn(`${shown}: not served (${errors.length} problem(s); run-md check ${shown})`);
      }
    }
    const shown = (r: Runbook) => displayPath(r.path);
    const clashes = duplicateIdErrors(runbooks.map((r) => ({ file: shown(r), id: r.meta.id })));
    for (const d of clashes.values()) warn(`${d.file}: not served (${d.message})`);
    return new Catalog(runbooks.filter((r) => !clashes.has(shown(r))));
  }

  get(id: string): CatalogEntry | undefined {
    return this.byId.get(id);
  }

  all(): CatalogEntry[] {
    return [...this.byId.values()].sort((a, b) => a.facts.id.localeCompare(b.facts.id));
  }
}

/** A runbook's parameters as the API describes them (the run form is built from these). */
export function paramInfo(runbook: Runbook) {
  return Object.values(runbook.meta.params).map((p) => ({
    name: p.name,
    type: p.type,
    ...(p.description === undefined ? {} : { description: p.description }),
    ...(p.default === undefined ? { required: true } : { default: p.default }),
    ...(p.enum === undefined ? {} : { enum: p.enum }),
    ...(p.pattern === undefined ? {} : { pattern: p.pattern }),
    ...(p.min === undefined ? {} : { min: p.min }),
    ...(p.max === undefined ? {} : { max: p.max }),
  }));
}
