# run-md's automation image: runs `trigger` for one EventBridge event (a file argument, the
# RUN_MD_EVENT variable or standard input), publishes the reports to S3 and sends the
# escalations. See docs/automation.md. Build: docker build -t run-md .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
# The workspace install builds the CLI (packages/cli/dist); npm pack makes the package users install.
RUN npm ci --no-audit --no-fund && npm pack -w run-md --pack-destination /tmp

FROM node:20-bookworm-slim
# /app belongs to root and the process runs as node: what it writes (the reports, the alert
# state beside them, the sample data that logDir: sample generates) goes under /tmp/run-md.
ENV NODE_ENV=production \
    RUN_MD_RUNBOOKS_DIR=/app/runbooks \
    RUN_MD_REPORTS_DIR=/tmp/run-md/reports \
    RUN_MD_SAMPLE_DIR=/tmp/run-md/sample-data \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=build /tmp/run-md-*.tgz /tmp/
RUN npm install --omit=dev --no-audit --no-fund /tmp/run-md-*.tgz && rm /tmp/run-md-*.tgz \
 && npm cache clean --force
COPY run-md.config.yaml ./
COPY runbooks ./runbooks
# The image's own user (uid 1000, from the node image), never root.
USER node
ENTRYPOINT ["node", "node_modules/run-md/bin/run-md-container.js"]
