import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventSchema, useCliHarness } from '../cli-harness.ts';

describe('weir schemas list', () => {
  const cli = useCliHarness();

  it('says when the registry has no subjects', async () => {
    const registry = await cli.startRegistry();
    const result = await cli.run(['schemas', 'list', '--registry-url', registry.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`The registry at ${registry.url} has no subjects.\n`);
  });

  it('lists each subject with its latest version and id, and with --local the files and their subjects', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView') });
    await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    const later = cli.schemaDir({
      'page_view.avsc': eventSchema('PageView', [{ name: 'event_id', type: 'string' }, { name: 'title', type: 'string', default: '' }]),
      'purchase.avsc': eventSchema('Purchase'),
    });
    await cli.run(['schemas', 'register', '--dir', later, '--registry-url', registry.url]);
    const local = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView'), 'signup.avsc': eventSchema('Signup'), 'Oops.avsc': '{}' });

    const plain = await cli.run(['schemas', 'list', '--registry-url', registry.url]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.split('\n').slice(2, 5)).toEqual([
      'SUBJECT                   VERSION  ID',
      'weir.raw.page_view-value  2        2',
      'weir.raw.purchase-value   1        3',
    ]);

    const withLocal = await cli.run(['schemas', 'list', '--local', '--dir', local, '--registry-url', registry.url]);
    expect(withLocal.code).toBe(0);
    expect(withLocal.stdout).toContain(`Schema files in ${local}:`);
    expect(withLocal.stdout).toMatch(/page_view\.avsc +weir\.raw\.page_view-value +version 2, id 2\n/);
    expect(withLocal.stdout).toMatch(/signup\.avsc +weir\.raw\.signup-value +not registered\n/);
    expect(withLocal.stdout).toContain(`${path.join(local, 'Oops.avsc')}: invalid: 'Oops' is not a valid event type name`);
  });

  it('prints JSON with --json', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView') });
    await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    const result = await cli.run(['schemas', 'list', '--json', '--local', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      registry: registry.url,
      subjects: [{ subject: 'weir.raw.page_view-value', version: 1, id: 1 }],
      local: {
        dir,
        files: [{ file: path.join(dir, 'page_view.avsc'), type: 'page_view', subject: 'weir.raw.page_view-value', registered: { version: 1, id: 1 } }],
        invalid: [],
      },
    });
  });

  it('refuses --dir without --local', async () => {
    const result = await cli.run(['schemas', 'list', '--dir', 'schemas/events']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("weir schemas list: --dir applies to --local only; add --local to list the files in it\nRun 'weir schemas list --help' for usage.\n");
  });
});
