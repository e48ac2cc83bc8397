/**
 * The shape of a CLI command and what every command shares: strict option parsing, `--help`
 * text, and groups (`weir`, `weir schemas`) that dispatch to their subcommands. A command writes to
 * the injected streams only and returns its exit code; it throws CliError for what ends it early.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { CliError } from './cli-errors.ts';

export interface Output {
  write(text: string): unknown;
}

export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Relative paths (`--dir`) resolve against it. */
  readonly cwd: string;
}

export interface CommandContext extends CliContext {
  /** How the user called this command, e.g. `weir schemas list`: for help and error messages. */
  readonly path: string;
}

export interface Command {
  readonly name: string;
  /** One line, shown in the parent's help. */
  readonly summary: string;
  run(argv: readonly string[], context: CommandContext): Promise<number>;
}

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>['values'];

/** Parses `argv` strictly against `options`; an unknown option, a missing value or a stray argument is a USAGE error. */
export function parseCommand<const O extends ParseArgsOptionsConfig>(context: CommandContext, argv: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    throw usageError(context, (error as Error).message, error);
  }
}

/** A USAGE error that main.ts prints with a pointer to this command's --help. */
export function usageError(context: CommandContext, message: string, cause?: unknown): CliError {
  return new CliError('USAGE', message, { cause, details: { command: context.path } });
}

export interface HelpSpec {
  /** After `Usage: `. */
  readonly usage: string;
  readonly description: readonly string[];
  readonly commands?: readonly Command[];
  /** [flags, explanation] rows. */
  readonly options?: readonly (readonly [string, string])[];
  readonly footer?: readonly string[];
}

export function formatHelp(spec: HelpSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', ...spec.description];
  const table = (title: string, rows: readonly (readonly [string, string])[]) => {
    const width = Math.max(...rows.map(([left]) => left.length));
    lines.push('', `${title}:`, ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`));
  };
  if (spec.commands !== undefined) table('Commands', spec.commands.map((c) => [c.name, c.summary] as const));
  if (spec.options !== undefined) table('Options', spec.options);
  if (spec.footer !== undefined) lines.push('', ...spec.footer);
  return `${lines.join('\n')}\n`;
}

export interface CommandGroupSpec {
  readonly name: string;
  readonly summary: string;
  readonly description: readonly string[];
  readonly commands: readonly Command[];
}

/**
 * A command whose first argument picks a subcommand. Without one it prints its help to stderr and
 * exits 2; with `--help` it prints it to stdout and exits 0.
 */
export function createCommandGroup(spec: CommandGroupSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    async run(argv, context) {
      const help = formatHelp({
        usage: `${context.path} <command> [options]`,
        description: spec.description,
        commands: spec.commands,
        options: [['-h, --help', 'Show this help']],
        footer: [`Run '${context.path} <command> --help' for the options of a command.`],
      });
      const [first, ...rest] = argv;
      if (first === undefined) {
        context.stderr.write(help);
        return 2;
      }
      if (first === '--help' || first === '-h') {
        context.stdout.write(help);
        return 0;
      }
      const names = spec.commands.map((c) => c.name).join(', ');
      if (first.startsWith('-')) throw usageError(context, `Unknown option '${first}': give a command first (${names})`);
      const command = spec.commands.find((c) => c.name === first);
      if (command === undefined) throw usageError(context, `Unknown command '${first}' (commands: ${names})`);
      return command.run(rest, { ...context, path: `${context.path} ${command.name}` });
    },
  };
}
