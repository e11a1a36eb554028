import { createHash } from 'node:crypto';

/** What AWS accepts as a `ClientRequestToken` (it becomes the version id): 32 to 64 characters. */
const ACCEPTED = /^[A-Za-z0-9-]{32,64}$/;

/**
 * The `ClientRequestToken` sent to `PutSecretValue` for a rotation token. AWS requires 32 to 64
 * characters and uses the token as the new version's id; a token that already fits is sent as it
 * is, any other is replaced by the SHA-256 (hex, 64 characters) of `portcullis:<token>`. The
 * mapping is deterministic, so repeating a write with the same token stays idempotent.
 *
 * @example
 * ```ts
 * import { awsClientRequestToken } from '@portcullis/secrets-aws';
 * awsClientRequestToken('6f1c0b2e-5d3a-4c8e-9b7f-2a1d3e4f5a6b'); // unchanged (36 characters)
 * awsClientRequestToken('rotation-7').length; // 64
 * ```
 */
export function awsClientRequestToken(token: string): string {
  if (ACCEPTED.test(token)) return token;
  return createHash('sha256').update(`portcullis:${token}`).digest('hex');
}
