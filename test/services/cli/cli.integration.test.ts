/**
 * `weir schemas` against the real registry service on Kafka, with the repository's own starter
 * schemas: register, then check and list, then a breaking change that `check` must refuse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../services/cli/main.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { startTestRegistry } from '../../harness/registry.ts';

const SCHEMAS = fileURLToPath(new URL('../../../schemas/events', import.meta.url));

async function weir(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
  const code = await runCli(argv, { env: {}, stdout: sink, stderr: sink, cwd: process.cwd() });
  return { code, out };
}

describe('weir schemas against the registry service', () => {
  it('registers the starter schemas, finds them compatible, lists them, and refuses a breaking change', async () => {
    const { url } = await startTestRegistry();
    const types = fs.readdirSync(SCHEMAS).filter((f) => f.endsWith('.avsc')).map((f) => f.replace(/\.avsc$/, ''));
    expect(types.length).toBeGreaterThanOrEqual(3);

    const register = await weir('schemas', 'register', '--registry-url', url, '--dir', SCHEMAS);
    expect(register.code, register.out).toBe(0);
    for (const type of types) expect(register.out).toMatch(new RegExp(`weir\\.raw\\.${type}-value: registered as new version 1 with id \\d+`));

    const again = await weir('schemas', 'register', '--registry-url', url, '--dir', SCHEMAS);
    expect(again.code).toBe(0);
    for (const type of types) expect(again.out).toMatch(new RegExp(`weir\\.raw\\.${type}-value: unchanged`));
    expect(again.out).not.toContain("registered as new");

    const check = await weir('schemas', 'check', '--registry-url', url, '--dir', SCHEMAS);
    expect(check.code, check.out).toBe(0);

    const list = await weir('schemas', 'list', '--registry-url', url, '--json');
    expect(list.code).toBe(0);
    expect(JSON.stringify(JSON.parse(list.out))).toContain('weir.raw.page_view-value');

    // A required field added without a default breaks BACKWARD compatibility.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-cli-'));
    registerCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const pageView = JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'page_view.avsc'), 'utf8'));
    pageView.fields.push({ name: 'tenant_id', type: 'string', doc: 'added without a default' });
    fs.writeFileSync(path.join(dir, 'page_view.avsc'), JSON.stringify(pageView));
    const broken = await weir('schemas', 'check', '--registry-url', url, '--dir', dir);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('tenant_id');
    const refused = await weir('schemas', 'register', '--registry-url', url, '--dir', dir);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('409');
  });
});
