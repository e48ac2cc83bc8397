/** The shipped definitions in schemas/pipelines, against the starter schemas in schemas/events. */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../../../services/registry/avro-schema.ts';
import { checkPipelines } from '../../../../services/processor/pipeline/check-pipelines.ts';
import { loadPipelines } from '../../../../services/processor/pipeline/load-pipelines.ts';
import type { Pipeline } from '../../../../services/processor/pipeline/pipeline.ts';
import type { PipelineRecord, ProcessContext } from '../../../../services/processor/pipeline/process-result.ts';

const root = path.join(import.meta.dirname, '../../../..');
const pipelinesDir = path.join(root, 'schemas/pipelines');
const eventsDir = path.join(root, 'schemas/events');
const NOW = Date.UTC(2026, 0, 15, 12);
const SECRET = 'test-pii-secret';
const ctx: ProcessContext = { now: NOW, secrets: (name) => (name === 'WEIR_PII_SECRET' ? SECRET : undefined) };
const hmac = (value: string) => createHmac('sha256', SECRET).update(value).digest('hex');

const samples: Record<string, PipelineRecord> = {
  page_view: {
    event_id: '0190c8a2-6b7e-7cc4-9f5a-2f9d3f0e1a11', event_time: NOW - 2000, url: 'https://www.Example.com/pricing?utm_source=mail&email=jane@example.com',
    referrer: 'https://search.example/?q=weir', title: '  Pricing ', user_id: 'user-42', anonymous_id: 'anon-7', session_id: 'sess-1',
    device_type: 'MOBILE', user_agent: 'Mozilla/5.0', properties: { plan: 'pro' },
  },
  purchase: {
    event_id: 'p-1', event_time: NOW - 60_000, order_id: 'o-1', user_id: null, session_id: 'sess-1', amount_minor: 1999, tax_minor: 320,
    currency: 'KWD', items_count: 2, payment_method: 'CARD', coupon_code: ' SPRING10 ', properties: {},
  },
  api_request: {
    event_id: 'a-1', event_time: NOW - 10, service: ' Checkout-API ', method: 'POST', route: '/orders/:id', status_code: 201, latency_ms: 12.5,
    request_bytes: 512, response_bytes: null, tenant_id: 't-1', user_id: 'svc-9', trace_id: null, error_code: null,
  },
};

/** Makes a random record of the reader schema pass the shipped rules, to probe the output schema with odd values. */
const valid: Record<string, (r: PipelineRecord, i: number) => PipelineRecord> = {
  page_view: (r, i) => ({ ...r, event_time: NOW - i, url: `https://h${i}.example/p/${i}?q=${String(r['url']).slice(0, 5)}`, session_id: `s${i}` }),
  purchase: (r, i) => ({ ...r, event_time: NOW - i, amount_minor: i, tax_minor: 0, items_count: 1 + (i % 1000), currency: r['currency'] === 'XXX' ? 'EUR' : r['currency'] }),
  api_request: (r, i) => ({ ...r, event_time: NOW, route: `/r/${i}`, status_code: 100 + (i % 500), latency_ms: i / 3, request_bytes: r['request_bytes'] === null ? null : i, response_bytes: null }),
};

let pipelines: ReadonlyMap<string, Pipeline>;

beforeAll(async () => {
  pipelines = await loadPipelines(pipelinesDir, {
    latestReaderSchema: async (type) => ({ text: fs.readFileSync(path.join(eventsDir, `${type}.avsc`), 'utf8'), origin: type }),
  });
});

const pipelineOf = (type: string): Pipeline => {
  const pipeline = pipelines.get(type);
  if (pipeline === undefined) throw new Error(`no ${type} pipeline`);
  return pipeline;
};

function processed(type: string, overrides: PipelineRecord = {}): PipelineRecord {
  const result = pipelineOf(type).process({ ...samples[type], ...overrides }, ctx);
  if (!result.ok) throw new Error(`${type} failed: ${JSON.stringify(result)}`);
  return result.record;
}

