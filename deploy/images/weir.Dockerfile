# weir's services on Node 24: one image, one service per container. docker-compose.yml runs each
# service's standalone entry point (`node services/<name>/main.ts`, the same ones the tests run);
# Kafka and ClickHouse come from their own images, so this image needs neither Java nor a broker.
# Node runs the TypeScript sources directly (type stripping), so there is no build step.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY deploy/npm deploy/npm
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning \
    WEIR_LOG_FORMAT=json \
    WEIR_DATA_DIR=/var/lib/weir \
    WEIR_HEALTH_PORT=8080
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY bin bin
COPY services services
COPY sdk sdk
COPY schemas schemas
COPY deploy/local deploy/local
COPY deploy/kafka deploy/kafka
RUN mkdir -p /var/lib/weir && chown node:node /var/lib/weir
# The official image's unprivileged user (uid 1000).
USER node
STOPSIGNAL SIGTERM
# Readiness of the service on WEIR_HEALTH_PORT (set it to the service's port): 200 once its
# dependencies (Kafka, registry, ClickHouse) answer. docker-compose's depends_on waits on it.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=12 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.WEIR_HEALTH_PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/stack/main.ts"]
