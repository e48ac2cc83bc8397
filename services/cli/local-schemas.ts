/**
 * The event schemas on disk: `<dir>/<type>.avsc`, each registered under `weir.raw.<type>-value`
 * (Confluent's TopicNameStrategy on the raw topic `weir.raw.<type>`). Reading never stops at the
 * first bad file, so that one run reports every problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAvroSchema } from '../registry/avro-schema.ts';
import { CliError } from './cli-errors.ts';

export const SCHEMA_EXTENSION = '.avsc';
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;

export interface LocalSchema {
  /** The path as shown to the user: relative to the working directory when inside it. */
  readonly file: string;
  readonly type: string;
  readonly subject: string;
  /** The file's text, as it is sent to the registry. */
  readonly schema: string;
}

export interface LocalSchemaProblem {
  readonly file: string;
  readonly problem: string;
}

export interface LocalSchemas {
  readonly dir: string;
  /** Files that parse, in file name order. */
  readonly valid: readonly LocalSchema[];
  /** Files that do not parse or whose name is no event type, in file name order. */
  readonly invalid: readonly LocalSchemaProblem[];
}

export function rawTopicOf(type: string): string {
  return `weir.raw.${type}`;
}

export function subjectOf(type: string): string {
  return `${rawTopicOf(type)}-value`;
}

/**
 * Reads and parses every `*.avsc` in `dir`. Throws USAGE when `dir` is not a readable folder or holds
 * no schema: both mean the command looked in the wrong place.
 */
export function readLocalSchemas(dir: string, cwd: string): LocalSchemas {
  const shown = displayPath(dir, cwd);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new CliError('USAGE', `the schema folder ${shown} ${reason}; pass --dir <path> to point at the folder of .avsc files`, {
      cause: error,
      details: { dir },
    });
  }
  const files = names
    .filter((name) => name.endsWith(SCHEMA_EXTENSION))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true);
  if (files.length === 0) {
    throw new CliError('USAGE', `no ${SCHEMA_EXTENSION} files in ${shown}; pass --dir <path> to point at the folder of event schemas`, {
      details: { dir },
    });
  }
  const valid: LocalSchema[] = [];
  const invalid: LocalSchemaProblem[] = [];
  for (const file of files) {
    const read = readOne(file);
    const display = displayPath(file, cwd);
    if ('problem' in read) invalid.push({ file: display, problem: read.problem });
    else valid.push({ file: display, ...read });
  }
  return { dir: shown, valid, invalid };
}

function readOne(file: string): Omit<LocalSchema, 'file'> | { problem: string } {
  const type = path.basename(file, SCHEMA_EXTENSION);
  if (!EVENT_TYPE_PATTERN.test(type)) {
    return {
      problem:
        `'${type}' is not a valid event type name: it must match ${EVENT_TYPE_PATTERN.source} ` +
        `(lower case letters, digits and _, starting with a letter), because it names the topic ${rawTopicOf('<type>')}; rename the file`,
    };
  }
  let schema: string;
  try {
    schema = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    return { problem: `cannot be read: ${(error as Error).message}` };
  }
  try {
    parseAvroSchema(schema);
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  return { type, subject: subjectOf(type), schema };
}

function displayPath(target: string, cwd: string): string {
  const relative = path.relative(cwd, target);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? target : relative;
}
