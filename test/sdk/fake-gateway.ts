/**
 * A small stand-in for weir's gateway that follows its HTTP contract (POST /v1/events, bearer
 * key, gzip, per-event results with 200/207/400, request-level errors) and can be scripted to
 * answer the next requests otherwise: 429/503 with Retry-After, a reset connection, a held answer.
 * Call `useFakeGateway()` in a describe body: servers close after each test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach } from 'vitest';
import type { FieldError } from '../../sdk/src/types.ts';

export const WRITE_KEY = 'wk_test_0123456789';

export type Step =
  /** A request-level answer: nothing is accepted. */
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** The connection is destroyed once the body has arrived, with no answer. */
  | { readonly reset: true }
  /** The normal answer, once `until` settles. */
  | { readonly hold: Promise<unknown> };

export interface RecordedRequest {
  readonly headers: IncomingMessage['headers'];
  /** Bytes as they came over the wire. */
  readonly wireBytes: number;
  /** Bytes of the JSON body, after gunzip. */
  readonly jsonBytes: number;
  readonly events: Record<string, unknown>[];
  /** The status answered, or 'reset'. */
  status?: number | 'reset';
}

/** Decides whether the gateway rejects an event; the default rejects events with a field `bad`. */
export type Validator = (event: Record<string, unknown>) => FieldError[];

const defaultValidator: Validator = (event) =>
  'bad' in event ? [{ path: '/bad', reason: 'unknown_field', message: 'the schema has no field bad' }] : [];

export interface FakeGateway {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Accepted events in order of acceptance (a repeat would show up twice). */
  readonly accepted: Record<string, unknown>[];
  /** Most requests open at the same time. */
  readonly maxConcurrent: number;
  /** Answers the next requests with these steps, in order; then normally again. */
  script(...steps: Step[]): void;
  validate(validator: Validator): void;
  /** Answers 403 to a request holding any event of these types, as for a key that may not write them. */
  forbid(...types: string[]): void;
}

export function useFakeGateway() {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  return { start: () => startFakeGateway(closers) };
}

async function startFakeGateway(closers: (() => Promise<void>)[]): Promise<FakeGateway> {
  const steps: Step[] = [];
  let validator = defaultValidator;
  const forbidden = new Set<string>();
  let open = 0;
  const state = { requests: [] as RecordedRequest[], accepted: [] as Record<string, unknown>[], maxConcurrent: 0 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const wire = Buffer.concat(chunks);
    const json = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(wire) : wire;
    const parsed = JSON.parse(json.toString('utf8')) as unknown;
    const events = (Array.isArray(parsed) ? parsed : (parsed as { events: unknown[] }).events) as Record<string, unknown>[];
    const recorded: RecordedRequest = { headers: req.headers, wireBytes: wire.length, jsonBytes: json.length, events };
    state.requests.push(recorded);

    let step = steps.shift();
    if (step !== undefined && 'hold' in step) {
      await step.hold;
      step = undefined;
    }
    if (step !== undefined && 'reset' in step) {
      recorded.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (step !== undefined) {
      recorded.status = step.status;
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      res.end(step.body === undefined ? '' : JSON.stringify(step.body));
      return;
    }
    if (req.headers.authorization !== `Bearer ${WRITE_KEY}`) return answer(res, recorded, 401, { error: { code: 'UNAUTHORIZED', message: 'bad key', retriable: false } });
    if (req.headers['content-type'] !== 'application/json') return answer(res, recorded, 415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'json only', retriable: false } });
    const refused = events.find((event) => forbidden.has(String(event['type'])));
    if (refused !== undefined) return answer(res, recorded, 403, { error: { code: 'FORBIDDEN', message: `key may not write ${String(refused['type'])}`, retriable: false } });
    const errors = events.map((event, index) => ({ index, id: event['id'], type: event['type'], errors: validator(event) })).filter((e) => e.errors.length > 0);
    const good = events.filter((_, index) => !errors.some((e) => e.index === index));
    state.accepted.push(...good);
    const status = errors.length === 0 ? 200 : good.length === 0 ? 400 : 207;
    answer(res, recorded, status, { accepted: good.length, rejected: errors.length, errors });
  }

  const server = createServer((req, res) => {
    open += 1;
    state.maxConcurrent = Math.max(state.maxConcurrent, open);
    res.on('close', () => (open -= 1));
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: state.requests,
    accepted: state.accepted,
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    script: (...more) => void steps.push(...more),
    validate: (next) => void (validator = next),
    forbid: (...types) => types.forEach((type) => forbidden.add(type)),
  };
}

function answer(res: ServerResponse, recorded: RecordedRequest, status: number, body: unknown): void {
  recorded.status = status;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A promise and the function that settles it, to hold a scripted answer. */
export function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
