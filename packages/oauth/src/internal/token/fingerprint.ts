import { createHash } from 'node:crypto';

/** `sha256:` + the first 12 hex digits of the SHA-256 of `token`: safe to log. */
export function fingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}
