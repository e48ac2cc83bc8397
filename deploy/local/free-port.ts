import net from 'node:net';
import { WeirError } from '../../services/shared/errors.ts';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address from listen(0)');
  return address.port;
}

/** Rejects with PORT_IN_USE naming `variable` when `port` is taken on 127.0.0.1. */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    throw new WeirError(
      'PORT_IN_USE',
      `port ${port} on 127.0.0.1 is already in use: stop what holds it, or set ${variable} to another port`,
      { cause: error, details: { port, variable } },
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
