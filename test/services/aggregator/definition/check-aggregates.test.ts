import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAggregates } from '../../../../services/aggregator/definition/check-aggregates.ts';
import { tempFolder, THING_SCHEMA } from '../../processor/pipeline/pipeline-fixture.ts';
import { MINIMAL } from './aggregate-fixture.ts';

/** A repository-like folder: aggregates/, pipelines/ and events/. */
function repository(files: Readonly<Record<string, unknown>>) {
  const root = tempFolder(files);
  return { root, dirs: [path.join(root, 'aggregates'), path.join(root, 'pipelines'), path.join(root, 'events')] as const };
}

describe('checkAggregates', () => {
  it('checks definitions against the clean schema the pipeline derives', async () => {
    const { dirs } = repository({
      'aggregates/thing.json': { ...MINIMAL, dimensions: ['name_host'], measures: [{ kind: 'distinct', name: 'names', field: 'name' }] },
      'pipelines/thing.json': { source: 'thing', transforms: [{ op: 'derive', using: 'url', field: 'url', into: { host: 'name_host' } }] },
      'events/thing.avsc': THING_SCHEMA,
    });
    expect(await checkAggregates(...dirs)).toEqual({ ok: true, problems: [], types: ['thing'] });
  });

  it('sees fields as the pipeline leaves them: a dropped field is gone', async () => {
    const { dirs } = repository({
      'aggregates/thing.json': { ...MINIMAL, dimensions: ['url'] },
      'pipelines/thing.json': { source: 'thing', transforms: [{ op: 'drop', field: 'url' }] },
      'events/thing.avsc': THING_SCHEMA,
    });
    const result = await checkAggregates(...dirs);
    expect(result.problems).toEqual([`${path.join(dirs[0], 'thing.json')} at /dimensions/0: the clean schema of thing has no field "url" to group by; its fields are ${THING_SCHEMA.fields.map((f) => f.name).filter((f) => f !== 'url').join(', ')}`]);
  });

  it('returns every problem as a line naming file, JSON Pointer and problem, and the types that passed', async () => {
    const { dirs } = repository({
      'aggregates/thing.json': { ...MINIMAL, graceMs: -5 },
      'aggregates/other.json': { ...MINIMAL, source: 'other' },
      'aggregates/fine.json': { ...MINIMAL, source: 'fine' },
      'pipelines/thing.json': { source: 'thing' },
      'pipelines/fine.json': { source: 'fine' },
      'events/thing.avsc': THING_SCHEMA,
      'events/fine.avsc': { ...THING_SCHEMA, name: 'Fine' },
    });
    expect(await checkAggregates(...dirs)).toEqual({
      ok: false,
      problems: [
        `${path.join(dirs[0], 'other.json')}: no clean schema for other: ${path.join(dirs[1], 'other.json')} does not exist; the aggregator reads weir.clean.other, which only a pipeline writes`,
        `${path.join(dirs[0], 'thing.json')} at /graceMs: must be at least 0 and at most 86400000, got -5`,
      ],
      types: ['fine'],
    });
  });

  it('lists the problems of invalid pipelines first, and still checks the aggregates shape', async () => {
    const { dirs } = repository({
      'aggregates/thing.json': { ...MINIMAL, windows: [{ kind: 'tumbling', sizeMs: 10 }] },
      'pipelines/thing.json': { source: 'thing', rules: [{ rule: 'range', field: 'count', min: 'zero' }] },
      'events/thing.avsc': THING_SCHEMA,
    });
    const result = await checkAggregates(...dirs);
    expect(result.problems).toEqual([
      `${path.join(dirs[1], 'thing.json')} at /rules/0/min: must be a number, got string "zero"`,
      `${path.join(dirs[0], 'thing.json')} at /windows/0/sizeMs: must be at least 1000 and at most 86400000, got 10`,
      `${path.join(dirs[0], 'thing.json')}: no clean schema for thing: the pipeline definitions in ${dirs[1]} are invalid (their problems are listed), so the clean schema cannot be derived`,
    ]);
    expect(result.types).toEqual([]);
  });

  it('fails on a folder without definitions', async () => {
    const { dirs } = repository({ 'aggregates/README.md': '#', 'pipelines/thing.json': { source: 'thing' }, 'events/thing.avsc': THING_SCHEMA });
    expect(await checkAggregates(...dirs)).toEqual({ ok: false, problems: [`${dirs[0]}: holds no aggregate definition (<type>.json)`], types: [] });
  });
});
