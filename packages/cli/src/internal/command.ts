import { type Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors/CliError.ts';
import type { CliIo } from '../io.ts';
import type { Inputs, SecretFlags } from './inputs.ts';

/** What a command found: its exit code, its `--json` fields, its human-readable lines. */
export interface Report {
  exitCode: number;
  /** The fields of the `--json` object (beside `ok` and `command`). */
  data: Record<string, unknown>;
  /** Lines for a person, printed on stdout without `--json`. */
  text: string[];
  /** For a refusal reported rather than thrown: its stable code and safe message. */
  problem?: { code: string; message: string };
  /** `text` is content the user asked for byte for byte (`sign --http`): not escaped. */
  raw?: boolean;
}

/** What every command gets: the process I/O and the reader of its inputs. */
export interface Context {
  io: CliIo;
  inputs: Inputs;
}

/** A command's work: options (as commander parsed them) and positional arguments in, a report out. */
export type Work<O> = (options: O, context: Context, args: string[]) => Promise<Report>;

/** Turns a {@link Work} into a commander action (provided by `run`, which collects the report). */
export type Act = <O>(command: Command, work: Work<O>) => (...args: unknown[]) => Promise<void>;

/** A successful report. */
export function ok(data: Record<string, unknown>, text: string[]): Report {
  return { exitCode: 0, data, text };
}

/** A refusal (exit 1) with its stable code. */
export function refused(
  code: string,
  message: string,
  data: Record<string, unknown>,
  text: string[],
): Report {
  return { exitCode: 1, data, text, problem: { code, message } };
}

/** Refuses an `http:` URL unless `--allow-insecure-http` was given (the packages would fail later, less clearly). */
export function requireHttps(
  urls: readonly (string | undefined)[],
  allowed: boolean | undefined,
): void {
  if (allowed === true) return;
  for (const url of urls) {
    if (url?.toLowerCase().startsWith('http:')) {
      throw new CliError(
        'ERR_CLI_USAGE',
        'An http: URL needs --allow-insecure-http (local development only).',
      );
    }
  }
}

/** Adds `--json` to a command. */
export function addJson(command: Command): Command {
  return command.option('--json', 'print one JSON object on stdout instead of text');
}

/** Adds `--<prefix>-file`, `--<prefix>-stdin`, `--<prefix>-env` for one secret. */
export function addSecretFlags(command: Command, prefix: string, what: string): Command {
  return command
    .option(`--${prefix}-file <path>`, `read ${what} from a file (one trailing newline is cut)`)
    .option(`--${prefix}-stdin`, `read ${what} from stdin`)
    .option(`--${prefix}-env <name>`, `read ${what} from the environment variable <name>`);
}

const camel = (text: string): string =>
  text.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The {@link SecretFlags} of `prefix` out of commander's parsed options. */
export function secretFlags(options: Record<string, unknown>, prefix: string): SecretFlags {
  const base = camel(prefix);
  const flags: SecretFlags = {};
  const file = options[`${base}File`];
  const env = options[`${base}Env`];
  if (typeof file === 'string') flags.file = file;
  if (typeof env === 'string') flags.env = env;
  if (options[`${base}Stdin`] === true) flags.stdin = true;
  return flags;
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A parser for a non-negative integer option. */
export function integer(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('Not a non-negative integer.');
  return Number(value);
}

/** An option with fixed choices. */
export function choice(flags: string, description: string, choices: readonly string[]): Option {
  return new Option(flags, description).choices(choices);
}
