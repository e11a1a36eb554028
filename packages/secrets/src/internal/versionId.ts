import { createHmac, randomBytes } from 'node:crypto';

// A key made once per process: a version id derived from a value identifies the value within
// this process without being a hash anyone could test guesses against offline.
const KEY = randomBytes(32);

/** A version id for providers that have none of their own (env, files): a keyed digest. */
export function contentVersionId(value: string | Uint8Array): string {
  return createHmac('sha256', KEY).update(value).digest('base64url').slice(0, 22);
}
