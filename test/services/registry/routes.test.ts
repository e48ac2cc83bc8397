import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../../services/registry/registry-errors.ts';
import { createMemoryRegistryStore, type RegistryStore } from '../../../services/registry/registry-store.ts';
import { createRegistryRouter, REGISTRY_CONTENT_TYPE } from '../../../services/registry/routes.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Serves a router on an ephemeral port; returns its URL and the error logs it wrote. */
async function serve(store: RegistryStore, maxBodyBytes?: number) {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const app = express().use(createRegistryRouter({ store, logger, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) }));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logs };
}

const register = (url: string, body: unknown = { schema: '"string"' }) =>
  fetch(`${url}/subjects/s/versions`, {
    method: 'POST',
    headers: { 'content-type': REGISTRY_CONTENT_TYPE },
    body: JSON.stringify(body),
  });

function failingStore(error: Error): RegistryStore {
  const memory = createMemoryRegistryStore();
  return {
    state: () => memory.state(),
    append: () => Promise.reject(error),
  };
}

describe('createRegistryRouter', () => {
  it('answers with exactly the Confluent media type, without a charset', async () => {
    const { url } = await serve(createMemoryRegistryStore());
    const res = await register(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.schemaregistry.v1+json');
  });

  it.each([
    ['a store error', new RegistryError('STORE_ERROR', 'Kafka refused the write: NOT_ENOUGH_REPLICAS'), 50001],
    ['a timeout', new RegistryError('OPERATION_TIMEOUT', 'Kafka did not confirm the write within 10000 ms'), 50002],
  ])('maps %s to 500 with its Confluent code and message, and logs it', async (_label, error, errorCode) => {
    const { url, logs } = await serve(failingStore(error));
    const res = await register(url);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error_code: errorCode, message: error.message });
    expect(logs).toEqual([expect.objectContaining({ msg: 'registry request failed', method: 'POST', path: '/subjects/s/versions' })]);
  });

  it('answers an unexpected failure with 500 without leaking its message, and logs the cause', async () => {
    const { url, logs } = await serve(failingStore(new TypeError('cannot read properties of undefined (secret detail)')));
    const res = await register(url);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error_code: number; message: string };
    expect(body.error_code).toBe(500);
    expect(body.message).not.toContain('secret');
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs[0])).toContain('secret detail');
  });

  it('keeps serving after a failed request', async () => {
    const memory = createMemoryRegistryStore();
    let fail = true;
    const store: RegistryStore = {
      state: () => memory.state(),
      append: (records) => (fail ? ((fail = false), Promise.reject(new RegistryError('STORE_ERROR', 'down'))) : memory.append(records)),
    };
    const { url } = await serve(store);
    expect((await register(url)).status).toBe(500);
    expect(await (await register(url)).json()).toEqual({ id: 1 });
  });

  it('applies the configured body limit', async () => {
    const { url } = await serve(createMemoryRegistryStore(), 64);
    const res = await register(url, { schema: JSON.stringify({ type: 'string', doc: 'x'.repeat(100) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error_code: 413, message: 'The request body is larger than the limit of 64 bytes' });
    expect((await register(url)).status).toBe(200);
  });

  it('lists the allowed methods on 405', async () => {
    const { url } = await serve(createMemoryRegistryStore());
    const res = await fetch(`${url}/config`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT, DELETE');
  });
});
