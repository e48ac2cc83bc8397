/** The examples of schemas/aggregates/README.md must be definitions the loader reads. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAggregates } from '../../../../services/aggregator/definition/check-aggregates.ts';
import { MEASURE_KINDS } from '../../../../services/aggregator/definition/aggregate-definition.ts';
import { WINDOW_KINDS } from '../../../../services/aggregator/windows/window.ts';
import { tempFolder } from '../../processor/pipeline/pipeline-fixture.ts';
import { thingAggregate } from './aggregate-fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const readme = fs.readFileSync(path.join(ROOT, 'schemas/aggregates/README.md'), 'utf8');
// Inline code in table rows.
const snippets = [...readme.matchAll(/`(\{"kind": .*?\})`/g)].map((m) => JSON.parse(m[1] as string) as Record<string, unknown>);

describe('schemas/aggregates/README.md examples', () => {
  it('has an example of every measure and every window', () => {
    const kinds = new Set(snippets.map((s) => s['kind']));
    expect(kinds).toEqual(new Set([...MEASURE_KINDS.filter((k) => k !== 'min'), ...WINDOW_KINDS]));
  });

  it.each(snippets.map((s) => [JSON.stringify(s), s] as const))('%s reads without a problem', async (_text, snippet) => {
    const isWindow = (WINDOW_KINDS as readonly unknown[]).includes(snippet['kind']);
    const field = typeof snippet['field'] === 'string' ? snippet['field'] : undefined;
    // Fields of the starter types stand for the numeric and string fields of the test schema.
    const changes = isWindow ? { windows: [snippet] } : { dimensions: [], measures: [{ ...snippet, ...(field === undefined ? {} : { field: snippet['kind'] === 'distinct' ? 'name' : 'ratio' }) }] };
    await expect(thingAggregate(changes)).resolves.toMatchObject(changes);
  });

  it('opens with a definition that is valid for its type', async () => {
    const example = /```json\n([\s\S]*?)```/.exec(readme)?.[1] as string;
    const source = (JSON.parse(example) as { source: string }).source;
    const dir = tempFolder({ [`${source}.json`]: example });
    expect(await checkAggregates(dir, path.join(ROOT, 'schemas/pipelines'), path.join(ROOT, 'schemas/events'))).toEqual({ ok: true, problems: [], types: [source] });
  });
});
