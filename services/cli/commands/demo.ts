/**
 * `weir demo`: realistic page views, purchases and API requests sent to a gateway at a steady rate
 * (services/demo), so live numbers move within seconds. Runs until Ctrl-C, SIGTERM or --duration;
 * a progress line on stderr every few seconds, a summary on stdout at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { createDemoComponent, hintFor, type DemoStats } from '../../demo/demo-component.ts';
import { DEMO_DEFAULTS, MAX_RATE_PER_SECOND } from '../../demo/demo-options.ts';
import { DEMO_TYPES, type DemoType } from '../../demo/event-generator.ts';
import { checkGateway } from '../../demo/gateway-check.ts';
import { DEFAULT_PORTS } from '../../shared/ports.ts';
import { devKeyFile } from '../../stack/local-setup.ts';
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command, type CommandContext, type Output } from '../command.ts';
import { HELP_ROWS } from '../common-options.ts';

export const GATEWAY_URL_ENV = 'WEIR_GATEWAY_URL';
export const DEV_KEY_ENV = 'WEIR_DEV_KEY';
export const DEFAULT_GATEWAY_URL = `http://127.0.0.1:${DEFAULT_PORTS.gateway}`;
const PROGRESS_INTERVAL_MS = 5_000; // 5 s

const OPTIONS = {
  ...HELP_OPTION,
  gateway: { type: 'string' },
  key: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  types: { type: 'string' },
  'bad-fraction': { type: 'string' },
  seed: { type: 'string' },
} as const;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} [--rate <events/s>] [--duration <time>] [options]`,
    description: [
      'Sends realistic traffic of the starter event types to a gateway until Ctrl-C, SIGTERM or --duration:',
      'page views of a shop, its blog and docs from a stable pool of visitors and their sessions; purchases in a',
      'dozen currencies with plausible amounts and tax; API requests with log-normal latencies, a few per cent of',
      'errors and, every few minutes, a short incident on one service. Event time is now, less up to 2 s.',
      'Every event passes its pipeline, except the --bad-fraction made to land in weir.dlq.<type>.',
    ],
    options: [
      ['--gateway <url>', `The gateway (default: $${GATEWAY_URL_ENV}, else ${DEFAULT_GATEWAY_URL})`],
      ['--key <key>', `Write key (default: $${DEV_KEY_ENV}, else the one \`npm start\` keeps in $WEIR_DATA_DIR/dev-key)`],
      ['--rate <events/s>', `Average events per second over all types (default: ${DEMO_DEFAULTS.ratePerSecond}; it swells and ebbs by 25 % over 2 minutes)`],
      ['--duration <time>', 'Stop after this long: 90s, 5m, 1h, 500ms, or seconds (default: until Ctrl-C)'],
      ['--types <type,...>', `Some of ${DEMO_TYPES.join(', ')} (default: all)`],
      ['--bad-fraction <0..1>', 'Share of events that break a pipeline rule, to show the dead-letter topic (default: 0)'],
      ['--seed <n>', 'Seed, 0..4294967295: the same seed sends the same traffic (default: random, printed)'],
      HELP_ROWS.help,
    ],
    footer: ['Exit codes: 0 every event sent was accepted, 1 some were rejected or could not be delivered,', '2 usage error, no write key, the gateway unreachable or the key refused.'],
  });

export interface DemoArgs {
  readonly gatewayUrl: string;
  readonly key: string;
  readonly ratePerSecond: number;
  readonly durationMs: number | undefined;
  readonly types: readonly DemoType[];
  readonly badFraction: number;
  readonly seed: number | undefined;
}

type Values = ReturnType<typeof parseCommand<typeof OPTIONS>>;

/** The checked arguments; a bad one is a USAGE error naming its flag. */
export function demoArgs(context: CommandContext, values: Values): DemoArgs {
  const bad = (flag: string, raw: string, expected: string) => usageError(context, `${flag} ${JSON.stringify(raw)} is invalid: expected ${expected}`);
  const fromEnv = context.env[GATEWAY_URL_ENV]?.trim();
  const [rawUrl, urlSource] = values.gateway !== undefined ? [values.gateway, '--gateway'] : fromEnv ? [fromEnv, GATEWAY_URL_ENV] : [DEFAULT_GATEWAY_URL, 'default'];
  const gatewayUrl = httpBaseUrl(rawUrl);
  if (gatewayUrl === undefined) throw bad(urlSource, rawUrl, `the gateway's http(s) base URL, such as ${DEFAULT_GATEWAY_URL}`);

  const key = values.key ?? context.env[DEV_KEY_ENV] ?? keptDevKey(context);
  if (values.key !== undefined && values.key.trim() === '') throw usageError(context, '--key needs a write key');
  if (key === undefined || key.trim() === '') {
    throw usageError(context, `no write key: set ${DEV_KEY_ENV} to the key \`npm start\` printed (or the one you gave it), or pass --key <key>; none is kept in ${devKeyFile(dataDirOf(context))} either`);
  }

  const ratePerSecond = values.rate === undefined ? DEMO_DEFAULTS.ratePerSecond : Number(values.rate);
  if (values.rate !== undefined && !(/^\d+(\.\d+)?$/.test(values.rate.trim()) && ratePerSecond > 0 && ratePerSecond <= MAX_RATE_PER_SECOND)) {
    throw bad('--rate', values.rate, `events per second, more than 0 and at most ${MAX_RATE_PER_SECOND}`);
  }
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  if (values.duration !== undefined && durationMs === undefined) throw bad('--duration', values.duration, 'a time above 0 such as 90s, 5m, 1h, 500ms, or a number of seconds');

  const types = values.types === undefined ? DEMO_TYPES : values.types.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const unknown = types.filter((t) => !(DEMO_TYPES as readonly string[]).includes(t));
  if (values.types !== undefined && (types.length === 0 || unknown.length > 0)) {
    throw bad('--types', values.types, `one or more of ${DEMO_TYPES.join(', ')}, separated by commas${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  const badFraction = values['bad-fraction'] === undefined ? DEMO_DEFAULTS.badFraction : Number(values['bad-fraction']);
  if (values['bad-fraction'] !== undefined && !(/^\d+(\.\d+)?$/.test(values['bad-fraction'].trim()) && badFraction <= 1)) {
    throw bad('--bad-fraction', values['bad-fraction'], 'a share from 0 to 1, such as 0.01');
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (values.seed !== undefined && !(/^\d{1,10}$/.test(values.seed.trim()) && seed !== undefined && seed < 2 ** 32)) {
    throw bad('--seed', values.seed, `a whole number from 0 to ${2 ** 32 - 1}`);
  }
  return { gatewayUrl, key: key.trim(), ratePerSecond, durationMs, types: [...new Set(types)] as DemoType[], badFraction, seed };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when the text is not a duration above 0. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1_000);
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

function httpBaseUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/** Where the run learns it should end: Ctrl-C or SIGTERM. Returns how to stop listening. */
export type StopSignals = (stop: (reason: string) => void) => () => void;

const processSignals: StopSignals = (stop) => {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    // A second Ctrl-C does not wait for the last events to be flushed.
    if (count > 1) process.exit(130);
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
};

export function createDemoCommand(signals: StopSignals = processSignals): Command {
  return {
    name: 'demo',
    summary: 'Send realistic demo traffic to a gateway until Ctrl-C, so live numbers move',
    async run(argv, context) {
      const values = parseCommand(context, argv, OPTIONS);
      if (values.help === true) {
        context.stdout.write(help(context));
        return 0;
      }
      const args = demoArgs(context, values);
      const unreachable = await checkGateway(args.gatewayUrl);
      if (unreachable !== undefined) {
        context.stderr.write(`${context.path}: ${unreachable}\nIs weir running? Start it with \`npm start\`, or point at a gateway with --gateway <url> or ${GATEWAY_URL_ENV}.\n`);
        return 2;
      }
      return runDemo(context, args, signals);
    },
  };
}

