/**
 * `weir schemas register`: registers every `<dir>/<type>.avsc` under `weir.raw.<type>-value`.
 * Every file is parsed first, and one invalid file stops the command before anything is
 * registered. The registry refusing one schema (409: incompatible) does not stop the others; the
 * command exits 1 once all were tried.
 */
import { isRefusal, RegistryRefusedError } from '../../shared/registry/registry-client-error.ts';
import { formatHelp, HELP_OPTION, parseCommand, type Command, type CommandContext } from '../command.ts';
import { DIR_OPTION, HELP_ROWS, JSON_OPTION, REGISTRY_URL_OPTION, resolveRegistryUrl, resolveSchemaDir } from '../common-options.ts';
import { readLocalSchemas, type LocalSchema, type LocalSchemaProblem } from '../local-schemas.ts';
import { createRegistryClient, ERROR_CODES, type RegistryClient } from '../../shared/registry/registry-client.ts';

const OPTIONS = { ...HELP_OPTION, ...REGISTRY_URL_OPTION, ...DIR_OPTION, ...JSON_OPTION } as const;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} [options]`,
    description: [
      'Registers every <dir>/<type>.avsc with the schema registry, under the subject weir.raw.<type>-value.',
      'All files are parsed first: one invalid file stops the command before anything is registered.',
      'A schema the registry already holds is left unchanged; a changed one becomes a new version if it',
      "passes the subject's compatibility level (BACKWARD unless configured otherwise).",
    ],
    options: [HELP_ROWS.dir, HELP_ROWS.registryUrl, HELP_ROWS.json, HELP_ROWS.help],
    footer: [
      'Exit codes: 0 every schema registered or unchanged, 1 a file is invalid or the registry refused',
      'a schema (e.g. 409 incompatible), 2 usage error or registry unreachable.',
    ],
  });

type Outcome =
  | { readonly outcome: 'registered' | 'unchanged'; readonly version: number; readonly id: number }
  | { readonly outcome: 'refused'; readonly errorCode: number; readonly status: number; readonly message: string };

type Result = { readonly file: string; readonly subject: string } & Outcome;

export const schemasRegisterCommand: Command = {
  name: 'register',
  summary: 'Register every local schema under weir.raw.<type>-value',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const client = createRegistryClient({ baseUrl: resolveRegistryUrl(context, values['registry-url']) });
    const local = readLocalSchemas(resolveSchemaDir(context, values.dir), context.cwd);
    const json = values.json === true;

    if (local.invalid.length > 0) {
      if (json) write(context, { registry: client.baseUrl, dir: local.dir, ok: false, invalid: local.invalid, results: [] });
      else context.stderr.write(invalidReport(local.invalid, local.valid.length + local.invalid.length));
      return 1;
    }

    const results: Result[] = [];
    // One at a time, in file name order: ids are handed out in the same order on every run.
    for (const schema of local.valid) results.push({ file: schema.file, subject: schema.subject, ...(await registerOne(client, schema)) });
    const refused = results.filter((r) => r.outcome === 'refused').length;

    if (json) write(context, { registry: client.baseUrl, dir: local.dir, ok: refused === 0, invalid: [], results });
    else context.stdout.write(report(results, client.baseUrl, local.dir));
    return refused === 0 ? 0 : 1;
  },
};

/** Looks the schema up first, to tell a new version from one already there. */
async function registerOne(client: RegistryClient, schema: LocalSchema): Promise<Outcome> {
  try {
    const found = await lookup(client, schema);
    if (found !== undefined) return { outcome: 'unchanged', version: found.version, id: found.id };
    const { id } = await client.register(schema.subject, schema.schema);
    const registered = await client.lookup(schema.subject, schema.schema);
    return { outcome: 'registered', version: registered.version, id };
  } catch (error) {
    if (!(error instanceof RegistryRefusedError)) throw error;
    return { outcome: 'refused', errorCode: error.errorCode, status: error.status, message: error.message };
  }
}

async function lookup(client: RegistryClient, schema: LocalSchema) {
  try {
    return await client.lookup(schema.subject, schema.schema);
  } catch (error) {
    if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND) || isRefusal(error, ERROR_CODES.SCHEMA_NOT_FOUND)) return undefined;
    throw error;
  }
}

function invalidReport(invalid: readonly LocalSchemaProblem[], total: number): string {
  const lines = invalid.map((p) => `${p.file}: ${p.problem}`);
  lines.push(`Nothing was registered: ${invalid.length} of ${total} schema files are invalid. Fix them and run the command again.`);
  return `${lines.join('\n')}\n`;
}

function report(results: readonly Result[], registry: string, dir: string): string {
  const lines = results.map((r) => {
    switch (r.outcome) {
      case 'registered':
        return `${r.subject}: registered as new version ${r.version} with id ${r.id}`;
      case 'unchanged':
        return `${r.subject}: unchanged (already version ${r.version}, id ${r.id})`;
      case 'refused':
        return `${r.subject}: refused by the registry (HTTP ${r.status}, error ${r.errorCode}): ${r.message}`;
    }
  });
  const count = (outcome: Outcome['outcome']) => results.filter((r) => r.outcome === outcome).length;
  lines.push(
    '',
    `${results.length} schemas from ${dir} at ${registry}: ${count('registered')} registered, ${count('unchanged')} unchanged, ${count('refused')} refused.`,
  );
  return `${lines.join('\n')}\n`;
}

function write(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
