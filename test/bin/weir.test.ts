import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/weir.js', import.meta.url));

describe('bin/weir.js', () => {
  it('runs the CLI: --help prints the usage and exits 0', () => {
    const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: weir <command> \[options\]\n/);
    expect(result.stdout).toContain('schemas');
  });

  it("exits with the CLI's code and writes errors to stderr", () => {
    const result = spawnSync(process.execPath, [bin, 'schemas', 'frob'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("weir schemas: Unknown command 'frob'");
  });

  it('on a Node older than 24, says so and how to get the project\'s Node, and exits 2', () => {
    const pretend = 'data:text/javascript,Object.defineProperty(process, "versions", { value: { ...process.versions, node: "22.1.0" } })';
    const result = spawnSync(process.execPath, ['--import', pretend, bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'weir needs Node 24 or newer; this is Node 22.1.0. In the weir checkout, `npx weir ...` and `npm run ...` use ' +
        "the project's own Node 24 (a devDependency, installed by `npm ci`).\n",
    );
  });
});
