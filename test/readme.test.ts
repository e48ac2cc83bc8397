/** The README is the user's manual: it must document every setting and the commands CI runs. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stackSpecs } from '../services/stack/config.ts';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ci = fs.readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');

describe('README', () => {
  it.each(Object.values(stackSpecs).flatMap((spec) => Object.values(spec)).map((s) => [s.env, s.defaultText] as const))('documents %s with its default', (env, def) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${env}\` |`));
    expect(row, `README has no settings row for ${env}`).toBeDefined();
    expect(row).toContain(def === undefined ? 'unset' : `\`${def}\``);
  });

  it('has no variable read by two of the stack\'s specs', () => {
    const names = Object.values(stackSpecs).flatMap((spec) => Object.values(spec).map((s) => s.env));
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('gives the two commands, and CI runs the same test command', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
