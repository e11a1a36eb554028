import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Clock } from '@portcullis/core';
import { SecretsError } from '../errors/SecretsError.ts';

/** What identifies one written state of a file: inode, size and modification time. */
export function fingerprint(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
}

/** A file system failure as a SecretsError: absent → not found, refused → denied, else transient. */
export function fileError(name: string, error: unknown): SecretsError {
  const code = (error as { code?: unknown })?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new SecretsError('ERR_SECRET_NOT_FOUND', `Secret "${name}" has no file.`, {
      secretName: name,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SecretsError(
      'ERR_SECRET_ACCESS_DENIED',
      `Secret "${name}": its file cannot be read (permissions).`,
      { secretName: name },
    );
  }
  return new SecretsError(
    'ERR_SECRET_PROVIDER_UNAVAILABLE',
    `Secret "${name}": its file could not be read (${typeof code === 'string' ? code : 'error'}).`,
    { secretName: name },
  );
}

const ATTEMPTS = 4;

/**
 * Reads a whole file only in a state no writer is changing: the path's inode, size and mtime
 * are the same before and after the read (a rename swap or an in-place write in progress is seen
 * and the read retried), the file is not empty (a truncate-then-write writer has just started),
 * and a file modified less than `settleMs` ago is read again after `settleMs`.
 */
export async function readStableFile(
  path: string,
  name: string,
  { maxBytes, settleMs, clock }: { maxBytes: number; settleMs: number; clock: Clock },
): Promise<{ bytes: Uint8Array; mtimeMs: number; fingerprint: string }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let before: Stats;
    try {
      before = await stat(path);
    } catch (error) {
      throw fileError(name, error);
    }
    if (!before.isFile()) {
      throw new SecretsError(
        'ERR_SECRET_INVALID',
        `Secret "${name}": its path is not a regular file.`,
        { secretName: name },
      );
    }
    if (before.size > maxBytes) {
      throw new SecretsError(
        'ERR_SECRET_INVALID',
        `Secret "${name}": its file is larger than maxBytes (${maxBytes}).`,
        { secretName: name },
      );
    }
    const sinceWrite = clock.now() - before.mtimeMs;
    if (settleMs > 0 && sinceWrite >= 0 && sinceWrite < settleMs) {
      await clock.sleep(settleMs);
      continue; // written a moment ago: look again once the writer has had time to finish
    }
    if (before.size === 0) break;
    let bytes: Uint8Array;
    let during: Stats;
    try {
      const handle = await open(path, 'r');
      try {
        bytes = new Uint8Array(await handle.readFile());
        during = await handle.stat();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw fileError(name, error);
    }
    const after = await stat(path).catch(() => undefined);
    const seen = fingerprint(before);
    if (
      after !== undefined &&
      fingerprint(during) === seen &&
      fingerprint(after) === seen &&
      bytes.length === before.size
    ) {
      return { bytes, mtimeMs: before.mtimeMs, fingerprint: seen };
    }
  }
  throw new SecretsError(
    'ERR_SECRET_PROVIDER_UNAVAILABLE',
    `Secret "${name}": its file is being written; the last good value stays in use.`,
    { secretName: name },
  );
}
