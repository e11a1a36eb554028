import { readFile } from 'node:fs/promises';
import { Redacted } from '@portcullis/core';
import { CliError, usage } from '../errors/CliError.ts';
import type { CliIo } from '../io.ts';

/** Where one secret comes from: exactly one of a file, stdin, or an environment variable. */
export interface SecretFlags {
  file?: string;
  stdin?: boolean;
  env?: string;
}

/** Text with one trailing newline (`\n` or `\r\n`) cut off, as editors and `echo` add one. */
function chomp(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads the inputs of one command: files, stdin (at most once), and secrets. Remembers every
 * secret it read, so the output can be scrubbed of them.
 */
export class Inputs {
  readonly #io: CliIo;
  #stdinFor: string | undefined;
  /** The secret values read so far (never printed; used to scrub output). */
  readonly secrets: string[] = [];

  constructor(io: CliIo) {
    this.#io = io;
  }

  get io(): CliIo {
    return this.#io;
  }

  /** All of stdin, for `what` (a flag name); stdin can be read for one input only. */
  async stdin(what: string): Promise<Uint8Array> {
    if (this.#stdinFor !== undefined) {
      throw new CliError(
        'ERR_CLI_INPUT_UNREADABLE',
        `stdin is already read for ${this.#stdinFor}: give ${what} another way.`,
      );
    }
    this.#stdinFor = what;
    return await this.#io.readStdin();
  }

  /** The bytes of `path` (`-`: stdin), for the flag `what`. */
  async file(path: string, what: string): Promise<Uint8Array> {
    if (path === '-') return await this.stdin(what);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'EIO';
      throw new CliError(
        'ERR_CLI_INPUT_UNREADABLE',
        `The file given to ${what} could not be read (${code}).`,
      );
    }
  }

  /**
   * The secret named by `flags` (`--<prefix>-file`, `--<prefix>-stdin`, `--<prefix>-env`): exactly
   * one source, not empty; one trailing newline is cut off. Boxed, and remembered for scrubbing.
   */
  async secret(flags: SecretFlags, prefix: string, what: string): Promise<Redacted<string>> {
    const given = [flags.file !== undefined, flags.stdin === true, flags.env !== undefined].filter(
      Boolean,
    ).length;
    const names = `--${prefix}-file, --${prefix}-stdin or --${prefix}-env`;
    if (given === 0) {
      throw new CliError(
        'ERR_CLI_SECRET_MISSING',
        `Give ${what} with ${names} (never on the command line).`,
      );
    }
    if (given > 1) throw usage(`Give ${what} one way only: ${names}.`);
    let value: string;
    if (flags.env !== undefined) {
      const found = this.#io.env[flags.env];
      if (found === undefined || found === '') {
        throw new CliError(
          'ERR_CLI_SECRET_MISSING',
          `The environment variable ${flags.env} (--${prefix}-env) is not set or empty.`,
        );
      }
      value = found;
    } else if (flags.stdin === true) {
      value = chomp(Buffer.from(await this.stdin(`--${prefix}-stdin`)).toString('utf8'));
    } else {
      value = chomp(
        Buffer.from(await this.file(flags.file as string, `--${prefix}-file`)).toString('utf8'),
      );
    }
    if (value === '')
      throw new CliError('ERR_CLI_SECRET_MISSING', `${what} (--${prefix}-…) is empty.`);
    this.secrets.push(value);
    return new Redacted(value);
  }
}
