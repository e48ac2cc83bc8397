import { describe, expect, it } from 'vitest';
import { createWeirClient } from '../../sdk/src/client.ts';
import { isWeirError } from '../../sdk/src/errors.ts';
import { DEFAULTS, resolveOptions, type WeirClientOptions } from '../../sdk/src/options.ts';
import type { UntypedEvents } from '../../sdk/src/types.ts';

const base = { endpoint: 'http://localhost:8080/', writeKey: 'wk_1' };

function refusal(options: Partial<WeirClientOptions<UntypedEvents>>): string {
  try {
    resolveOptions({ ...base, ...options });
  } catch (error) {
    expect(isWeirError(error, 'INVALID_OPTIONS')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
}

describe('client options', () => {
  it('fills every default, with the units documented', () => {
    const params = resolveOptions(base);
    expect(params).toMatchObject({
      url: 'http://localhost:8080/v1/events',
      authorization: 'Bearer wk_1',
      maxBatchEvents: 500,
      maxBatchBytes: 512 * 1024,
      flushIntervalMs: 1000,
      gzipThresholdBytes: 4096,
      maxConcurrentRequests: 2,
      maxRetries: 10,
      minBackoffMs: 100,
      maxBackoffMs: 30_000,
      requestTimeoutMs: 10_000,
      maxBufferedEvents: 10_000,
      overflow: 'drop-newest',
      maxEventBytes: 32 * 1024,
    });
    expect(Object.isFrozen(params)).toBe(true);
    expect(DEFAULTS).toMatchObject({ maxBodyBytes: 1024 * 1024, maxEventsPerBatch: 1000 });
  });

  it('keeps a path prefix of the endpoint', () => {
    expect(resolveOptions({ ...base, endpoint: 'https://edge.example/weir' }).url).toBe('https://edge.example/weir/v1/events');
  });

  it('fits batch defaults under smaller gateway limits', () => {
    const params = resolveOptions({ ...base, gatewayLimits: { maxEventsPerBatch: 100, maxBodyBytes: 65_536 } });
    expect(params).toMatchObject({ maxBatchEvents: 100, maxBatchBytes: 65_536 });
  });

  it('refuses settings that cannot work, saying how to fix them', () => {
    expect(refusal({ endpoint: 'localhost:8080' })).toContain('endpoint must be the gateway\'s http(s) base URL');
    expect(refusal({ endpoint: 'http://localhost:8080/?x=1' })).toContain('must not have a query');
    expect(refusal({ writeKey: '' })).toContain('writeKey must be a non-empty string');
    expect(refusal({ writeKey: 'wk_é' })).toContain('printable ASCII');
    expect(refusal({ maxBatchEvents: 1001 })).toContain('maxBatchEvents (1001) is over gatewayLimits.maxEventsPerBatch (1000)');
    expect(refusal({ maxBatchBytes: 2_000_000 })).toContain('maxBatchBytes (2000000) is over gatewayLimits.maxBodyBytes (1048576)');
    expect(refusal({ maxConcurrentRequests: 0 })).toContain('maxConcurrentRequests must be a whole number, 1 or more, got 0');
    expect(refusal({ flushIntervalMs: 1.5 })).toContain('flushIntervalMs must be a whole number');
    expect(refusal({ minBackoffMs: 5000, maxBackoffMs: 1000 })).toContain('minBackoffMs (5000) is over maxBackoffMs (1000)');
    expect(refusal({ overflow: 'drop-all' as never })).toContain('overflow must be one of drop-newest, drop-oldest, reject');
    expect(refusal({ gzipThresholdBytes: -1 })).toContain('gzipThresholdBytes must be a whole number of bytes');
    expect(refusal({ onDropped: 'log' as never })).toContain('onDropped must be a function');
  });

  it('takes Infinity as never gzip, and keeps one event under the batch byte limit', () => {
    expect(resolveOptions({ ...base, gzipThresholdBytes: Number.POSITIVE_INFINITY }).gzipThresholdBytes).toBe(Number.POSITIVE_INFINITY);
    expect(resolveOptions({ ...base, maxBatchBytes: 1000 }).maxEventBytes).toBe(998);
  });

  it('throws from createWeirClient, not later', () => {
    expect(() => createWeirClient({ ...base, maxRetries: -1 })).toThrow(/maxRetries must be a whole number, 0 or more/);
  });
});
