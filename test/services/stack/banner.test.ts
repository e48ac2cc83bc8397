import { describe, expect, it } from 'vitest';
import { banner } from '../../../services/stack/banner.ts';

describe('banner', () => {
  it('lines up every endpoint and says how to stop', () => {
    const text = banner([
      { name: 'Kafka', where: '127.0.0.1:9092', note: 'local' },
      { name: 'ClickHouse', where: 'embedded chDB at /d' },
    ]);
    expect(text).toContain('  Kafka       127.0.0.1:9092  (local)\n  ClickHouse  embedded chDB at /d\n');
    expect(text).toContain('Ctrl-C or SIGTERM stops everything.');
  });
});
