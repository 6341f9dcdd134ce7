#!/usr/bin/env node
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
/**
 * Builds the `run-md` package into `dist/`: one esbuild bundle of the CLI, the workspace
 * packages it uses (`@run-md/*`, whose sources are TypeScript) and every package they import
 * but DuckDB's native bindings, split at the lazy imports so a command or engine is loaded only
 * when needed. Then `dist/templates/` gets what `run-md init` writes, taken from the repository
 * (one copy of each), `dist/schema/` the front matter's and the report's JSON Schemas,
 * `dist/docs/` the user docs that messages name, and
 * `dist/THIRD-PARTY-LICENSES.txt` the bundled packages' licenses.
 *
 * Fails when the bundle imports a package that is not among this package's `dependencies`:
 * an installed run-md would not find it.
 */
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { thirdPartyNotices } from "./licenses.mjs";

const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO = path.resolve(PKG_DIR, "../..");
const DIST = path.join(PKG_DIR, "dist");

/**
 * What `run-md init` scaffolds: destination in the user's folder ← source in this repository.
 * Every runbook a starter names (audit-iam's escalation sends the on-call to
 * api-usage-by-identity, its next steps to access-key-lifecycle) is a starter too: init's
 * test fails on a name it does not write.
 */
const TEMPLATES = {
  "runbooks/audit-iam.md": "runbooks/audit-iam.md",
  "runbooks/root-account-usage.md": "runbooks/root-account-usage.md",
  "runbooks/api-usage-by-identity.md": "runbooks/api-usage-by-identity.md",
  "runbooks/access-key-lifecycle.md": "runbooks/access-key-lifecycle.md",
  "run-md.config.yaml": "run-md.config.yaml",
  ".github/workflows/run-md.yml": "packages/cli/templates/run-md.yml",
};

/**
 * The JSON Schemas of packages/core/schema, shipped as dist/schema/<name>: an installed run-md's
 * users point their editor at the front matter's (docs/writing-runbooks.md), as this
 * repository's do at packages/core/schema.
 */
const SCHEMAS = ["runbook-frontmatter.schema.json", "run-report.schema.json"];

/**
 * Example inputs the docs' commands read, shipped as dist/examples/<name>: docs/automation.md's
 * `run-md trigger` example takes AWS's sample GuardDuty finding, which an installed run-md's
 * user has no repository to take it from.
 */
const EXAMPLES = {
  "guardduty-iam-finding.json": "packages/core/test/fixtures/events/guardduty-iam-finding.json",
};

/** The package name of a bare import: `@aws-sdk/client-athena/x` → `@aws-sdk/client-athena`. */
function packageName(spec) {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Every package is bundled but DuckDB's native bindings (a .node file for each platform, which
 * npm picks at install): an install of run-md is then 4 packages (with the bindings, their
 * platform binary and detect-libc), not 170. What bundling every dependency gives:
 * - `npm install run-md` (and `npx run-md`) fetch and unpack 4 packages: 2.8 s of CPU, not 9.6
 *   (measured by the pack test's install from a warm cache);
 * - CommonJS packages of many files (@duckdb/node-api 181, yaml 72, gray-matter 39, the AWS SDK)
 *   are no longer resolved, read and scanned for exports file by file in every process;
 * - the versions that run are those the workspace's lock pins and the tests ran, not the newest
 *   each range allows (fastify's newest light-my-request once made `npm install run-md` warn
 *   EBADENGINE on Node 20);
 * - dt-sql-parser's ESM build, which imports its own modules without file extensions, works
 *   (only a bundler resolves those).
 * Their licenses go to dist/THIRD-PARTY-LICENSES.txt (scripts/licenses.mjs).
 */
const NATIVE = ["@duckdb/node-bindings"];

/**
 * Workspace packages and every installed package are bundled; Node's own modules and NATIVE stay
 * imports (NATIVE must be a dependency of this package: see checkDependencies).
 */
const externals = {
  name: "run-md-externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      if (args.path.startsWith("node:") || builtinModules.includes(name) || NATIVE.includes(name))
        return { path: args.path, external: true };
      return undefined;
    });
  },
};

/**
 * Bundled CommonJS code calls `require` for what stays external (DuckDB's bindings, Node's own
 * modules): an ES module has none, so each output file makes one.
 */
const REQUIRE_BANNER =
  'import { createRequire as __runMdCreateRequire } from "node:module";\nconst require = __runMdCreateRequire(import.meta.url);';

/**
 * A digest of every workspace package's sources and of the SQL grammar's packages: the name of
 * the folder where this build keeps checked queries (src/check-cache.ts), so that a build with
 * another checker never reads what an earlier one concluded.
 */