export const demoCommand = createDemoCommand();

async function runDemo(context: CommandContext, args: DemoArgs, signals: StopSignals): Promise<number> {
  let end: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (end = resolve));
  let refused: string | undefined;
  const demo = createDemoComponent({
    gatewayUrl: args.gatewayUrl,
    key: args.key,
    ratePerSecond: args.ratePerSecond,
    types: args.types,
    badFraction: args.badFraction,
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    logger: cliLogger(context.stderr, context.path),
    onError: (error) => {
      if (error.code !== 'UNAUTHORIZED' && error.code !== 'FORBIDDEN') return;
      refused = hintFor(error);
      end('refused');
    },
  });
  const unsubscribe = signals(end);
  const durationTimer = args.durationMs === undefined ? undefined : setTimeout(() => end('duration'), args.durationMs);
  const startedAt = Date.now();
  const elapsed = () => `${Math.round((Date.now() - startedAt) / 1000)}s`;
  const progress = setInterval(() => context.stderr.write(`demo  ${elapsed().padStart(5)}  ${counts(demo.stats())}\n`), PROGRESS_INTERVAL_MS);
  try {
    await demo.start();
    context.stderr.write(
      `Sending ${args.types.join(', ')} to ${args.gatewayUrl} at ${args.ratePerSecond} events/s (seed ${demo.params.seed})` +
        `${args.durationMs === undefined ? '; Ctrl-C to stop' : ` for ${args.durationMs / 1000}s`}.\n`,
    );
    await ended;
  } finally {
    clearInterval(progress);
    if (durationTimer !== undefined) clearTimeout(durationTimer);
    unsubscribe();
    await demo.stop();
  }
  const stats = demo.stats();
  context.stdout.write(`${summary(stats, args, elapsed()).join('\n')}\n`);
  if (refused !== undefined) {
    context.stderr.write(`${context.path}: ${refused}\n`);
    return 2;
  }
  return stats.rejected > 0 || stats.errors > 0 || stats.accepted < stats.sent ? 1 : 0;
}

