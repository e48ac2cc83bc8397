import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPipelines } from '../../../../services/processor/pipeline/check-pipelines.ts';
import { tempFolder, THING_SCHEMA } from './pipeline-fixture.ts';

describe('checkPipelines', () => {
  it('passes definitions whose reader schemas are the local event schemas', async () => {
    const root = tempFolder({ 'pipelines/thing.json': { source: 'thing' }, 'events/thing.avsc': THING_SCHEMA });
    expect(await checkPipelines(path.join(root, 'pipelines'), path.join(root, 'events'))).toEqual({ ok: true, problems: [], types: ['thing'] });
  });

  it('returns every problem as a line naming file, JSON Pointer and problem, and the types that passed', async () => {
    const root = tempFolder({
      'pipelines/thing.json': { source: 'thing', rules: [{ rule: 'range', field: 'count', min: 'zero' }] },
      'pipelines/other.json': { source: 'other' },
      'pipelines/fine.json': { source: 'fine' },
      'events/thing.avsc': THING_SCHEMA,
      'events/fine.avsc': { ...THING_SCHEMA, name: 'Fine' },
    });
    const pipelines = path.join(root, 'pipelines');
    const events = path.join(root, 'events');
    expect(await checkPipelines(pipelines, events)).toEqual({
      ok: false,
      problems: [
        `${path.join(pipelines, 'other.json')}: no reader schema: ${path.join(events, 'other.avsc')} does not exist; add the event schema, or name one with "readerSchema": {"file": ...}`,
        `${path.join(pipelines, 'thing.json')} at /rules/0/min: must be a number, got string "zero"`,
      ],
      types: ['fine'],
    });
  });

  it('reports a reader schema that does not parse at its own file and pointer', async () => {
    const root = tempFolder({ 'pipelines/thing.json': { source: 'thing' }, 'events/thing.avsc': '{"type": "record", "name": "T", "fields": [{"name": "x"}]}' });
    const result = await checkPipelines(path.join(root, 'pipelines'), path.join(root, 'events'));
    expect(result.problems).toEqual([`${path.join(root, 'events', 'thing.avsc')} at /fields/0: the reader schema is not usable: Invalid schema at /fields/0: field 'x' has no "type"`]);
  });

  it('fails on a folder without definitions', async () => {
    const root = tempFolder({ 'pipelines/README.md': '#' });
    expect(await checkPipelines(path.join(root, 'pipelines'), root)).toEqual({ ok: false, problems: [`${path.join(root, 'pipelines')}: holds no pipeline definition (<type>.json)`], types: [] });
  });
});
