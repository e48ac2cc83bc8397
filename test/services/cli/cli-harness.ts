/**
 * What the CLI tests share: weir's registry router on a memory store, served on an ephemeral port;
 * temporary schema folders; and `runCli` with captured streams. Call `useCliHarness()` in a
 * describe body: every resource it makes is released in afterEach.
 */
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterEach } from 'vitest';
import { runCli } from '../../../services/cli/main.ts';
import { createMemoryRegistryStore, type MemoryRegistryStore } from '../../../services/registry/registry-store.ts';
import { createRegistryRouter } from '../../../services/registry/routes.ts';
import { silentLogger } from '../../../services/shared/logger.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestRegistry {
  readonly url: string;
  readonly store: MemoryRegistryStore;
}

type Field = { name: string; type: unknown; default?: unknown };

/** A small event record, named as schemas/README.md says (page_view -> PageView). */
export function eventSchema(name: string, fields: Field[] = [{ name: 'event_id', type: 'string' }]): string {
  return JSON.stringify({ type: 'record', name, namespace: 'dev.weir.events', doc: `${name} for a CLI test`, fields }, null, 2);
}

export function useCliHarness() {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen(server: Server): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  return {
    /** weir's registry router on an empty memory store. */
    async startRegistry(): Promise<TestRegistry> {
      const store = createMemoryRegistryStore();
      const app = express().use(createRegistryRouter({ store, logger: silentLogger() }));
      return { url: await listen(createServer(app)), store };
    },

    /** Any HTTP server, for answers a registry would not give. */
    serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
      return listen(createServer(handler));
    },

    /** A URL where nothing listens: a port that was just free, closed again. */
    async deadUrl(): Promise<string> {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return `http://127.0.0.1:${port}`;
    },

    /** A temporary folder holding `files` (name -> content); removed after the test. */
    schemaDir(files: Record<string, string>): string {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-cli-'));
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
      return dir;
    },

    async run(argv: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, {
        env: options.env ?? {},
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        cwd: options.cwd ?? process.cwd(),
      });
      return { code, stdout, stderr };
    },
  };
}