function counts(s: DemoStats): string {
  return `sent ${s.sent.toLocaleString('en-US')}  accepted ${s.accepted.toLocaleString('en-US')}  rejected ${s.rejected}  errors ${s.errors}`;
}

function summary(s: DemoStats, args: DemoArgs, took: string): string[] {
  const lines = [`Demo done after ${took}: ${counts(s)}`];
  if (s.bad > 0) lines.push(`  ${s.bad} of them deliberately bad (--bad-fraction ${args.badFraction}): see them with \`npx weir dlq list --type <type>\``);
  if (s.rejected > 0) lines.push('  rejected events do not fit the registered schemas: were the starter schemas changed?');
  if (s.errors > 0) lines.push('  errors are events that could not be delivered (the gateway away or refusing): see the warnings above');
  return lines;
}

/** The component's warnings as plain lines on stderr (`weir demo: warning: ... (code=UNAVAILABLE)`), not JSON. */
function cliLogger(stderr: Output, prefix: string) {
  const destination = {
    write(line: string) {
      const { msg, level: _level, component: _component, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const detail = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      stderr.write(`${prefix}: warning: ${String(msg)}${detail === '' ? '' : ` (${detail})`}\n`);
    },
  };
  return pino({ level: 'warn', base: undefined, timestamp: false }, destination);
}

function dataDirOf(context: CommandContext): string {
  return path.resolve(context.cwd, context.env['WEIR_DATA_DIR'] ?? '.weir');
}

/** The key `npm start` keeps in its data directory when it made one, if there is such a file. */
function keptDevKey(context: CommandContext): string | undefined {
  try {
    return fs.readFileSync(devKeyFile(dataDirOf(context)), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
