# syntax=docker/dockerfile:1
#
# Hotfix Guard: a Probot GitHub App.
#
#   docker build -t hotfix-guard .
#   docker run -p 3000:3000 --env-file .env -v hotfix-guard-data:/app/data --stop-timeout 30 hotfix-guard
#
# Port 3000 serves webhooks, the probes and the root page. /metrics is on port 9464 (METRICS_PORT),
# which is not EXPOSEd, so `-p 3000:3000` and `-P` never publish it; scrape it from the container
# network, or set METRICS_TOKEN and publish it on purpose.
#
# --stop-timeout: on SIGTERM the app finishes the jobs in hand, which can take longer than
# Docker's default 10 s while GitHub is slow.
#
# Needs APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET at run time: with
# NODE_ENV=production the app refuses to start without any of them, saying which is missing (no
# setup page in production).

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript (src/ -> lib/) with the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the compiled app only ----
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: forwards SIGTERM to node (which ignores it as PID 1) and reaps zombies,
# so `docker stop` shuts the server down at once instead of after the 10 s kill timeout.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    HOST=0.0.0.0 \
    PORT=3000 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY --from=build /app/lib ./lib
# The embedded database's prepared data directory: a fresh DATA_DIR is unpacked from it, not initdb'd.
COPY assets ./assets
COPY app.yml ./

# The embedded database's data directory; mount a volume here to keep it across containers.
RUN mkdir -p /app/data && chown node:node /app/data

# The image's unprivileged user (uid 1000); the app's files stay root-owned and read-only to it.
USER node

EXPOSE 3000

# Slim images have no curl: use node's global fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# What `npm start` runs once lib/ is built, without npm in between (signals reach node directly).
# The heap flags keep the process under 250 MB of RSS with the embedded database: V8 otherwise
# lets its heap grow to ~230 MB while the worker drains a burst (live data stays under 80 MB) and
# gives it back only once idle; bench/pglite-memory.ts measures both. Raise --max-old-space-size if
# a deployment's jobs ever need more live heap (the process would stop with "heap out of memory").
CMD ["node", "--max-semi-space-size=2", "--max-old-space-size=160", "lib/main.js"]
