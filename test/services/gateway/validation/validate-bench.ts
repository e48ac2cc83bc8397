/**
 * Events per second for the per-event work of the gateway on a typical page_view (~300 B of
 * JSON), on one core. Not a test: it prints figures and asserts nothing.
 *   node_modules/.bin/node test/services/gateway/validation/validate-bench.ts [--seconds 1]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { encodeFrame } from '../../../../services/shared/avro/wire-format.ts';
import { compileEventValidator, type ValidationResult } from '../../../../services/gateway/validation/compile.ts';
import type { EnvelopeContext } from '../../../../services/gateway/validation/envelope.ts';
import { uuidV7 } from '../../../../services/gateway/validation/uuid-v7.ts';
import { validateEvent } from '../../../../services/gateway/validation/validate-event.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../schemas/events/page_view.avsc'), 'utf8')) as object;
const avroType = avro.Type.forSchema(schema as avro.Schema);
const validate = compileEventValidator(schema, { avroType });

const now = Date.now();
const eventJson = JSON.stringify({
  type: 'page_view',
  id: '0192e3a4-5b6c-7d8e-9f01-23456789abcd',
  timestamp: new Date(now - 1500).toISOString(),
  url: 'https://shop.example.com/products/blue-widget?utm_source=newsletter&utm_campaign=spring',
  referrer: 'https://www.example.org/search?q=widgets',
  title: 'Blue widget | Example shop',
  anonymous_id: 'anon-7f3c2a91d4',
  session_id: 'sess-5b21e0c8',
  device_type: 'DESKTOP',
  properties: { plan: 'pro', variant: 'b' },
});
const event = JSON.parse(eventJson) as Record<string, unknown>;
const { type: _type, id, timestamp, ...rest } = event;
const recordFields = { event_id: id, event_time: Date.parse(String(timestamp)), ...rest };
const context: EnvelopeContext = { receivedAt: now, maxPastSkewMs: 86_400_000, maxFutureSkewMs: 3_600_000, newId: uuidV7 };
const validators = new Map([['page_view', validate]]);

/** Runs `step` in batches until `seconds` have passed; returns calls per second. */
function measure(step: () => unknown): number {
  for (let i = 0; i < 20_000; i++) step(); // warm up the JIT
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) step();
    calls += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return calls / (Number(elapsed) / 1e9);
}

function must(result: ValidationResult): { value: Record<string, unknown> } {
  if (!result.ok) throw new Error(`the bench event is invalid: ${JSON.stringify(result.errors)}`);
  return result;
}

const validValue = must(validate(recordFields)).value;
const encoded = avroType.toBuffer(validValue);
const rows: [string, () => unknown][] = [
  ['validate (record fields)', () => must(validate(recordFields))],
  ['avsc toBuffer alone (already valid value)', () => avroType.toBuffer(validValue)],
  ['validate + avsc toBuffer', () => avroType.toBuffer(must(validate(recordFields)).value)],
  [
    'envelope + validate + toBuffer + frame',
    () => {
      const outcome = validateEvent(event, context, (t) => validators.get(t));
      return outcome.ok ? encodeFrame(1, avroType.toBuffer(outcome.value)) : undefined;
    },
  ],
  ['JSON.parse + all of the above', () => {
    const outcome = validateEvent(JSON.parse(eventJson), context, (t) => validators.get(t));
    return outcome.ok ? encodeFrame(1, avroType.toBuffer(outcome.value)) : undefined;
  }],
];

process.stdout.write(`page_view of ${Buffer.byteLength(eventJson)} B JSON, ${encoded.length} B Avro; node ${process.version}, one core, ${seconds} s per row\n`);
for (const [label, step] of rows) {
  const rate = measure(step);
  process.stdout.write(`${label.padEnd(42)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} events/s  (${(1e6 / rate).toFixed(2)} µs/event)\n`);
}
