import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventSchema, useCliHarness } from '../cli-harness.ts';

describe('weir schemas check', () => {
  const cli = useCliHarness();
  const pageView = eventSchema('PageView');

  it('passes new event types, saying they are not registered yet', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView });
    const result = await cli.run(['schemas', 'check', '--dir', dir, '--registry-url', registry.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('weir.raw.page_view-value: not registered yet, a new event type (compatible)');
    expect(result.stdout).toContain('0 compatible, 1 new, 0 incompatible, 0 invalid.');
    expect(registry.store.log()).toEqual([]);
  });

  it('passes a compatible change and fails a field added without a default, naming it, under BACKWARD', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView, 'purchase.avsc': eventSchema('Purchase') });
    expect((await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url])).code).toBe(0);

    const withDefault = [{ name: 'event_id', type: 'string' }, { name: 'title', type: ['null', 'string'], default: null }];
    fs.writeFileSync(path.join(dir, 'purchase.avsc'), eventSchema('Purchase', withDefault));
    fs.writeFileSync(path.join(dir, 'page_view.avsc'), eventSchema('PageView', [{ name: 'event_id', type: 'string' }, { name: 'session_id', type: 'string' }]));
    const result = await cli.run(['schemas', 'check', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('weir.raw.purchase-value: compatible with the latest registered version');
    expect(result.stdout).toContain('weir.raw.page_view-value: INCOMPATIBLE with the latest registered version');
    expect(result.stdout).toMatch(/ {2}- BACKWARD: .*'session_id' has no default/);
    expect(result.stdout).toContain('1 compatible, 0 new, 1 incompatible, 0 invalid. Check failed.');
    expect(registry.store.state().versionNumbers('weir.raw.purchase-value')).toEqual([1]);
  });

  it('passes a local copy of what is registered', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView });
    await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    const result = await cli.run(['schemas', 'check', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 compatible, 0 new, 0 incompatible, 0 invalid.');
  });

  it('fails on an invalid file, with its path and the problem, and still checks the others', async () => {
    const registry = await cli.startRegistry();
    const badDefault = eventSchema('Purchase', [{ name: 'event_id', type: 'string' }, { name: 'coupon', type: ['null', 'string'], default: 'none' }]);
    const dir = cli.schemaDir({ 'page_view.avsc': pageView, 'purchase.avsc': badDefault });
    const result = await cli.run(['schemas', 'check', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path.join(dir, 'purchase.avsc')}: invalid: Invalid schema at /fields/1/default:`);
    expect(result.stdout).toContain("the first branch of its union ('null')");
    expect(result.stdout).toContain('weir.raw.page_view-value: not registered yet');
    expect(result.stdout).toContain('0 compatible, 1 new, 0 incompatible, 1 invalid. Check failed.');
  });

  it('reports every file as JSON with --json', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView, 'x.avsc': '{"type": "record"' });
    const result = await cli.run(['schemas', 'check', '--json', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      registry: registry.url,
      dir,
      ok: false,
      invalid: [{ file: path.join(dir, 'x.avsc'), problem: expect.stringMatching(/^Invalid schema: the schema is not valid JSON/) }],
      results: [{ file: path.join(dir, 'page_view.avsc'), subject: 'weir.raw.page_view-value', status: 'new' }],
    });
  });
});
