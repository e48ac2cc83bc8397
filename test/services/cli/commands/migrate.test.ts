/** `weir migrate` without services: its command-line errors, refused before the registry or ClickHouse is asked, and an unreachable server. */
import { describe, expect, it } from 'vitest';
import { useCliHarness } from '../cli-harness.ts';

describe('weir migrate command line', () => {
  const cli = useCliHarness();

  it.each([
    [['migrate', '--frob'], /Unknown option '--frob'/],
    [['migrate', 'now'], /Unexpected argument 'now'/],
    [['migrate', '--clickhouse-url', ''], /--clickhouse-url needs a URL such as http:\/\/localhost:8123/],
    [['migrate', '--clickhouse-url', 'clickhouse:8123'], /--clickhouse-url "clickhouse:8123" is invalid: expected a URL with scheme http: or https:/],
    [['migrate', '--clickhouse-url', 'http://localhost:8123', '--database', ' '], /--database needs a database name/],
    [['migrate', '--clickhouse-url', 'http://localhost:8123', '--registry-url', 'registry:8081'], /--registry-url "registry:8081" is not an http\(s\) URL/],
    [['migrate', '--dry-run=yes'], /Option '--dry-run' does not take an argument/],
  ])('%j exits 2 with a reason', async (argv, reason) => {
    const { code, stdout, stderr } = await cli.run(argv);
    expect(stderr).toMatch(reason);
    expect(stderr).toContain("Run 'weir migrate --help' for usage.");
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  });

  it('without a server, says that `npm start` migrates its embedded ClickHouse itself', async () => {
    const { code, stderr } = await cli.run(['migrate']);
    expect(stderr).toContain('weir migrate: no ClickHouse server: pass --clickhouse-url <url> or set CLICKHOUSE_URL. `npm start` migrates its embedded ClickHouse itself when it starts.');
    expect(code).toBe(2);
  });

  it('takes the server and database from the environment, and --clickhouse-url wins', async () => {
    const fromEnv = await cli.run(['migrate'], { env: { CLICKHOUSE_URL: 'ftp://clickhouse' } });
    expect(fromEnv.stderr).toMatch(/CLICKHOUSE_URL "ftp:\/\/clickhouse" is invalid/);
    expect(fromEnv.code).toBe(2);
    const emptyDatabase = await cli.run(['migrate', '--clickhouse-url', 'http://localhost:8123'], { env: { WEIR_CLICKHOUSE_DATABASE: '' } });
    expect(emptyDatabase.stderr).toMatch(/WEIR_CLICKHOUSE_DATABASE needs a database name/);
  });

  it('exits 2 when ClickHouse does not answer, saying where and what to do', async () => {
    const dead = await cli.deadUrl();
    const { code, stdout, stderr } = await cli.run(['migrate', '--clickhouse-url', dead]);
    expect(stderr).toContain(`weir: ClickHouse (${dead}) could not be reached`);
    expect(stderr).toContain('Is ClickHouse running? Point at it with --clickhouse-url <url> or CLICKHOUSE_URL.');
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  });

  it('documents itself', async () => {
    const { code, stdout } = await cli.run(['migrate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: weir migrate \[options\]/);
    for (const option of ['--dry-run', '--allow-destructive', '--aggregates <dir>', '--database <name>']) expect(stdout).toContain(option);
    expect(stdout).toContain('Exit codes: 0 the tables are (or would be) in line, 1 a change refused');
  });
});
