/** `weir dlq`: the filters and the command-line errors, which need no Kafka (they are refused before it is asked). */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../services/cli/main.ts';
import { toDeadLetterRecord } from '../../../../services/cli/dlq/dead-letter-record.ts';
import { describeFilter, matches, parseFilter, parseTime } from '../../../../services/cli/dlq/filters.ts';
import { createProgress } from '../../../../services/cli/progress.ts';

async function weir(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (chunk: string) => (out += chunk) };
  return { code: await runCli(argv, { env: {}, stdout: sink, stderr: sink, cwd: process.cwd() }), out };
}

const NOW = Date.parse('2026-11-24T12:00:00Z');

describe('dead-letter filters', () => {
  it('reads ISO-8601, epoch milliseconds and ages', () => {
    expect(parseTime('2026-11-24T10:00:00Z', NOW)).toBe(Date.parse('2026-11-24T10:00:00Z'));
    expect(parseTime('1795490327423', NOW)).toBe(1795490327423);
    expect(parseTime('15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseTime('2h', NOW)).toBe(NOW - 7_200_000);
    expect(parseTime('7d', NOW)).toBe(NOW - 7 * 86_400_000);
    for (const bad of ['yesterday', '-5m', '2026-13-45', '15 minutes']) {
      expect(parseTime(bad, NOW)).toMatch(/is not a time: give ISO-8601/);
    }
  });

  it('matches on reason and on the time a record was dead-lettered', () => {
    const record = (reason: string, time: number | undefined) => {
      const headers: IHeaders = { 'weir-dlq-reason': reason };
      if (time !== undefined) headers['weir-dlq-time'] = String(time);
      const message: KafkaMessage = { key: null, value: null, offset: '3', timestamp: '0', attributes: 0, headers };
      return toDeadLetterRecord('weir.dlq.t', 0, message);
    };
    const filter = parseFilter({ reason: 'out_of_range,undecodable', since: '1h' }, NOW);
    if ('problem' in filter) throw new Error(filter.problem);
    expect(matches(filter, record('out_of_range', NOW - 60_000))).toBe(true);
    expect(matches(filter, record('not_allowed', NOW - 60_000))).toBe(false);
    expect(matches(filter, record('undecodable', NOW - 7_200_000))).toBe(false);
    expect(matches(filter, record('undecodable', undefined))).toBe(false);
    expect(describeFilter(filter)).toBe('reason out_of_range or undecodable, since 2026-11-24T11:00:00.000Z');
    expect(record('x', 5).coordinates).toBe('weir.dlq.t/0/3');
  });

  it('refuses an empty reason, a bad time, and a range that ends before it starts', () => {
    expect(parseFilter({ reason: ' , ' }, NOW)).toEqual({ problem: expect.stringContaining('--reason') });
    expect(parseFilter({ reason: 'Out Of Range' }, NOW)).toEqual({ problem: expect.stringContaining('reason codes') });
    expect(parseFilter({ since: 'soon' }, NOW)).toEqual({ problem: expect.stringMatching(/^--since "soon" is not a time/) });
    expect(parseFilter({ since: '1h', until: '2h' }, NOW)).toEqual({ problem: expect.stringContaining('must be before --until') });
  });
});

describe('weir dlq command line', () => {
  it.each([
    [['dlq', 'replay'], /--type is required/],
    [['dlq', 'replay', '--type', 'Bad-Type'], /--type "Bad-Type" is not an event type name/],
    [['dlq', 'list', '--since', 'tomorrow'], /--since "tomorrow" is not a time/],
    [['dlq', 'list', '--limit', '0'], /--limit "0" must be a whole number of at least 1/],
    [['dlq', 'list', '--brokers', 'localhost'], /--brokers "localhost" is invalid: expected a comma-separated list of host:port/],
    [['dlq', 'show'], /--at is required/],
    [['dlq', 'show', '--at', 'weir.dlq.t/x/1'], /--at "weir.dlq.t\/x\/1" must be <topic>\/<partition>\/<offset>/],
    [['dlq', 'show', '--type', 'a', '--at', 'weir.dlq.b/0/1'], /--at names weir.dlq.b, but --type a reads weir.dlq.a/],
    [['dlq', 'purge'], /Unknown command 'purge' \(commands: list, show, replay\)/],
  ])('%j exits 2 with a reason', async (argv, reason) => {
    const { code, out } = await weir(...argv);
    expect(out).toMatch(reason);
    expect(code).toBe(2);
  });

  it('documents each command', async () => {
    for (const command of ['list', 'show', 'replay']) {
      const { code, out } = await weir('dlq', command, '--help');
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: weir dlq /);
      expect(out).toContain('Exit codes:');
    }
  });
});

describe('progress', () => {
  it('redraws one line on a terminal and ends with the final count', () => {
    let out = '';
    let t = 0;
    const progress = createProgress({ write: (s: string) => (out += s), isTTY: true }, 'replay', 10, () => t);
    progress.update(5);
    t += 1_000;
    progress.update(9);
    progress.done();
    expect(out.split('\r').filter(Boolean)).toEqual(['replay  [###############...............]  5/10  50%', 'replay  [###########################...]  9/10  90%', 'replay  [##############################]  9/9  100%\n']);
  });
});
