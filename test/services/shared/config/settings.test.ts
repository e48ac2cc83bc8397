import { describe, expect, it } from 'vitest';
import { isWeirError } from '../../../../services/shared/errors.ts';
import {
  describeSpec,
  enumSetting,
  intSetting,
  loadConfig,
  optionalHostPortList,
  optionalUrl,
  portSetting,
  stringSetting,
} from '../../../../services/shared/config/settings.ts';

const spec = {
  port: portSetting('T_PORT', 8080, { doc: 'port' }),
  timeoutMs: intSetting('T_TIMEOUT_MS', 5_000, { doc: 'timeout', min: 1, unit: 'ms' }),
  level: enumSetting('T_LEVEL', ['info', 'debug'] as const, 'info', { doc: 'level' }),
  name: stringSetting('T_NAME', 'weir', { doc: 'name' }),
  brokers: optionalHostPortList('T_BROKERS', { doc: 'brokers' }),
  url: optionalUrl('T_URL', { doc: 'url', protocols: ['http:', 'https:'] }),
};

function errorOf(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig(spec, {});
    expect(config).toEqual({ port: 8080, timeoutMs: 5_000, level: 'info', name: 'weir', brokers: undefined, url: undefined });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses every kind of setting', () => {
    const config = loadConfig(spec, {
      T_PORT: '9000',
      T_TIMEOUT_MS: '250',
      T_LEVEL: 'debug',
      T_NAME: 'x',
      T_BROKERS: 'a:1, [::1]:9092',
      T_URL: 'https://ch.example:8443',
    });
    expect(config.port).toBe(9000);
    expect(config.timeoutMs).toBe(250);
    expect(config.level).toBe('debug');
    expect(config.brokers).toEqual(['a:1', '[::1]:9092']);
    expect(config.url?.port).toBe('8443');
  });

  it('names every bad variable, what it expected and how to fix it, in one error', () => {
    const error = errorOf(() =>
      loadConfig(spec, { T_PORT: '70000', T_LEVEL: 'loud', T_BROKERS: 'nohost', T_URL: 'ftp://x', T_TIMEOUT_MS: '1.5' }),
    );
    expect(isWeirError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('T_PORT="70000" is invalid: expected an integer from 1 to 65535 (TCP port); fix it or unset it for the default 8080');
    expect(error.message).toContain('T_LEVEL="loud" is invalid: expected one of info, debug');
    expect(error.message).toContain('T_BROKERS="nohost" is invalid: expected a comma-separated list of host:port (got "nohost")');
    expect(error.message).toContain('T_URL="ftp://x" is invalid: expected a URL with scheme http: or https:');
    expect(error.message).toContain('T_TIMEOUT_MS="1.5" is invalid');
    expect(error.details?.variables).toEqual(['T_PORT', 'T_TIMEOUT_MS', 'T_LEVEL', 'T_BROKERS', 'T_URL']);
  });

  it('describes each setting with its default and unit', () => {
    expect(describeSpec(spec)).toContain('T_TIMEOUT_MS (default 5000 ms): timeout');
    expect(describeSpec(spec)).toContain('T_BROKERS (unset): brokers');
  });
});
