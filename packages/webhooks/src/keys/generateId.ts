import { encode } from '../internal/encoding.ts';

/**
 * A new random message id: `msg_` then 22 base64url characters (128 random bits). Ids never
 * contain `.`, as Standard Webhooks requires.
 *
 * @example
 * ```ts
 * import { generateId } from '@portcullis/webhooks';
 * generateId(); // 'msg_3q2-7wEjRk6U1x0cW9bZ_g'
 * ```
 */
export function generateId(): string {
  return `msg_${encode(globalThis.crypto.getRandomValues(new Uint8Array(16)), 'base64url')}`;
}
