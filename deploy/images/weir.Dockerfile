# weir's services on Node 24. Built by docker-compose.yml; Kafka and ClickHouse come from their
# own images there, so this image needs neither Java nor a local broker.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY deploy/npm deploy/npm
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    WEIR_LOG_FORMAT=json \
    WEIR_DATA_DIR=/var/lib/weir
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY services services
COPY deploy/local deploy/local
COPY deploy/kafka deploy/kafka
COPY schemas schemas
RUN mkdir -p /var/lib/weir && chown node:node /var/lib/weir
USER node
STOPSIGNAL SIGTERM
CMD ["node", "--disable-warning=TimeoutNegativeWarning", "services/stack/main.ts"]
