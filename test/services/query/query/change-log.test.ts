import { describe, expect, it } from 'vitest';
import { ChangeLog, changesSql, CHANGES_LOOKBACK_S, POLLS_KEPT, type ChangeLogRow, type PollScope } from '../../../../services/query/query/change-log.ts';

const progress = (p: number, v: number): ChangeLogRow => ({ w: '', p, v: String(v), f: 0, t: 0 });
const change = (p: number, v: number, fromMs: number | string, atS: number): ChangeLogRow => ({ w: '~changes', p, v: String(v), f: String(fromMs), t: atS });

describe('change log', () => {
  it('reads progress rows only at the first poll, then both kinds past the offsets seen, from an hour before the newest flush', () => {
    expect(changesSql('db', 'agg_shop', { seen: new Map(), flushedSinceS: undefined })).toBe(
      "SELECT window AS w, window_partition AS p, window_version AS v, window_watermark AS f, toUInt32(window_start) AS t FROM `db`.`agg_shop` WHERE (window = '')",
    );
    expect(changesSql('db', 'agg_shop', { seen: new Map([[0, 7n], [2, 9n]]), flushedSinceS: 1_800_000_000.5 })).toBe(
      'SELECT window AS w, window_partition AS p, window_version AS v, window_watermark AS f, toUInt32(window_start) AS t FROM `db`.`agg_shop` ' +
        "WHERE (window = '' OR (window = '~changes' AND window_start >= toDateTime(1800000000, 'UTC'))) AND (window_partition NOT IN (0, 2) OR window_version > multiIf(window_partition = 0, toUInt64(7), toUInt64(9)))",
    );
    expect(changesSql('db', 't', { seen: new Map([[1, 3n]]), flushedSinceS: 0 })).toContain('AND (window_partition NOT IN (1) OR window_version > toUInt64(3))');
  });

  it('gives per poll the earliest window start written, unknown when a partition moved past its change rows or the polls are gone', async () => {
    const scopes: PollScope[] = [];
    let next: ChangeLogRow[] = [];
    const log = new ChangeLog(
      async (_type, scope) => {
        scopes.push(scope);
        return next.splice(0);
      },
      () => 2_000_000_000_000,
    );
    next = [progress(0, 5), progress(0, 4)]; // the first poll reads progress rows only
    expect(await log.poll('shop')).toBe(0);
    expect(scopes[0]).toEqual({ seen: new Map(), flushedSinceS: undefined });
    expect(log.changedFrom('shop', 0)).toEqual({ fromMs: Infinity, through: 0 });

    next = [progress(0, 6), change(0, 6, 60_000, 1_800_000_000), progress(1, 2), change(1, 2, 30_000, 1_800_000_005), change(1, 1, 5_000, 1_799_999_999)];
    expect(await log.poll('shop')).toBe(1);
    // No change row seen before: an hour before the reader's clock.
    expect(scopes[1]).toEqual({ seen: new Map([[0, 5n]]), flushedSinceS: 2_000_000_000 - CHANGES_LOOKBACK_S });
    expect(log.changedFrom('shop', 0)).toEqual({ fromMs: 5_000, through: 1 });

    next = [change(0, 7, '9223372036854775807', 1_800_000_010), progress(0, 7)]; // a flush that wrote no window
    expect(await log.poll('shop')).toBe(2);
    expect(scopes[2]).toEqual({ seen: new Map([[0, 6n], [1, 2n]]), flushedSinceS: 1_800_000_005 - CHANGES_LOOKBACK_S });
    expect(log.changedFrom('shop', 1)).toEqual({ fromMs: Infinity, through: 2 });
    expect(log.changedFrom('shop', 0)).toEqual({ fromMs: 5_000, through: 2 });

    next = [progress(2, 0)]; // a partition that wrote no change row
    await log.poll('shop');
    expect(log.changedFrom('shop', 2)).toEqual({ fromMs: -Infinity, through: 3 });
    expect(log.changedFrom('other', 0)).toEqual({ fromMs: -Infinity, through: 0 });

    for (let i = 0; i < POLLS_KEPT; i++) await log.poll('shop');
    expect(log.changedFrom('shop', 2).fromMs).toBe(-Infinity); // poll 3 is no longer kept
    expect(log.changedFrom('shop', 3)).toEqual({ fromMs: Infinity, through: 3 + POLLS_KEPT });
  });
});
