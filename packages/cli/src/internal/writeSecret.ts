import { writeFile } from 'node:fs/promises';
import { CliError } from '../errors/CliError.ts';

/** Writes a secret to a new file only its owner can read (mode 0600); refuses to overwrite one. */
export async function writeSecretFile(path: string, value: string, what: string): Promise<void> {
  try {
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'EIO';
    throw new CliError(
      'ERR_CLI_INPUT_UNREADABLE',
      `The file given to ${what} could not be written (${code}${code === 'EEXIST' ? ': it exists, and is never overwritten' : ''}).`,
    );
  }
}