function buildDigest() {
  const hash = createHash("sha256");
  const packages = path.join(REPO, "packages");
  for (const pkg of readdirSync(packages).sort()) {
    const src = path.join(packages, pkg, "src");
    if (!existsSync(src)) continue;
    for (const f of readdirSync(src, { recursive: true }).map(String).sort()) {
      const full = path.join(src, f);
      if (statSync(full).isFile()) hash.update(`${pkg}/${f}\n`).update(readFileSync(full));
    }
  }
  for (const dep of ["dt-sql-parser", "antlr4ng"]) {
    const pkg = JSON.parse(
      readFileSync(path.join(REPO, "node_modules", dep, "package.json"), "utf8"),
    );
    hash.update(`${dep}@${pkg.version}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

async function bundle() {
  const result = await build({
    define: { __RUN_MD_BUILD__: JSON.stringify(buildDigest()) },
    entryPoints: {
      main: path.join(PKG_DIR, "src/main.ts"),
      lambda: path.join(PKG_DIR, "src/lambda.ts"),
      container: path.join(PKG_DIR, "src/container.ts"),
      // The local engine's child process (run-md serve, local.processMemoryLimit): isolated.ts
      // forks it from the chunk beside it.
      "local-engine-child": path.join(REPO, "packages/engine-local/src/isolated-child.ts"),
    },
    outdir: DIST,
    // Paths (and so the chunks' hashed names) relative to this package, not to the caller's
    // folder: \`npm pack\` (run in packages/cli) then rebuilds exactly what the test suite's global
    // setup built from the repository's root, and a \`run-md\` loading its chunks meanwhile finds
    // them (another build's names had removed them under it: a crash, exit 1, no report).
    absWorkingDir: PKG_DIR,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    // Chunks sit next to main.js, so `new URL("../package.json", import.meta.url)` finds this
    // package's package.json from the sources and from the bundle alike.
    chunkNames: "[name]-[hash]",
    plugins: [externals],
    metafile: true,
    write: false,
    logLevel: "warning",
    legalComments: "none",
    banner: { js: REQUIRE_BANNER },
  });
  return result;
}

/**
 * Puts each file in place by rename, then removes what the new build no longer has: a `run-md`
 * started meanwhile (by a test, while `npm pack` rebuilds) reads either build, never half of one.
 */
function writeAtomically(files) {
  const wanted = new Set();
  for (const { path: file, contents } of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, file);
    wanted.add(path.relative(DIST, file));
  }
  for (const entry of readdirSync(DIST, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(DIST, path.join(entry.parentPath, entry.name));
    // Another build's files on their way in (the test suite's builds can overlap) are its own.
    if (entry.isFile() && !wanted.has(rel) && !rel.endsWith(".tmp")) {
      rmSync(path.join(DIST, rel), { force: true });
    }
  }
}

function checkDependencies(metafile) {
  const pkg = JSON.parse(readFileSync(path.join(PKG_DIR, "package.json"), "utf8"));
  const declared = new Set(Object.keys(pkg.dependencies ?? {}));
  const missing = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith("node:")) continue;
      if (builtinModules.includes(packageName(imp.path))) continue;
      const name = packageName(imp.path);
      if (!declared.has(name)) missing.add(name);
    }
  }
  if (missing.size > 0) {
    throw new Error(
      `packages/cli/package.json: the bundle imports ${[...missing].join(", ")}, not in "dependencies"; add them (with the range the workspace package uses)`,
    );
  }
}

/**
 * The files `run-md init` copies, as output files under dist/templates/. The configuration is
 * taken as committed when the repository is a git checkout: a maintainer's uncommitted edit of
 * it, such as a webhook URL or a routing key tried out, must not ship to every user's `init`.
 * Runbooks and the workflow are taken as on disk (editing them, then testing, is their work).
 */
function templateFiles() {
  return Object.entries(TEMPLATES).map(([dest, src]) => ({
    path: path.join(DIST, "templates", dest),
    contents:
      (src === "run-md.config.yaml" ? committed(src) : undefined) ??
      readFileSync(path.join(REPO, src)),
  }));
}

/**
 * The user docs (the repository's docs/*.md), as output files under dist/docs/: messages and
 * --help name docs/<page>.md, which an installed run-md's user has only here (the CLI prints the
 * path to them: src/package-files.ts, docRefs).
 */
function docFiles() {
  const docs = path.join(REPO, "docs");
  return readdirSync(docs)
    .filter((name) => name.endsWith(".md"))
    .map((name) => ({
      path: path.join(DIST, "docs", name),
      contents: packagedLinks(readFileSync(path.join(docs, name), "utf8")),
    }));
}

/**
 * A doc's links out of docs/ as the package has them: to a JSON Schema, the copy in dist/schema/;
 * to another file of the repository (a package's README), its text and the repository path,
 * since the package does not ship it (docs-shipped.test.ts resolves every link of the copies).
 */
function packagedLinks(text) {
  return text.replace(
    /\[([^\]]*)\]\(\.\.\/([^)#\s]+)(#[^)]*)?\)/g,
    (_whole, label, target, anchor) => {
      const schema = /^packages\/core\/schema\/([^/]+\.json)$/.exec(target);
      if (schema && SCHEMAS.includes(schema[1]))
        return `[${label}](../schema/${schema[1]}${anchor ?? ""})`;
      return `${label} (\`${target}\` in the run-md repository)`;
    },
  );
}

/** The docs' example inputs, as output files under dist/examples/. */
function exampleFiles() {
  return Object.entries(EXAMPLES).map(([name, src]) => ({
    path: path.join(DIST, "examples", name),
    contents: readFileSync(path.join(REPO, src)),
  }));
}

/** The JSON Schemas, as output files under dist/schema/. */
function schemaFiles() {
  return SCHEMAS.map((name) => ({
    path: path.join(DIST, "schema", name),
    contents: readFileSync(path.join(REPO, "packages/core/schema", name)),
  }));
}

/** A file of the repository as its last commit holds it; undefined outside a git checkout. */
function committed(file) {
  try {
    return execFileSync("git", ["-C", REPO, "show", `HEAD:${file}`], {
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
}

const t0 = performance.now();
const { metafile, outputFiles } = await bundle();
checkDependencies(metafile);
const notices = {
  path: path.join(DIST, "THIRD-PARTY-LICENSES.txt"),
  contents: thirdPartyNotices(metafile, PKG_DIR),
};
writeAtomically([
  ...outputFiles,
  ...templateFiles(),
  ...schemaFiles(),
  ...docFiles(),
  ...exampleFiles(),
  notices,
]);
if (!process.argv.includes("--quiet")) {
  console.log(
    `run-md: built packages/cli/dist in ${Math.round(performance.now() - t0)} ms (${outputFiles.length} files)`,
  );
}
