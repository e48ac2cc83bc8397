/**
 * The demo's events, checked the way weir checks them: the gateway's own validator (envelope and
 * fields) against schemas/events, an Avro round trip, and the processor's own pipelines from
 * schemas/pipelines. Good events must come out clean; deliberately bad ones must still be accepted
 * by the gateway and then fail exactly the rule they were made to break.
 */
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TYPES, MAX_EVENT_DELAY_MS, createEventGenerator, type DemoEvent, type DemoType, type GeneratedEvent } from '../../../services/demo/event-generator.ts';
import { MONEY } from '../../../services/demo/purchases.ts';
import { compileEventValidator } from '../../../services/gateway/validation/compile.ts';
import { validateEvent } from '../../../services/gateway/validation/validate-event.ts';
import { loadPipelines } from '../../../services/processor/pipeline/load-pipelines.ts';
import type { Pipeline } from '../../../services/processor/pipeline/pipeline.ts';
import type { PipelineRecord, ProcessResult } from '../../../services/processor/pipeline/process-result.ts';

const root = path.join(import.meta.dirname, '../../..');
const NOW = Date.UTC(2026, 10, 24, 10);
const STEP_MS = 20; // 50 events/s of simulated time
const EVENTS_PER_TYPE = 10_000;

interface Checked {
  readonly generated: GeneratedEvent;
  /** What the gateway said: undefined when it accepted the event. */
  readonly gatewayErrors: unknown;
  readonly result: ProcessResult | undefined;
}

let pipelines: ReadonlyMap<string, Pipeline>;
const schemas = new Map<string, { validate: ReturnType<typeof compileEventValidator>; avroType: avro.Type }>();

beforeAll(async () => {
  const schemaText = (type: string) => fs.readFileSync(path.join(root, 'schemas/events', `${type}.avsc`), 'utf8');
  pipelines = await loadPipelines(path.join(root, 'schemas/pipelines'), { latestReaderSchema: async (type) => ({ text: schemaText(type), origin: type }) });
  for (const type of DEMO_TYPES) {
    const parsed = JSON.parse(schemaText(type)) as avro.Schema;
    const avroType = avro.Type.forSchema(parsed);
    schemas.set(type, { validate: compileEventValidator(parsed as object, { avroType }), avroType });
  }
});

/** A clock that moves on by STEP_MS per reading of a new event, so sessions and incidents play out. */
function steppingClock(start = NOW): { now: () => number; tick: () => void } {
  let t = start;
  return { now: () => t, tick: () => (t += STEP_MS) };
}

function generate(options: { seed: number; types?: readonly DemoType[]; badFraction?: number }, count: number): { events: GeneratedEvent[]; times: number[] } {
  const clock = steppingClock();
  const generator = createEventGenerator({ ...options, now: clock.now });
  const events: GeneratedEvent[] = [];
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    clock.tick();
    times.push(clock.now());
    events.push(generator.next());
  }
  return { events, times };
}

/** Through the gateway's validation (as JSON, as it would arrive), Avro, and the pipeline, at `now`. */
function check(generated: GeneratedEvent, now: number): Checked {
  const { event } = generated;
  const schema = schemas.get(event.type)!;
  const outcome = validateEvent(JSON.parse(JSON.stringify(event)), { receivedAt: now, maxPastSkewMs: 604_800_000, maxFutureSkewMs: 300_000, newId: () => 'unused' }, (type) =>
    type === event.type ? schema.validate : undefined,
  );
  if (!outcome.ok) return { generated, gatewayErrors: outcome.errors, result: undefined };
  const pipeline = pipelines.get(event.type)!;
  const record = pipeline.readerType.fromBuffer(schema.avroType.toBuffer(outcome.value)) as PipelineRecord;
  const result = pipeline.process(record, { now: now + 1_500, secrets: () => 'demo-test-secret' });
  return { generated, gatewayErrors: undefined, result };
}

