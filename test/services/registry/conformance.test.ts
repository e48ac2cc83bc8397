import type { AddressInfo } from 'node:net';
import express from 'express';
import { createMemoryRegistryStore } from '../../../services/registry/registry-store.ts';
import { createRegistryRouter } from '../../../services/registry/routes.ts';
import { silentLogger } from '../../../services/shared/logger.ts';
import { registerConformanceSuite } from './conformance-suite.ts';

registerConformanceSuite('express router on the memory store', async () => {
  const app = express().use(createRegistryRouter({ store: createMemoryRegistryStore(), logger: silentLogger() }));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
});
