import { describe, expect, it } from 'vitest';
import { SeriesTracker } from '../../../services/lag-exporter/series-tracker.ts';

describe('SeriesTracker', () => {
  it('returns the series gone since the last update, whatever the label order', () => {
    const tracker = new SeriesTracker();
    expect(tracker.update([{ group: 'g', partition: '0' }, { group: 'g', partition: '1' }])).toEqual([]);
    expect(tracker.update([{ partition: '0', group: 'g' }])).toEqual([{ group: 'g', partition: '1' }]);
    expect(tracker.size).toBe(1);
  });

  it('keeps what `keep` asks for until a later update drops it', () => {
    const tracker = new SeriesTracker();
    tracker.update([{ group: 'g' }, { group: 'h' }]);
    expect(tracker.update([], (l) => l['group'] === 'g')).toEqual([{ group: 'h' }]);
    expect(tracker.update([])).toEqual([{ group: 'g' }]);
  });
});
