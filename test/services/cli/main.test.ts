import { describe, expect, it } from 'vitest';
import { eventSchema, useCliHarness } from './cli-harness.ts';

describe('weir command line', () => {
  const cli = useCliHarness();

  describe('--help', () => {
    it.each([
      [['--help'], 'Usage: weir <command> [options]', 'schemas    Register, check and list the Avro event schemas'],
      [['-h'], 'Usage: weir <command> [options]', "Run 'weir <command> --help'"],
      [['schemas', '--help'], 'Usage: weir schemas <command> [options]', 'register  Register every local schema under weir.raw.<type>-value'],
      [['schemas', 'list', '--help'], 'Usage: weir schemas list [options]', '--local'],
      [['schemas', 'register', '-h'], 'Usage: weir schemas register [options]', 'one invalid file stops the command before anything is registered'],
      [['schemas', 'check', '--help'], 'Usage: weir schemas check [options]', 'Exit codes: 0 every schema valid and compatible'],
    ])('weir %j prints its usage and exits 0', async (argv, usage, detail) => {
      const result = await cli.run(argv);
      expect(result).toEqual({ code: 0, stdout: expect.stringContaining(usage), stderr: '' });
      expect(result.stdout).toContain(detail);
    });

    it.each(['list', 'register', 'check'])('weir schemas %s --help documents the common options', async (command) => {
      const { stdout } = await cli.run(['schemas', command, '--help']);
      expect(stdout).toContain('--registry-url <url>  Schema registry (default: $WEIR_REGISTRY_URL, else http://localhost:8081)');
      expect(stdout).toMatch(/--dir <path> +Folder of the <type>\.avsc files \(default: schemas\/events\)/);
      expect(stdout).toContain('--json');
    });

    it.each([[[]], [['schemas']]])('weir %j without a command prints its usage to stderr and exits 2', async (argv) => {
      const result = await cli.run(argv);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^Usage: weir/);
    });
  });

  describe('usage errors exit 2, naming the bad argument and pointing to --help', () => {
    it.each([
      [['frob'], "weir: Unknown command 'frob' (commands: schemas, pipelines, dlq, migrate, verify, demo)\nRun 'weir --help' for usage.\n"],
      [['--frob'], "weir: Unknown option '--frob': give a command first (schemas, pipelines, dlq, migrate, verify, demo)\nRun 'weir --help' for usage.\n"],
      [['schemas', 'lst'], "weir schemas: Unknown command 'lst' (commands: list, register, check, codegen)\nRun 'weir schemas --help' for usage.\n"],
      [['schemas', 'check', '--frob'], "weir schemas check: Unknown option '--frob'\nRun 'weir schemas check --help' for usage.\n"],
      [['schemas', 'register', '--json=yes'], "weir schemas register: Option '--json' does not take an argument\nRun 'weir schemas register --help' for usage.\n"],
      [['schemas', 'list', 'extra'], "weir schemas list: Unexpected argument 'extra'. This command does not take positional arguments\nRun 'weir schemas list --help' for usage.\n"],
    ])('weir %j', async (argv, stderr) => {
      expect(await cli.run(argv)).toEqual({ code: 2, stdout: '', stderr });
    });

    it('a missing option value', async () => {
      const result = await cli.run(['schemas', 'check', '--registry-url']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("weir schemas check: Option '--registry-url <value>' argument missing");
    });

    it('a registry URL that is not http(s), naming where it came from', async () => {
      const fromOption = await cli.run(['schemas', 'list', '--registry-url', 'localhost:8081']);
      expect(fromOption.code).toBe(2);
      expect(fromOption.stderr).toContain('--registry-url "localhost:8081" is not an http(s) URL such as http://localhost:8081');
      const fromEnv = await cli.run(['schemas', 'list'], { env: { WEIR_REGISTRY_URL: 'ftp://registry' } });
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.stderr).toContain('WEIR_REGISTRY_URL "ftp://registry" is not an http(s) URL');
    });

    it('a schema folder that does not exist or holds no .avsc file', async () => {
      const registry = await cli.startRegistry();
      const missing = await cli.run(['schemas', 'check', '--dir', 'no/such/dir', '--registry-url', registry.url]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('the schema folder no/such/dir does not exist; pass --dir <path>');
      const empty = cli.schemaDir({ 'notes.txt': 'hi' });
      const none = await cli.run(['schemas', 'register', '--dir', empty, '--registry-url', registry.url]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain(`no .avsc files in ${empty}`);
    });
  });

  describe('the registry URL', () => {
    it('comes from WEIR_REGISTRY_URL, and --registry-url wins over it', async () => {
      const registry = await cli.startRegistry();
      const dead = await cli.deadUrl();
      const fromEnv = await cli.run(['schemas', 'list'], { env: { WEIR_REGISTRY_URL: `${registry.url}/` } });
      expect(fromEnv.stdout).toBe(`The registry at ${registry.url} has no subjects.\n`);
      const overridden = await cli.run(['schemas', 'list', '--registry-url', registry.url], { env: { WEIR_REGISTRY_URL: dead } });
      expect(overridden.code).toBe(0);
    });

    it.each(['list', 'register', 'check'])('weir schemas %s exits 2 when the registry is unreachable, saying where and what to do', async (command) => {
      const dead = await cli.deadUrl();
      const dir = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView') });
      const result = await cli.run(['schemas', command, '--dir', dir, ...(command === 'list' ? ['--local'] : [])], { env: { WEIR_REGISTRY_URL: dead } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`weir: cannot reach the schema registry at ${dead} (connect ECONNREFUSED`);
      expect(result.stderr).toContain('Start weir with `npm start`');
      expect(result.stderr).toContain('--registry-url <url> or WEIR_REGISTRY_URL');
    });

    it('exits 2 when what answers is not a schema registry', async () => {
      const url = await cli.serve((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
      const result = await cli.run(['schemas', 'list', '--registry-url', url]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`weir: ${url} answered GET /subjects with HTTP 404 and a body that is not JSON (<h1>Not Found</h1>); is it a schema registry?`);
    });
  });
});
