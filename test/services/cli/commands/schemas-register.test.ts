import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventSchema, useCliHarness } from '../cli-harness.ts';

describe('weir schemas register', () => {
  const cli = useCliHarness();
  const pageView = eventSchema('PageView');
  const purchase = eventSchema('Purchase', [{ name: 'order_id', type: 'string' }]);

  it('registers every file under weir.raw.<type>-value, then leaves them unchanged', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView, 'purchase.avsc': purchase, 'README.md': '# not a schema' });

    const first = await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('weir.raw.page_view-value: registered as new version 1 with id 1');
    expect(first.stdout).toContain('weir.raw.purchase-value: registered as new version 1 with id 2');
    expect(first.stdout).toContain('2 registered, 0 unchanged, 0 refused');
    expect(registry.store.state().subjects()).toEqual(['weir.raw.page_view-value', 'weir.raw.purchase-value']);

    const again = await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('weir.raw.page_view-value: unchanged (already version 1, id 1)');
    expect(again.stdout).toContain('weir.raw.purchase-value: unchanged (already version 1, id 2)');
    expect(registry.store.log()).toHaveLength(2);
  });

  it('registers a compatible change as a new version', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView });
    expect((await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url])).code).toBe(0);

    const withTitle = eventSchema('PageView', [
      { name: 'event_id', type: 'string' },
      { name: 'title', type: ['null', 'string'], default: null },
    ]);
    fs.writeFileSync(path.join(dir, 'page_view.avsc'), withTitle);
    const result = await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('weir.raw.page_view-value: registered as new version 2 with id 2');
  });

  it('registers nothing when one file is invalid, naming the file and the problem', async () => {
    const registry = await cli.startRegistry();
    const broken = eventSchema('Purchase', [{ name: 'amount_minor', type: 'long', default: 'ten' }]);
    const dir = cli.schemaDir({ 'page_view.avsc': pageView, 'purchase.avsc': broken, 'Bad-Name.avsc': pageView });

    const result = await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path.join(dir, 'purchase.avsc')}: Invalid schema at /fields/0/default:`);
    expect(result.stderr).toContain("default \"ten\" of field 'amount_minor'");
    expect(result.stderr).toMatch(/Bad-Name\.avsc: 'Bad-Name' is not a valid event type name: it must match \^\[a-z\]/);
    expect(result.stderr).toContain('Nothing was registered: 2 of 3 schema files are invalid');
    expect(registry.store.log()).toEqual([]);
  });

  it('prints the 409 message naming the field, tries every schema, and exits 1', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView, 'purchase.avsc': purchase });
    expect((await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url])).code).toBe(0);

    const required = eventSchema('PageView', [
      { name: 'event_id', type: 'string' },
      { name: 'session_id', type: 'string' },
    ]);
    fs.writeFileSync(path.join(dir, 'page_view.avsc'), required);
    fs.writeFileSync(path.join(dir, 'api_request.avsc'), eventSchema('ApiRequest'));
    const result = await cli.run(['schemas', 'register', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/weir\.raw\.page_view-value: refused by the registry \(HTTP 409, error 409\): .*session_id/);
    expect(result.stdout).toContain('weir.raw.api_request-value: registered as new version 1');
    expect(result.stdout).toContain('weir.raw.purchase-value: unchanged (already version 1, id 2)');
    expect(result.stdout).toContain('1 registered, 1 unchanged, 1 refused');
    expect(registry.store.state().versionNumbers('weir.raw.page_view-value')).toEqual([1]);
  });

  it('reports the outcome per subject as JSON with --json', async () => {
    const registry = await cli.startRegistry();
    const dir = cli.schemaDir({ 'page_view.avsc': pageView });
    const result = await cli.run(['schemas', 'register', '--json', '--dir', dir, '--registry-url', registry.url]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      registry: registry.url,
      dir,
      ok: true,
      invalid: [],
      results: [{ file: path.join(dir, 'page_view.avsc'), subject: 'weir.raw.page_view-value', outcome: 'registered', version: 1, id: 1 }],
    });
  });

  it("registers the repository's own starter schemas from the default folder", async () => {
    const registry = await cli.startRegistry();
    const repo = path.resolve(import.meta.dirname, '../../../..');
    const result = await cli.run(['schemas', 'register'], { cwd: repo, env: { WEIR_REGISTRY_URL: registry.url } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`schemas from ${path.join('schemas', 'events')} at ${registry.url}`);
    expect(registry.store.state().subjects()).toEqual(
      fs.readdirSync(path.join(repo, 'schemas/events')).map((f) => `weir.raw.${path.basename(f, '.avsc')}-value`).sort(),
    );
  });
});
