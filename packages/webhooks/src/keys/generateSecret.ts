import { Redacted } from '@portcullis/core';
import { encode } from '../internal/encoding.ts';
import { resolveSecretOptions } from '../internal/options.ts';

/** Options of {@link generateSecret}. */
export interface GenerateSecretOptions {
  /** Random bytes in the secret. Default: 32 (Standard Webhooks asks for 24 to 64). */
  bytes?: number;
  /**
   * How the bytes are written: `'whsec'` (`whsec_` + base64, for Standard Webhooks and Stripe-like
   * schemes), `'base64'` or `'hex'` (for schemes that use the secret's text, such as GitHub).
   * Default: `'whsec'`.
   */
  format?: 'whsec' | 'base64' | 'hex';
}

/**
 * A new random signing secret, boxed in a `Redacted` so it is never printed by accident; call
 * `reveal()` once, to store it or show it to the receiver.
 *
 * @example
 * ```ts
 * import { generateSecret } from '@portcullis/webhooks';
 * const secret = generateSecret(); // Redacted('whsec_…')
 * ```
 */
export function generateSecret(options: GenerateSecretOptions = {}): Redacted<string> {
  const { bytes, format } = resolveSecretOptions(options);
  const random = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  const text = encode(random, format === 'hex' ? 'hex' : 'base64');
  random.fill(0);
  return new Redacted(format === 'whsec' ? `whsec_${text}` : text);
}
