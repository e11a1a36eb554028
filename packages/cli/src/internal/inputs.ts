import { open } from 'node:fs/promises';
import { Redacted } from '@portcullis/core';
import { CliError, usage } from '../errors/CliError.ts';
import type { CliIo } from '../io.ts';

/** Where one secret comes from: exactly one of a file, stdin, or an environment variable. */
export interface SecretFlags {
  file?: string;
  stdin?: boolean;
  env?: string;
}

/** The most bytes a secret may have (a file, stdin): a pepper or a PEM key fits many times over. */
export const MAX_SECRET_BYTES: number = 64 * 1024;
/** The most bytes any other input may have (a body, a raw request). */
export const MAX_INPUT_BYTES: number = 64 * 1024 * 1024;

const tooLarge = (what: string, max: number): CliError =>
  new CliError(
    'ERR_CLI_INPUT_UNREADABLE',
    `The input given to ${what} is larger than ${max} bytes.`,
  );

/** At most `max + 1` bytes of `path`, read in chunks (a device like /dev/zero never ends). */
async function readBounded(path: string, max: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (total <= max) {
      const chunk = new Uint8Array(Math.min(64 * 1024, max + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

/** Upper-case letters, digits and `_`, as environment variables are conventionally named. */
const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** The bytes as UTF-8 text; any other encoding is refused (it would silently become U+FFFD). */
function utf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CliError(
      'ERR_CLI_INPUT_UNREADABLE',
      `The secret given to ${what} is not UTF-8 text.`,
    );
  }
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

  /** All of stdin (at most `max` bytes), for `what` (a flag name); read for one input only. */
  async stdin(what: string, max: number = MAX_INPUT_BYTES): Promise<Uint8Array> {
    if (this.#stdinFor !== undefined) {
      throw new CliError(
        'ERR_CLI_INPUT_UNREADABLE',
        `stdin is already read for ${this.#stdinFor}: give ${what} another way.`,
      );
    }
    this.#stdinFor = what;
    const bytes = await this.#io.readStdin(max);
    if (bytes.length > max) throw tooLarge(what, max);
    return bytes;
  }

  /** The bytes of `path` (`-`: stdin, at most `max` bytes), for the flag `what`. */
  async file(path: string, what: string, max: number = MAX_INPUT_BYTES): Promise<Uint8Array> {
    if (path === '-') return await this.stdin(what, max);
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(path, max);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'EIO';
      throw new CliError(
        'ERR_CLI_INPUT_UNREADABLE',
        `The file given to ${what} could not be read (${code}).`,
      );
    }
    if (bytes.length > max) throw tooLarge(what, max);
    return new Uint8Array(bytes);
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
        // Named only when it looks like a variable's name: a secret given here by mistake
        // (`--secret-env whsec_…`) is not echoed.
        const named = VARIABLE_NAME.test(flags.env) ? ` ${flags.env}` : '';
        throw new CliError(
          'ERR_CLI_SECRET_MISSING',
          `The environment variable${named} (--${prefix}-env) is not set or empty${named === '' ? ' (its name is not shown: was a value given instead of a name?)' : ''}.`,
        );
      }
      value = found;
    } else if (flags.stdin === true) {
      const what = `--${prefix}-stdin`;
      value = chomp(utf8(await this.stdin(what, MAX_SECRET_BYTES), what));
    } else {
      const what = `--${prefix}-file`;
      value = chomp(utf8(await this.file(flags.file as string, what, MAX_SECRET_BYTES), what));
    }
    if (value === '')
      throw new CliError('ERR_CLI_SECRET_MISSING', `${what} (--${prefix}-…) is empty.`);
    this.secrets.push(value);
    return new Redacted(value);
  }
}
