/**
 * `npm run bench <name> [args]`: benchmarks that print figures. They assert nothing; performance
 * targets are judged by reading these numbers, never by timed assertions in tests.
 */
const BENCHES: Record<string, { about: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  aggregate: {
    about: 'one aggregator process draining pre-produced clean purchases into the ClickHouse server, then the freshness of live ones',
    load: () => import('./aggregate.ts'),
  },
  ingest: {
    about: 'the gateway under wrk (batches of 100 events of ~300 B) beside ProducerPerformance at the same message size',
    load: () => import('./ingest.ts'),
  },
  kafka: {
    about: "the local broker's own ceiling (Kafka's ProducerPerformance) beside a kafkajs producer, same message size",
    load: () => import('./kafka-produce.ts'),
  },
  query: {
    about: 'one query API process answering 50 concurrent clients on a day of 1-minute windows over 100 values (ClickHouse server, or chDB with --engine embedded)',
    load: () => import('./query.ts'),
  },
  process: {
    about: 'one processor process draining pre-produced page_view events (decode, validate, transform, encode, produce transactionally)',
    load: () => import('./process.ts'),
  },
};

const [name, ...args] = process.argv.slice(2);
const bench = name === undefined ? undefined : BENCHES[name];
if (!bench) {
  process.stderr.write(
    `usage: npm run bench <name> [-- args]\n\nbenchmarks:\n${Object.entries(BENCHES)
      .map(([n, b]) => `  ${n.padEnd(10)} ${b.about}`)
      .join('\n')}\n`,
  );
  process.exit(name === undefined || name === '--help' ? 0 : 2);
}
await (await bench.load()).run(args);
