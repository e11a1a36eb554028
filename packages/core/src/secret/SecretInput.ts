import type { Redacted } from './Redacted.ts';

/** A secret as configured: text, ideally boxed in a `Redacted` so it cannot be logged by accident. */
export type SecretInput = string | Redacted<string>;

/**
 * A secret given directly, or a function that resolves it each time it is needed (e.g. from a
 * secrets cache during rotation).
 *
 * @example
 * ```ts
 * import { redacted, type SecretSource } from '@portcullis/core';
 * const fixed: SecretSource = redacted('s3cret');
 * const rotating: SecretSource = async () => redacted(process.env.CLIENT_SECRET ?? '');
 * ```
 */
export type SecretSource = SecretInput | (() => SecretInput | Promise<SecretInput>);
