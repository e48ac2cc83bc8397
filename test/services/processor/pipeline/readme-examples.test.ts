/** The rule and transform examples of schemas/pipelines/README.md must be definitions the loader reads. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../../services/processor/pipeline/parse-rules.ts';
import { parseTransforms } from '../../../../services/processor/pipeline/parse-transforms.ts';

const readme = fs.readFileSync(path.join(import.meta.dirname, '../../../../schemas/pipelines/README.md'), 'utf8');
// Inline code in table rows; `\|` is how a table cell writes a `|`.
const snippets = [...readme.matchAll(/`(\{"(?:rule|op)": .*?\})`/g)].map((m) => (m[1] as string).replaceAll('\\|', '|'));

describe('schemas/pipelines/README.md examples', () => {
  it('has an example of every rule and every transform', () => {
    const kinds = snippets.map((s) => JSON.parse(s) as Record<string, string>).map((o) => o['rule'] ?? (o['op'] === 'derive' ? `derive ${o['using']}` : o['op']));
    expect(new Set(kinds)).toEqual(
      new Set(['required', 'range', 'pattern', 'allowed', 'clock_skew', 'rename', 'drop', 'default', 'cast', 'trim', 'derive url', 'derive map_value', 'hash', 'lookup']),
    );
  });

  it.each(snippets)('%s reads without a problem', (snippet) => {
    const problems: string[] = [];
    const value = JSON.parse(snippet) as Record<string, unknown>;
    const report = (at: string, message: string) => problems.push(`${at}: ${message}`);
    const items = [{ value, at: '/0' }];
    if ('rule' in value) parseRules(items, report);
    else expect(parseTransforms(items, report).transforms).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});