describe.each(DEMO_TYPES)('%s events', (type) => {
  it(`${EVENTS_PER_TYPE} of them pass the gateway, Avro and the pipeline, with event times just before now`, () => {
    const { events, times } = generate({ seed: 42, types: [type] }, EVENTS_PER_TYPE);
    const failures = events.map((e, i) => check(e, times[i]!)).filter((c) => c.gatewayErrors !== undefined || c.result?.ok !== true);
    expect(failures.slice(0, 3).map((f) => ({ event: f.generated.event, gateway: f.gatewayErrors, pipeline: f.result }))).toEqual([]);
    expect(events.every((e) => e.event.type === type && e.bad === undefined)).toBe(true);
    events.forEach(({ event }, i) => {
      expect(event.timestamp).toBeLessThanOrEqual(times[i]!);
      expect(event.timestamp).toBeGreaterThanOrEqual(times[i]! - MAX_EVENT_DELAY_MS);
    });
    expect(new Set(events.map((e) => e.event.id)).size).toBe(EVENTS_PER_TYPE);
  });

  it('makes a deliberately bad event that the gateway accepts and the pipeline dead-letters for the rule it names', () => {
    const { events, times } = generate({ seed: 7, types: [type], badFraction: 0.5 }, 2_000);
    const bad = events.map((e, i) => [e, times[i]!] as const).filter(([e]) => e.bad !== undefined);
    expect(bad.length).toBeGreaterThan(800);
    const reasons = new Set<string>();
    for (const [generated, now] of bad) {
      const checked = check(generated, now);
      expect(checked.gatewayErrors, JSON.stringify(generated)).toBeUndefined();
      const result = checked.result!;
      expect(result.ok, JSON.stringify(generated)).toBe(false);
      if (result.ok) continue;
      expect({ reason: result.reasonCode, field: result.fieldPath }).toEqual({ reason: generated.bad!.reason, field: generated.bad!.field });
      expect(pipelines.get(type)!.dispositionOf(result.reasonCode)).toBe('dlq');
      reasons.add(`${result.fieldPath}:${result.reasonCode}`);
    }
    // Every kind of spoiling shows up.
    expect(reasons.size).toBeGreaterThanOrEqual(2);
  });
});

describe('the generator', () => {
  const json = (events: readonly GeneratedEvent[]) => events.map((e) => JSON.stringify(e));

  it('makes the same events from the same seed and clock, and others from another seed', () => {
    const a = json(generate({ seed: 1234, badFraction: 0.1 }, 2_000).events);
    const b = json(generate({ seed: 1234, badFraction: 0.1 }, 2_000).events);
    const c = json(generate({ seed: 1235, badFraction: 0.1 }, 2_000).events);
    expect(a).toEqual(b);
    expect(c.filter((e, i) => e === a[i])).toEqual([]);
  });

  it.each([0, 0.01, 0.2, 1])('makes a share of %s bad events', (badFraction) => {
    const n = 20_000;
    const bad = generate({ seed: 99, badFraction }, n).events.filter((e) => e.bad !== undefined).length;
    // Within four standard deviations of a binomial draw.
    const tolerance = 4 * Math.sqrt(n * badFraction * (1 - badFraction));
    expect(Math.abs(bad - n * badFraction)).toBeLessThanOrEqual(tolerance);
  });

  it('mixes the types mostly page views and API requests, a few purchases; only the types asked for', () => {
    const events = generate({ seed: 5 }, 20_000).events.map((e) => e.event);
    const share = (t: DemoType) => events.filter((e) => e.type === t).length / events.length;
    expect(share('page_view')).toBeCloseTo(0.6, 1);
    expect(share('api_request')).toBeCloseTo(0.35, 1);
    expect(share('purchase')).toBeCloseTo(0.05, 1);
    expect(new Set(generate({ seed: 5, types: ['purchase', 'api_request'] }, 2_000).events.map((e) => e.event.type))).toEqual(new Set(['purchase', 'api_request']));
  });

  it('refuses types it does not know and a bad fraction outside 0..1', () => {
    expect(() => createEventGenerator({ seed: 1, types: ['click' as DemoType] })).toThrow(/types must be some of page_view, purchase, api_request/);
    expect(() => createEventGenerator({ seed: 1, types: [] })).toThrow(/types/);
    expect(() => createEventGenerator({ seed: 1, badFraction: 1.5 })).toThrow(/badFraction/);
  });

  it('delays event time by less than the smallest allowed out-of-orderness of the aggregates, so no demo event is late', () => {
    const dir = path.join(root, 'schemas/aggregates');
    const allowed = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { allowedOutOfOrdernessMs: number }).allowedOutOfOrdernessMs);
    expect(allowed.length).toBeGreaterThan(0);
    expect(MAX_EVENT_DELAY_MS).toBeLessThan(Math.min(...allowed));
  });
});

