/**
 * `weir schemas list`: every subject in the registry with its latest version and id; with
 * `--local`, also the schema files on disk, the subject each registers under, and whether the
 * registry has that subject yet.
 */
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command, type CommandContext } from '../command.ts';
import { isRefusal } from '../../shared/registry/registry-client-error.ts';
import { DIR_OPTION, HELP_ROWS, JSON_OPTION, REGISTRY_URL_OPTION, resolveRegistryUrl, resolveSchemaDir } from '../common-options.ts';
import { readLocalSchemas, type LocalSchemas } from '../local-schemas.ts';
import { textTable } from '../text-table.ts';
import { createRegistryClient, ERROR_CODES, type RegistryClient, type SubjectVersion } from '../../shared/registry/registry-client.ts';

const OPTIONS = { ...HELP_OPTION, ...REGISTRY_URL_OPTION, ...DIR_OPTION, ...JSON_OPTION, local: { type: 'boolean' } } as const;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} [options]`,
    description: [
      'Lists the subjects in the schema registry with their latest version and schema id.',
      'With --local, also lists the local schema files and the subject each one registers under',
      '(<dir>/<type>.avsc -> weir.raw.<type>-value).',
    ],
    options: [
      HELP_ROWS.registryUrl,
      ['--local', 'Also list the local schema files and their subjects'],
      [HELP_ROWS.dir[0], `${HELP_ROWS.dir[1]}; with --local`],
      HELP_ROWS.json,
      HELP_ROWS.help,
    ],
    footer: ['Exit codes: 0 listed, 2 usage error or registry unreachable.'],
  });

export const schemasListCommand: Command = {
  name: 'list',
  summary: 'List the registry\'s subjects with their latest version and id',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    if (values.dir !== undefined && values.local !== true) throw usageError(context, '--dir applies to --local only; add --local to list the files in it');
    const client = createRegistryClient({ baseUrl: resolveRegistryUrl(context, values['registry-url']) });
    const local = values.local === true ? readLocalSchemas(resolveSchemaDir(context, values.dir), context.cwd) : undefined;

    const subjects = (await client.subjects()).sort();
    const latest = (await Promise.all(subjects.map((subject) => latestOrGone(client, subject)))).filter((v) => v !== undefined);
    const registered = new Map(latest.map((v) => [v.subject, v]));

    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(toJson(client.baseUrl, latest, local, registered), null, 2)}\n`);
      return 0;
    }
    const out: string[] = [];
    if (latest.length === 0) out.push(`The registry at ${client.baseUrl} has no subjects.`);
    else {
      out.push(`Subjects in the registry at ${client.baseUrl}:`, '');
      out.push(...textTable(['SUBJECT', 'VERSION', 'ID'], latest.map((v) => [v.subject, String(v.version), String(v.id)])));
    }
    if (local !== undefined) {
      out.push('', `Schema files in ${local.dir}:`, '');
      const rows = local.valid.map((s) => {
        const v = registered.get(s.subject);
        return [s.file, s.subject, v === undefined ? 'not registered' : `version ${v.version}, id ${v.id}`];
      });
      out.push(...textTable(['FILE', 'SUBJECT', 'IN THE REGISTRY'], rows));
      for (const problem of local.invalid) out.push(`${problem.file}: invalid: ${problem.problem}`);
    }
    context.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

/** A subject deleted between the two requests is left out rather than failing the listing. */
async function latestOrGone(client: RegistryClient, subject: string): Promise<SubjectVersion | undefined> {
  try {
    return await client.latest(subject);
  } catch (error) {
    if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND)) return undefined;
    throw error;
  }
}

function toJson(registry: string, latest: readonly SubjectVersion[], local: LocalSchemas | undefined, registered: Map<string, SubjectVersion>) {
  return {
    registry,
    subjects: latest.map(({ subject, version, id }) => ({ subject, version, id })),
    ...(local === undefined
      ? {}
      : {
          local: {
            dir: local.dir,
            files: local.valid.map(({ file, type, subject }) => {
              const v = registered.get(subject);
              return { file, type, subject, registered: v === undefined ? null : { version: v.version, id: v.id } };
            }),
            invalid: local.invalid,
          },
        }),
  };
}
