// The public types that describe what the signer, the verifier and explain() take. Declared here,
// outside `internal/`, so a user's editor shows them where they are documented.
import type { SecretInput } from '@portcullis/core';

export type { SecretInput } from '@portcullis/core';

/** The raw request body: the exact bytes received (a `Buffer` is a `Uint8Array`), or their text. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/**
 * Request headers as the verifier accepts them: a Fetch API `Headers` (or anything with
 * `get(name)`), or a plain record such as Node's `IncomingMessage.headers`. Names are matched
 * case-insensitively.
 */
export type HeadersInput =
  | {
      /** A header's value, or `null` when absent (as Fetch API `Headers.get`). */
      get(name: string): string | null;
    }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Which crypto implementation to use: `'node'` (`node:crypto`, the fast path), `'webcrypto'`
 * (`crypto.subtle`, for edge runtimes) or `'auto'` (node where available, else Web Crypto).
 */
export type CryptoChoice = 'auto' | 'node' | 'webcrypto';

/** HMAC hash functions a scheme may use. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** The encodings signatures and secrets are written in. */
export type Encoding = 'hex' | 'base64' | 'base64url';

/** A secret with a name of your choosing, reported back as `matchedSecret.label`. */
export interface LabelledSecret {
  /** A name safe to log, e.g. `'2026-03'` or `'previous'`. Never the secret. */
  label: string;
  /** The secret: text, or a `Redacted` box. */
  secret: SecretInput;
}

/** One configured secret, with or without a label. */
export type SecretEntry = SecretInput | LabelledSecret;

/**
 * Resolves the live secrets at verification time (e.g. from a secrets cache during rotation).
 * Called once per message; return the current secret first.
 */
export type SecretResolver = () =>
  | SecretEntry
  | readonly SecretEntry[]
  | Promise<SecretEntry | readonly SecretEntry[]>;

/** Secrets for a signer or verifier: one, a list (current first, then previous), or a resolver. */
export type SecretsOption = SecretEntry | readonly SecretEntry[] | SecretResolver;

/** Which configured secret verified a message: its position, and its label when it has one. */
export interface MatchedSecret {
  /** Position in the configured (or resolved) list, from 0. */
  index: number;
  /** The label given with the secret, if any. */
  label?: string;
}
