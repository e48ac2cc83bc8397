/** weir's default ports. Each service's config lets users override its own. */
export const DEFAULT_PORTS = Object.freeze({
  gateway: 8080,
  /** Confluent Schema Registry's default, so existing tools find it. */
  registry: 8081,
  query: 8082,
  /** The processor serves only /metrics, /healthz and /readyz. */
  processor: 8083,
  /** The aggregator, too, serves only /metrics, /healthz and /readyz. */
  aggregator: 8084,
  /** The consumer-group lag exporter serves only /metrics, /healthz and /readyz. */
  lagExporter: 8085,
  kafka: 9092,
});
