/** Starts an HTTP server for an express app and stops it gracefully: no new connections, in-flight requests finish. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { WeirError } from '../errors.ts';

export interface HttpServerOptions {
  port: number;
  host?: string;
  /** Names the setting to change when the port is taken, e.g. WEIR_REGISTRY_PORT. */
  portVariable: string;
  /** How long in-flight requests may take to finish on stop, ms (default 5 s). */
  drainMs?: number;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startHttpServer(app: RequestListener, options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? '0.0.0.0';
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout (60 s)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new WeirError('PORT_IN_USE', `port ${options.port} is already in use: set ${options.portVariable} to a free port`, {
              cause: error,
              details: { port: options.port, variable: options.portVariable },
            })
          : error,
      );
    });
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 5_000);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }));
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { port, url: `http://${shownHost}:${port}`, stop };
}
