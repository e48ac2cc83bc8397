import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../services/cli/main.ts';
import { tempFolder } from '../../processor/pipeline/pipeline-fixture.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function weir(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
  return { code: await runCli(argv, { env: {}, stdout: sink, stderr: sink, cwd: ROOT }), out };
}

interface CheckJson {
  ok: boolean;
  problems: string[];
  aggregates: { dir: string; exists: boolean; ok: boolean; problems: string[]; types: string[] };
}

describe('weir pipelines check', () => {
  it("passes the repository's own pipeline and aggregate definitions", async () => {
    const { code, out } = await weir('pipelines', 'check');
    expect(code, out).toBe(0);
    expect(out).toMatch(/3 pipeline\(s\) valid .*api_request, page_view, purchase/);
    expect(out).toMatch(/3 aggregate\(s\) valid in .*schemas\/aggregates: api_request, page_view, purchase/);
  });

  it('exits 1 and names the file and JSON path of every problem', async () => {
    const dir = tempFolder({ 'page_view.json': { source: 'page_view', rules: [{ rule: 'range', field: 'nope', min: 0 }], bogus: 1 } });
    const { code, out } = await weir('pipelines', 'check', '--dir', dir, '--json');
    expect(code).toBe(1);
    const result = JSON.parse(out) as CheckJson;
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/page_view\.json at \/bogus: unknown key/), expect.stringMatching(/page_view\.json at \/rules\/0\/field: .*no field "nope"/)]),
    );
    expect(result.aggregates.problems.filter((p) => result.problems.includes(p)), 'each pipeline problem is listed once').toEqual([]);
    expect(result.aggregates.problems).toEqual(expect.arrayContaining([expect.stringMatching(/page_view\.json: no clean schema for page_view: the pipeline definitions .* are invalid/)]));
  });

  it('exits 1 on a broken aggregate definition, naming its file and JSON Pointer', async () => {
    const broken = { source: 'purchase', dimensions: ['currency'], measures: [{ kind: 'count', name: 'orders' }], windows: [{ kind: 'tumbling', sizeMs: 60_000 }], graceMs: -5 };
    const aggregates = tempFolder({ 'purchase.json': broken });
    const file = path.join(aggregates, 'purchase.json');

    const text = await weir('pipelines', 'check', '--aggregates', aggregates);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/3 pipeline\(s\) valid/);
    expect(text.out).toContain(`  ${file} at /graceMs: must be at least 0`);
    expect(text.out).toContain(`1 problem(s): 1 in ${aggregates}`);

    const json = await weir('pipelines', 'check', '--aggregates', aggregates, '--json');
    expect(json.code).toBe(1);
    const result = JSON.parse(json.out) as CheckJson;
    expect(result).toMatchObject({ ok: false, problems: [], aggregates: { dir: aggregates, exists: true, ok: false, types: [] } });
    expect(result.aggregates.problems).toEqual([`${file} at /graceMs: must be at least 0 and at most 86400000, got -5`]);
  });

  it('says so, and does not fail, when the aggregates folder does not exist', async () => {
    const missing = path.join(tempFolder({}), 'aggregates');
    const text = await weir('pipelines', 'check', '--aggregates', missing);
    expect(text.code, text.out).toBe(0);
    expect(text.out).toContain(`no aggregate definitions checked: ${missing} does not exist`);

    const result = JSON.parse((await weir('pipelines', 'check', '--aggregates', missing, '--json')).out) as CheckJson;
    expect(result).toMatchObject({ ok: true, aggregates: { dir: missing, exists: false, ok: true, problems: [], types: [] } });
  });

  it('has --help and refuses unknown options', async () => {
    const help = (await weir('pipelines', 'check', '--help')).out;
    expect(help).toContain('Usage: weir pipelines check [options]');
    expect(help).toContain('--aggregates <path>');
    expect((await weir('pipelines', 'check', '--frob')).code).toBe(2);
    expect((await weir('pipelines', 'check', '--aggregates', ' ')).code).toBe(2);
  });
});
