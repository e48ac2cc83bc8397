/** The registry API conformance suite against the real service: Kafka-backed store, HTTP server, ops routes. */
import { startTestRegistry } from '../../harness/registry.ts';
import { registerConformanceSuite } from './conformance-suite.ts';

registerConformanceSuite('registry service on Kafka', async () => {
  const registry = await startTestRegistry();
  return { baseUrl: registry.url, close: () => registry.component.stop() };
});