describe('schemas/pipelines', () => {
  it('has a definition for every starter event type, and passes weir pipelines check', async () => {
    const events = fs.readdirSync(eventsDir).filter((f) => f.endsWith('.avsc')).map((f) => f.replace('.avsc', '')).sort();
    expect([...pipelines.keys()].sort()).toEqual(events);
    expect(await checkPipelines(pipelinesDir, eventsDir)).toEqual({ ok: true, problems: [], types: events });
  });

  describe.each(Object.keys(samples))('%s', (type) => {
    it('derives an output schema the registry accepts, in dev.weir.clean, documenting every field', () => {
      const pipeline = pipelineOf(type);
      expect(parseAvroSchema(JSON.stringify(pipeline.outputSchema)).type.name).toBe(`dev.weir.clean.${pipeline.readerType.name?.split('.').pop()}`);
      for (const field of pipeline.outputSchema.fields) expect(typeof field['doc'], String(field['name'])).toBe('string');
      expect(pipeline.requiredSecrets).toEqual(['WEIR_PII_SECRET']);
      expect(pipeline.dedup).toEqual({ idField: 'event_id', horizonMs: 600_000 });
      expect(pipeline.dispositionOf('duplicate')).toBe('drop');
      expect(pipeline.dispositionOf('event_time_too_old')).toBe('dlq');
    });

    it('turns the sample and 200 random valid records into output that round-trips through avsc under the derived schema', () => {
      const pipeline = pipelineOf(type);
      const records = [samples[type] as PipelineRecord];
      for (let i = 0; i < 200; i++) records.push((valid[type] as (r: PipelineRecord, i: number) => PipelineRecord)({ ...(pipeline.readerType.random() as unknown as PipelineRecord) }, i));
      for (const record of records) {
        // As the processor gets it: encoded by a producer with the reader schema, decoded by avsc.
        const decoded = pipeline.readerType.fromBuffer(pipeline.readerType.toBuffer(record)) as PipelineRecord;
        const result = pipeline.process(decoded, ctx);
        expect(result, JSON.stringify(record)).toMatchObject({ ok: true });
        if (!result.ok) continue;
        const bytes = pipeline.outputType.toBuffer(result.record);
        expect({ ...pipeline.outputType.fromBuffer(bytes) }).toEqual(result.record);
      }
    });

    it('refuses an event too old for the clock_skew rule', () => {
      expect(pipelineOf(type).process({ ...samples[type], event_time: NOW - 9 * 86_400_000 }, ctx)).toMatchObject({ ok: false, reasonCode: 'event_time_too_old' });
    });
  });

  it('page_view: keeps host and path of the URL, drops query and referrer, hashes the ids, trims the title', () => {
    const out = processed('page_view');
    expect(out).toMatchObject({ url_host: 'www.example.com', url_path: '/pricing', referrer_host: 'search.example', user_id: hmac('user-42'), anonymous_id: hmac('anon-7'), title: 'Pricing', device_type: 'MOBILE' });
    expect(out).not.toHaveProperty('url');
    expect(out).not.toHaveProperty('referrer');
    expect(JSON.stringify(out)).not.toContain('jane@example.com');
    expect(processed('page_view', { referrer: 'android-app://com.example' })['referrer_host']).toBe('com.example');
    expect(processed('page_view', { referrer: 'not a url' })['referrer_host']).toBeNull();
    expect(pipelineOf('page_view').process({ ...samples['page_view'], url: 'no-scheme.example/x' }, ctx)).toMatchObject({ ok: false, reasonCode: 'pattern_mismatch', fieldPath: 'url' });
  });

  it('purchase: looks up the currency exponent, refuses XXX, negative amounts and odd counts, normalizes the coupon', () => {
    expect(processed('purchase')).toMatchObject({ currency_exponent: 3, coupon_code: 'spring10', user_id: null });
    expect(processed('purchase', { currency: 'JPY' })['currency_exponent']).toBe(0);
    const refused = (overrides: PipelineRecord) => pipelineOf('purchase').process({ ...samples['purchase'], ...overrides }, ctx);
    expect(refused({ currency: 'XXX' })).toMatchObject({ reasonCode: 'not_allowed', fieldPath: 'currency' });
    expect(refused({ amount_minor: -1 })).toMatchObject({ reasonCode: 'out_of_range', fieldPath: 'amount_minor' });
    expect(refused({ items_count: 0 })).toMatchObject({ reasonCode: 'out_of_range', fieldPath: 'items_count' });
    expect(refused({ items_count: 1001 })).toMatchObject({ reasonCode: 'out_of_range', fieldPath: 'items_count' });
  });

  it('purchase: the currency table covers every currency symbol but XXX', () => {
    const table = JSON.parse(fs.readFileSync(path.join(pipelinesDir, 'tables/currency-exponents.json'), 'utf8')) as Record<string, unknown>;
    const symbols = (pipelineOf('purchase').readerType as unknown as { field(n: string): { type: { symbols: string[] } } }).field('currency').type.symbols;
    expect(Object.keys(table).filter((k) => k !== '$comment').sort()).toEqual(symbols.filter((s) => s !== 'XXX').sort());
  });

  it('api_request: normalizes the service, defaults the error code, refuses odd status, latency and routes', () => {
    expect(processed('api_request')).toMatchObject({ service: 'checkout-api', error_code: '', user_id: hmac('svc-9') });
    expect(processed('api_request', { route: 'unmatched', status_code: 404, error_code: 'NOT_FOUND' })).toMatchObject({ error_code: 'NOT_FOUND' });
    const refused = (overrides: PipelineRecord) => pipelineOf('api_request').process({ ...samples['api_request'], ...overrides }, ctx);
    expect(refused({ status_code: 99 })).toMatchObject({ reasonCode: 'out_of_range', fieldPath: 'status_code' });
    expect(refused({ status_code: 600 })).toMatchObject({ reasonCode: 'out_of_range' });
    expect(refused({ latency_ms: -0.5 })).toMatchObject({ reasonCode: 'out_of_range', fieldPath: 'latency_ms' });
    expect(refused({ route: '/orders/123?expand=items' })).toMatchObject({ reasonCode: 'pattern_mismatch', fieldPath: 'route' });
    expect(refused({ route: 'orders' })).toMatchObject({ reasonCode: 'pattern_mismatch' });
  });
});