describe('realism', () => {
  const events = (type: DemoType, n = 10_000) => generate({ seed: 2024, types: [type] }, n).events.map((e) => e.event);
  const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

  it('page views: a few visitors make much of the traffic, visits span several views, most visits come from elsewhere first', () => {
    const views = events('page_view') as Extract<DemoEvent, { type: 'page_view' }>[];
    const perVisitor = new Map<string, number>();
    for (const v of views) perVisitor.set(v.anonymous_id, (perVisitor.get(v.anonymous_id) ?? 0) + 1);
    const counts = [...perVisitor.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(counts.length / 100)).reduce((a, b) => a + b, 0);
    expect(top / views.length).toBeGreaterThan(0.1);
    const sessions = new Set(views.map((v) => v.session_id)).size;
    expect(views.length / sessions).toBeGreaterThan(2);
    expect(new Set(views.map((v) => new URL(v.url).host))).toEqual(new Set(['shop.example', 'blog.shop.example', 'docs.shop.example']));
    expect(views.filter((v) => v.user_id === null).length / views.length).toBeGreaterThan(0.2);
  });

  it('purchases: amounts in minor units of a known currency, with the exponent of the lookup table, tax below the amount', () => {
    const table = JSON.parse(fs.readFileSync(path.join(root, 'schemas/pipelines/tables/currency-exponents.json'), 'utf8')) as Record<string, number>;
    for (const [currency, money] of Object.entries(MONEY)) expect(money.exponent, currency).toBe(table[currency]);
    const orders = events('purchase') as Extract<DemoEvent, { type: 'purchase' }>[];
    expect(new Set(orders.map((o) => o.order_id)).size).toBe(orders.length);
    for (const o of orders) expect(o.tax_minor).toBeLessThan(o.amount_minor);
    const usd = orders.filter((o) => o.currency === 'USD').map((o) => o.amount_minor / 100);
    expect(quantile(usd, 0.5)).toBeGreaterThan(20);
    expect(quantile(usd, 0.5)).toBeLessThan(150);
    const jpy = orders.filter((o) => o.currency === 'JPY').map((o) => o.amount_minor);
    expect(quantile(jpy, 0.5)).toBeGreaterThan(2_000);
    expect(new Set(orders.map((o) => o.currency)).size).toBeGreaterThanOrEqual(8);
  });

  it('API requests: log-normal latencies with a long tail, a few per cent of errors with codes, templates for routes', () => {
    const requests = events('api_request', 20_000) as Extract<DemoEvent, { type: 'api_request' }>[];
    const latencies = requests.map((r) => r.latency_ms);
    expect(quantile(latencies, 0.5)).toBeLessThan(60);
    expect(quantile(latencies, 0.99)).toBeGreaterThan(5 * quantile(latencies, 0.5));
    const errors = requests.filter((r) => r.status_code >= 400);
    expect(errors.length / requests.length).toBeGreaterThan(0.01);
    expect(errors.length / requests.length).toBeLessThan(0.1);
    expect(requests.some((r) => r.status_code >= 500)).toBe(true);
    expect(errors.every((r) => typeof r.error_code === 'string')).toBe(true);
    expect(requests.filter((r) => r.status_code < 400).every((r) => r.error_code === null)).toBe(true);
  });
});
