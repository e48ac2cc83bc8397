import { describe, expect, it } from 'vitest';
import { readGatewayAnswer } from '../../sdk/src/gateway-answer.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const read = (status: number, body: unknown, batchSize = 3, retryAfter: string | null = null) =>
  readGatewayAnswer({ status, retryAfter, body: typeof body === 'string' ? body : JSON.stringify(body) }, batchSize, now);
const fieldError = { path: '/device_type', reason: 'not_in_enum', message: 'FRIDGE is no DeviceType' };

describe('readGatewayAnswer', () => {
  it('reads a 200 as all accepted, with or without a body', () => {
    expect(read(200, { accepted: 3, rejected: 0, errors: [] })).toEqual({ kind: 'results', rejected: new Map() });
    expect(read(200, '')).toEqual({ kind: 'results', rejected: new Map() });
  });

  it('maps a 207 to the rejected events by index, merging repeated indexes', () => {
    const answer = read(207, {
      accepted: 1,
      rejected: 2,
      errors: [
        { index: 0, id: 'a', type: 'page_view', errors: [fieldError] },
        { index: 2, id: 'c', type: 'page_view', errors: [{ path: '/url', reason: 'missing_field', message: 'url is required' }] },
        { index: 0, errors: [{ path: '/x' }] },
      ],
    });
    expect(answer).toEqual({
      kind: 'results',
      rejected: new Map([
        [0, [fieldError, { path: '/x', reason: 'unspecified', message: '' }]],
        [2, [{ path: '/url', reason: 'missing_field', message: 'url is required' }]],
      ]),
    });
  });

  it('reads a 400 with per-event errors as every event rejected, naming the unnamed ones too', () => {
    const answer = read(400, { accepted: 0, rejected: 2, errors: [{ index: 1, errors: [fieldError] }] }, 2);
    expect(answer.kind === 'results' && [...answer.rejected.entries()]).toEqual([
      [1, [fieldError]],
      [0, [{ path: '', reason: 'unspecified', message: 'the gateway refused the batch without naming this event' }]],
    ]);
  });

  it('refuses per-event answers it cannot map onto the batch', () => {
    for (const [status, body] of [
      [207, { accepted: 3 }],
      [207, 'not json'],
      [207, { errors: [{ index: 3, errors: [] }] }],
      [400, { errors: [{ index: -1 }] }],
      [200, { errors: 'many' }],
    ] as const) {
      const answer = read(status, body);
      expect(answer.kind === 'failed' && [answer.error.code, answer.error.retriable]).toEqual(['BAD_RESPONSE', false]);
    }
  });

  it('reads request-level errors with their code, gateway code, Retry-After and retriable flag', () => {
    const body = (code: string, retriable: boolean) => ({ error: { code, message: 'why', retriable } });
    const cases = [
      [401, 'UNAUTHORIZED', false],
      [403, 'FORBIDDEN', false],
      [413, 'PAYLOAD_TOO_LARGE', false],
      [415, 'MALFORMED_REQUEST', false],
      [400, 'MALFORMED_REQUEST', false],
      [429, 'RATE_LIMITED', true],
      [503, 'UNAVAILABLE', true],
      [502, 'SERVER_ERROR', true],
    ] as const;
    for (const [status, code, retriable] of cases) {
      const answer = read(status, body(`G_${status}`, retriable), 3, '7');
      expect(answer).toMatchObject({ kind: 'failed', retryAfterMs: 7000 });
      expect(answer.kind === 'failed' && answer.error).toMatchObject({ code, status, gatewayCode: `G_${status}`, retriable, message: `${status} why` });
    }
  });

  it("reads a 429's RateLimit-Limit, the key's burst", () => {
    const answer = (rateLimit: string | null, status = 429) =>
      readGatewayAnswer({ status, retryAfter: '1', rateLimit, body: '{"error": {"code": "RATE_LIMITED", "message": "slow", "retriable": true}}' }, 5, now);
    expect(answer('2')).toMatchObject({ kind: 'failed', rateLimit: 2 });
    expect(answer('0')).not.toHaveProperty('rateLimit');
    expect(answer('lots')).not.toHaveProperty('rateLimit');
    expect(answer(null)).not.toHaveProperty('rateLimit');
    expect(answer('2', 503)).not.toHaveProperty('rateLimit');
  });

  it('takes retriable from the status when the body does not say, and lets the body override it', () => {
    const failed = (status: number, body: unknown) => {
      const answer = read(status, body);
      return answer.kind === 'failed' ? [answer.error.code, answer.error.retriable, answer.error.message] : answer;
    };
    expect(failed(500, '<html>oops</html>')).toEqual(['SERVER_ERROR', true, '500 <html>oops</html>']);
    expect(failed(408, '')).toEqual(['SERVER_ERROR', true, '408 without a body']);
    expect(failed(404, '')).toEqual(['UNEXPECTED_STATUS', false, '404 without a body']);
    expect(failed(500, { error: { code: 'BUG', message: 'will fail again', retriable: false } })).toEqual(['SERVER_ERROR', false, '500 will fail again']);
  });
});
