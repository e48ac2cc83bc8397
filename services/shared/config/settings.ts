/**
 * Declarative settings read from environment variables. A service declares a spec (one entry per
 * setting, with its variable, default, unit and doc), `loadConfig` reads it once at boot, reports
 * every bad variable in one error, and returns a frozen, fully typed object.
 */
import { WeirError } from '../errors.ts';

export interface Setting<T> {
  readonly env: string;
  readonly doc: string;
  readonly unit?: string;
  /** Shown in docs and errors; `undefined` when the setting is optional. */
  readonly defaultText: string | undefined;
  readonly defaultValue: T;
  /** Returns the value, or throws a string saying what was expected. */
  parse(raw: string): T;
}

interface Common {
  doc: string;
}

function setting<T>(env: string, doc: string, defaultValue: T, parse: (raw: string) => T, unit?: string): Setting<T> {
  const defaultText = defaultValue === undefined ? undefined : String(defaultValue);
  return Object.freeze({ env, doc, defaultValue, defaultText, parse, ...(unit === undefined ? {} : { unit }) });
}

export function stringSetting(env: string, defaultValue: string, opts: Common): Setting<string> {
  return setting(env, opts.doc, defaultValue, (raw) => {
    if (raw.trim() === '') throw 'a non-empty value';
    return raw;
  });
}

export function optionalString(env: string, opts: Common): Setting<string | undefined> {
  return setting<string | undefined>(env, opts.doc, undefined, (raw) => (raw.trim() === '' ? undefined : raw));
}

export function intSetting(
  env: string,
  defaultValue: number,
  opts: Common & { min?: number; max?: number; unit?: string },
): Setting<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  return setting(
    env,
    opts.doc,
    defaultValue,
    (raw) => {
      const value = Number(raw.trim());
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
        throw `an integer from ${min} to ${max}${opts.unit ? ` (${opts.unit})` : ''}`;
      }
      return value;
    },
    opts.unit,
  );
}

export function portSetting(env: string, defaultValue: number, opts: Common): Setting<number> {
  return intSetting(env, defaultValue, { ...opts, min: 1, max: 65_535, unit: 'TCP port' });
}

export function enumSetting<const V extends string>(
  env: string,
  values: readonly V[],
  defaultValue: V,
  opts: Common,
): Setting<V> {
  return setting(env, opts.doc, defaultValue, (raw) => {
    const value = raw.trim() as V;
    if (!values.includes(value)) throw `one of ${values.join(', ')}`;
    return value;
  });
}

/** A comma-separated list of host:port pairs, e.g. `KAFKA_BROKERS=10.0.0.1:9092,10.0.0.2:9092`. */
export function optionalHostPortList(env: string, opts: Common): Setting<readonly string[] | undefined> {
  return setting<readonly string[] | undefined>(env, opts.doc, undefined, (raw) => {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) return undefined;
    for (const item of items) {
      const match = /^(\[[0-9a-fA-F:]+\]|[^\s:/]+):(\d{1,5})$/.exec(item);
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) {
        throw `a comma-separated list of host:port (got "${item}")`;
      }
    }
    return Object.freeze(items);
  });
}

export function optionalUrl(env: string, opts: Common & { protocols: readonly string[] }): Setting<URL | undefined> {
  return setting<URL | undefined>(env, opts.doc, undefined, (raw) => {
    if (raw.trim() === '') return undefined;
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw `an absolute URL such as ${opts.protocols[0]}//host:port`;
    }
    if (!opts.protocols.includes(url.protocol)) throw `a URL with scheme ${opts.protocols.join(' or ')}`;
    return url;
  });
}

export type Spec = Readonly<Record<string, Setting<unknown>>>;
export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads every setting of `spec` from `env`; throws one CONFIG_INVALID error naming each bad variable. */
export function loadConfig<S extends Spec>(spec: S, env: Env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(spec)) {
    const raw = env[s.env];
    if (raw === undefined) {
      out[key] = s.defaultValue;
      continue;
    }
    try {
      out[key] = s.parse(raw);
    } catch (expected) {
      const fallback = s.defaultText === undefined ? 'unset it to disable' : `unset it for the default ${s.defaultText}`;
      problems.push(`${s.env}=${JSON.stringify(raw)} is invalid: expected ${String(expected)}; fix it or ${fallback}`);
    }
  }
  if (problems.length > 0) {
    throw new WeirError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      details: { variables: problems.map((p) => p.slice(0, p.indexOf('='))) },
    });
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Several specs read at once, each into its own object; every bad variable of all of them in one error. */
export function loadConfigs<M extends Readonly<Record<string, Spec>>>(specs: M, env: Env): { readonly [K in keyof M]: ConfigOf<M[K]> } {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  const variables: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    try {
      out[name] = loadConfig(spec, env);
    } catch (error) {
      if (!(error instanceof WeirError) || error.code !== 'CONFIG_INVALID') throw error;
      problems.push(...error.message.split('\n').slice(1).map((line) => line.trim()));
      variables.push(...((error.details.variables as string[] | undefined) ?? []));
    }
  }
  if (problems.length > 0) {
    throw new WeirError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, { details: { variables } });
  }
  return Object.freeze(out) as { readonly [K in keyof M]: ConfigOf<M[K]> };
}

/** Every setting at its default, as loadConfig gives with an empty environment (for tests and benchmarks). */
export function defaultsOf<S extends Spec>(spec: S): ConfigOf<S> {
  return loadConfig(spec, {});
}

/** One line per setting, for `--help` output and the README. */
export function describeSpec(spec: Spec): string[] {
  return Object.values(spec).map((s) => {
    const def = s.defaultText === undefined ? 'unset' : `default ${s.defaultText}${s.unit ? ` ${s.unit}` : ''}`;
    return `${s.env} (${def}): ${s.doc}`;
  });
}
