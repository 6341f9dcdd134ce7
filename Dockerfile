# run-md's automation image: runs `trigger` for one EventBridge event (a file argument, the
# RUN_MD_EVENT variable or standard input), publishes the reports to S3 and sends the
# escalations. See docs/automation.md. Build: docker build -t run-md .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY site/package.json ./site/package.json
# Only the CLI's and the notifier's dependencies, without dev tools (no site, no test tooling).
RUN npm install --omit=dev --no-audit --no-fund -w run-md -w @run-md/notify \
 && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RUN_MD_RUNBOOKS_DIR=/app/runbooks \
    RUN_MD_REPORTS_DIR=/tmp/run-md/reports \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/packages ./packages
COPY package.json run-md.config.yaml ./
COPY runbooks ./runbooks
# The sample-data generator, for `local.logDir: sample` trials.
COPY scripts/generator ./scripts/generator
# The image's own user (uid 1000, from the node image), never root.
USER node
ENTRYPOINT ["node", "packages/cli/bin/run-md-container.js"]
