import { parseArgs } from 'node:util';
import { CampaignSpecError } from '../campaign-client/spec';
import { ConfigError } from '../config/parse-env';

/** Exit codes of every command: 0 done, 1 finished with failures or a runtime error, 2 wrong use. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Wrong use of a command (missing argument, bad value): exit 2 after saying what is wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
type Parsed<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O & typeof HELP_OPTION; allowPositionals: true; strict: true }>
>;

export interface Command<O extends OptionsConfig = OptionsConfig> {
  name: string;
  summary: string;
  /** The whole `--help` text: usage, what it does, options, an example. */
  help: string;
  options?: O;
  run(input: { values: Parsed<O>['values']; positionals: string[] }): Promise<number>;
}

/** Declares a command; the identity, so its `run` sees the values of its own options typed. */
export function command<O extends OptionsConfig = Record<never, never>>(spec: Command<O>): Command<O> {
  return spec;
}

/** A command made of subcommands (`campaign start`, `schedule list`): dispatches on the first word. */
export interface CommandGroup {
  name: string;
  summary: string;
  help: string;
  subcommands: AnyCommand[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own options
export type AnyCommand = Command<any> | CommandGroup;

export function group(name: string, summary: string, intro: string, subcommands: AnyCommand[]): CommandGroup {
  const width = Math.max(...subcommands.map((c) => c.name.length));
  const list = subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  const help = `${intro}\n\nSubcommands:\n${list}\n\nEach subcommand takes --help for its options and an example.`;
  return { name, summary, help, subcommands };
}

function usageError(path: string, message: string, help: string): number {
  console.error(`replica-fleet ${path}: ${message}\n\n${help}`);
  return EXIT.usage;
}

/**
 * Runs a command the way every command runs: `--help` prints its help (exit 0, nothing started),
 * an unknown flag or a usage error names the problem and shows the help (exit 2), an invalid spec or
 * environment names each field (exit 2); any other error propagates to `main` (exit 1).
 */
export async function runCommand(cmd: AnyCommand, argv: string[], path = cmd.name): Promise<number> {
  if ('subcommands' in cmd) {
    const [word, ...rest] = argv;
    if (word === '--help' || word === '-h' || word === 'help') {
      console.log(cmd.help);
      return EXIT.ok;
    }
    if (word === undefined) return usageError(path, 'missing subcommand', cmd.help);
    const sub = cmd.subcommands.find((c) => c.name === word);
    if (!sub) return usageError(path, `unknown subcommand "${word}"`, cmd.help);
    return runCommand(sub, rest, `${path} ${sub.name}`);
  }
  let parsed: Parsed<OptionsConfig>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...cmd.options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usageError(path, error instanceof Error ? error.message : String(error), cmd.help);
  }
  if (parsed.values.help) {
    console.log(cmd.help);
    return EXIT.ok;
  }
  try {
    return await cmd.run({ values: parsed.values, positionals: parsed.positionals });
  } catch (error) {
    if (error instanceof UsageError) return usageError(path, error.message, cmd.help);
    if (error instanceof CampaignSpecError || error instanceof ConfigError) {
      console.error(`replica-fleet ${path}: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** The positional argument at `index`, or a usage error naming it. */
export function required(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

/** A whole number within bounds, or a usage error naming the flag and the range. */
export function wholeNumber(value: string | undefined, what: string, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !/^-?\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got "${value ?? ''}"`);
  }
  return n;
}

/** One of a closed set of words, or a usage error naming the flag and the choices. */
export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  what: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}
