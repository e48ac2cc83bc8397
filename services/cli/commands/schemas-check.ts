/**
 * `weir schemas check`, for CI: every local schema must parse, and must be compatible with the
 * latest version registered under its subject, at the subject's compatibility level. A subject
 * the registry does not have yet is a new event type, and compatible. Nothing is written.
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
      'Checks every <dir>/<type>.avsc, for CI: it must be a valid Avro schema, and compatible with the',
      "latest version registered under weir.raw.<type>-value, at that subject's compatibility level",
      '(BACKWARD unless configured otherwise). A subject not registered yet is a new event type and',
      'passes. Every problem is printed, naming the field and the rule. Nothing is registered.',
    ],
    options: [HELP_ROWS.dir, HELP_ROWS.registryUrl, HELP_ROWS.json, HELP_ROWS.help],
    footer: [
      'Exit codes: 0 every schema valid and compatible, 1 a file is invalid or incompatible,',
      '2 usage error or registry unreachable.',
    ],
  });

type Verdict =
  | { readonly status: 'compatible' | 'new' }
  | { readonly status: 'incompatible'; readonly messages: readonly string[] }
  | { readonly status: 'refused'; readonly errorCode: number; readonly message: string };

type Result = { readonly file: string; readonly subject: string } & Verdict;

export const schemasCheckCommand: Command = {
  name: 'check',
  summary: 'Check every local schema is valid and compatible with the registry (for CI)',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const client = createRegistryClient({ baseUrl: resolveRegistryUrl(context, values['registry-url']) });
    const local = readLocalSchemas(resolveSchemaDir(context, values.dir), context.cwd);
    const json = values.json === true;
    // Local problems first: they are worth knowing even when the registry cannot be reached.
    if (!json && local.invalid.length > 0) context.stdout.write(invalidLines(local.invalid));

    const known = local.valid.length === 0 ? new Set<string>() : new Set(await client.subjects());
    const results: Result[] = [];
    for (const schema of local.valid) {
      results.push({ file: schema.file, subject: schema.subject, ...(await checkOne(client, schema, known)) });
    }
    const ok = local.invalid.length === 0 && results.every((r) => r.status === 'compatible' || r.status === 'new');

    if (json) {
      const document = { registry: client.baseUrl, dir: local.dir, ok, invalid: local.invalid, results };
      context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      context.stdout.write(report(results, local.invalid.length, client.baseUrl, local.dir));
    }
    return ok ? 0 : 1;
  },
};

async function checkOne(client: RegistryClient, schema: LocalSchema, known: ReadonlySet<string>): Promise<Verdict> {
  if (!known.has(schema.subject)) return { status: 'new' };
  try {
    const answer = await client.checkCompatibility(schema.subject, schema.schema);
    return answer.compatible ? { status: 'compatible' } : { status: 'incompatible', messages: answer.messages };
  } catch (error) {
    // Deleted since the listing (Confluent also answers 40401 for a subject it does not have).
    if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND)) return { status: 'new' };
    if (error instanceof RegistryRefusedError) return { status: 'refused', errorCode: error.errorCode, message: error.message };
    throw error;
  }
}

function invalidLines(invalid: readonly LocalSchemaProblem[]): string {
  return invalid.map((p) => `${p.file}: invalid: ${p.problem}\n`).join('');
}

function report(results: readonly Result[], invalid: number, registry: string, dir: string): string {
  const lines: string[] = [];
  for (const r of results) {
    switch (r.status) {
      case 'compatible':
        lines.push(`${r.subject}: compatible with the latest registered version`);
        break;
      case 'new':
        lines.push(`${r.subject}: not registered yet, a new event type (compatible)`);
        break;
      case 'incompatible':
        lines.push(`${r.subject}: INCOMPATIBLE with the latest registered version (${r.file}):`);
        if (r.messages.length === 0) lines.push('  (the registry gave no reason)');
        lines.push(...r.messages.map((m) => `  - ${m}`));
        break;
      case 'refused':
        lines.push(`${r.subject}: the registry refused to check it (error ${r.errorCode}): ${r.message}`);
        break;
    }
  }
  const count = (status: Verdict['status']) => results.filter((r) => r.status === status).length;
  const failed = invalid + count('incompatible') + count('refused');
  lines.push(
    '',
    `${results.length + invalid} schemas in ${dir} checked against ${registry}: ` +
      `${count('compatible')} compatible, ${count('new')} new, ${count('incompatible')} incompatible, ${invalid} invalid` +
      `${count('refused') > 0 ? `, ${count('refused')} refused` : ''}.` +
      (failed > 0 ? ' Check failed.' : ''),
  );
  return `${lines.join('\n')}\n`;
}
