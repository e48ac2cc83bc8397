/** The shipped definitions in schemas/aggregates, against the starter pipelines and event schemas. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAggregates } from '../../../../services/aggregator/definition/check-aggregates.ts';
import { loadAggregates } from '../../../../services/aggregator/definition/load-aggregates.ts';
import { windowName } from '../../../../services/aggregator/windows/window.ts';
import { loadPipelines } from '../../../../services/processor/pipeline/load-pipelines.ts';
import { localReaderSchemas } from '../../../../services/processor/pipeline/check-pipelines.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const AGGREGATES = path.join(ROOT, 'schemas/aggregates');
const PIPELINES = path.join(ROOT, 'schemas/pipelines');
const EVENTS = path.join(ROOT, 'schemas/events');

describe('starter aggregate definitions', () => {
  it('are valid against the clean schemas of the starter pipelines', async () => {
    expect(await checkAggregates(AGGREGATES, PIPELINES, EVENTS)).toEqual({ ok: true, problems: [], types: ['api_request', 'page_view', 'purchase'] });
  });

  it('aggregate what their users ask for', async () => {
    const pipelines = await loadPipelines(PIPELINES, { latestReaderSchema: localReaderSchemas(EVENTS) });
    const aggregates = await loadAggregates(AGGREGATES, {
      cleanSchema: async (type) => ({ text: JSON.stringify(pipelines.get(type)?.outputSchema), origin: type }),
    });
    const summary = Object.fromEntries(
      [...aggregates].map(([type, a]) => [type, { by: a.dimensions.map((d) => d.field), measures: a.measures.map((m) => m.kind), windows: a.windows.map(windowName), late: a.lateEvents }]),
    );
    expect(summary).toEqual({
      page_view: { by: ['url_host'], measures: ['count', 'distinct', 'distinct'], windows: ['tumbling_10s', 'tumbling_1m', 'tumbling_1h', 'session_30m'], late: 'dlq' },
      purchase: {
        by: ['currency'],
        measures: ['count', 'sum', 'sum', 'avg', 'quantile', 'quantile', 'quantile', 'sum', 'distinct'],
        windows: ['tumbling_1m', 'tumbling_1h', 'tumbling_1d', 'hopping_1h_5m'],
        late: 'correct',
      },
      api_request: {
        by: ['service', 'route', 'status_code'],
        measures: ['count', 'avg', 'quantile', 'quantile', 'quantile', 'max', 'sum'],
        windows: ['tumbling_10s', 'tumbling_1m', 'tumbling_1h'],
        late: 'dlq',
      },
    });
  });
});
