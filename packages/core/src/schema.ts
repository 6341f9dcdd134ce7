/**
 * The published JSON Schema of the front matter (`schema/runbook-frontmatter.schema.json`), for
 * editors with a YAML language server. The parser validates the same rules by hand, with better
 * positions and messages; a test keeps the two in step.
 */
import schema from "../schema/runbook-frontmatter.schema.json" with { type: "json" };

export const frontMatterSchema: Readonly<Record<string, unknown>> = schema;
