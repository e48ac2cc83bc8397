import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../../services/cli/main.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function weir(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
  return { code: await runCli(argv, { env: {}, stdout: sink, stderr: sink, cwd: ROOT }), out };
}

describe('weir pipelines check', () => {
  it("passes the repository's own pipeline definitions", async () => {
    const { code, out } = await weir('pipelines', 'check');
    expect(code, out).toBe(0);
    expect(out).toMatch(/3 pipeline\(s\) valid .*api_request, page_view, purchase/);
  });

  it('exits 1 and names the file and JSON path of every problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-pipelines-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'page_view.json'), JSON.stringify({ source: 'page_view', rules: [{ rule: 'range', field: 'nope', min: 0 }], bogus: 1 }));
    const { code, out } = await weir('pipelines', 'check', '--dir', dir, '--json');
    expect(code).toBe(1);
    const result = JSON.parse(out) as { ok: boolean; problems: string[] };
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/page_view\.json at \/bogus: unknown key/), expect.stringMatching(/page_view\.json at \/rules\/0\/field: .*no field "nope"/)]),
    );
  });

  it('has --help and refuses unknown options', async () => {
    expect((await weir('pipelines', 'check', '--help')).out).toContain('Usage: weir pipelines check [options]');
    expect((await weir('pipelines', 'check', '--frob')).code).toBe(2);
  });
});
