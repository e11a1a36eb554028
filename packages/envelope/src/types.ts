/**
 * What a ciphertext belongs to and is for: tenant, record type, row id, purpose. Bound to every
 * envelope as authenticated data (and, for the keys named by `keyContext`, as the KMS encryption
 * context): opening with any other context fails with `ERR_ENVELOPE_CONTEXT_MISMATCH`.
 */
export type EnvelopeContext = Readonly<Record<string, string>>;

/** Options every KEK call takes. */
export interface KekCallOptions {
  /** Aborts the call (the envelope passes its bounded-call signal here). */
  signal: AbortSignal;
}

/** A fresh data key: its plaintext (kept in memory only) and its wrapped form, stored beside the data. */
export interface GeneratedDataKey {
  /** The id of the key-encryption key that wrapped it, as the KMS names it (stored in the envelope). */
  keyId: string;
  /** The 32-byte AES-256 key. */
  plaintext: Uint8Array;
  /** The data key wrapped by the KEK. */
  wrapped: Uint8Array;
}

/**
 * A key-encryption key: wraps and unwraps data keys. Implemented by `KeyringKek` (local keys from
 * `@portcullis/secrets`), `AwsKmsKek` (`@portcullis/envelope/aws`) and `AzureKeyVaultKek`
 * (`@portcullis/envelope/azure`); the envelope adds caching, bounds and error mapping.
 *
 * A KEK throws an `EnvelopeError`: `ERR_ENVELOPE_WRONG_KEY` or `ERR_ENVELOPE_CONTEXT_MISMATCH`
 * when it refuses, `ERR_ENVELOPE_KEK_UNAVAILABLE` when it could not be reached (transient: the
 * envelope rides it on cached keys). Any other error it throws is treated as unavailable.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { createEnvelope, type Kek, KeyringKek } from '@portcullis/envelope';
 * // A KEK that counts the calls of another (for a metric, or a test).
 * const inner = new KeyringKek({ keys: [{ id: 'k1', key: randomBytes(32) }] });
 * let calls = 0;
 * const counted: Kek = {
 *   kind: 'counted-keyring',
 *   generateDataKey(context) {
 *     calls++;
 *     return inner.generateDataKey(context);
 *   },
 *   wrap: (key, context) => inner.wrap(key, context),
 *   unwrap: (id, wrapped, context) => inner.unwrap(id, wrapped, context),
 * };
 * const envelope = createEnvelope({ kek: counted });
 * ```
 */
export interface Kek {
  /** A short name for telemetry and messages: `'keyring'`, `'aws-kms'`, `'azure-key-vault'`. */
  readonly kind: string;
  /** Makes a fresh 32-byte data key wrapped by the newest key, bound to `keyContext`. */
  generateDataKey(keyContext: EnvelopeContext, options: KekCallOptions): Promise<GeneratedDataKey>;
  /** Wraps an existing data key with the newest key (rotation: rewrap without touching payloads). */
  wrap(
    dataKey: Uint8Array,
    keyContext: EnvelopeContext,
    options: KekCallOptions,
  ): Promise<{ keyId: string; wrapped: Uint8Array }>;
  /** Unwraps a data key wrapped by the key `keyId`, bound to `keyContext`. */
  unwrap(
    keyId: string,
    wrapped: Uint8Array,
    keyContext: EnvelopeContext,
    options: KekCallOptions,
  ): Promise<Uint8Array>;
}

/**
 * The integration contract `@portcullis/webhook-sender` (and any store or queue) relies on: seal a
 * payload bound to a context, open it with the same context. An `Envelope` satisfies it.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { createEnvelope, KeyringKek, type PayloadCipher } from '@portcullis/envelope';
 * const cipher: PayloadCipher = createEnvelope({ kek: new KeyringKek({ keys: [{ id: 'k1', key: randomBytes(32) }] }) });
 * const context = { purpose: 'webhook-outbox', messageId: 'msg_1', eventType: 'invoice.paid' };
 * const sealed = await cipher.seal(new TextEncoder().encode('{}'), context); // store in a bytea column
 * await cipher.open(sealed, context);
 * ```
 */
export interface PayloadCipher {
  /** Encrypts `plaintext` bound to `context`; the result is what to store. */
  seal(plaintext: Uint8Array, context: EnvelopeContext): Promise<Uint8Array>;
  /** Decrypts what `seal` returned, under the same `context`, or throws a typed error. */
  open(sealed: Uint8Array, context: EnvelopeContext): Promise<Uint8Array>;
}

/** What {@link Envelope.describe} reads from an envelope's header, without any key. */
export interface EnvelopeHeader {
  /** Format version (1). */
  version: number;
  /** The KEK id that wrapped the data key (a subject key id when `subjectKey` is true). */
  keyId: string;
  /** Whether the data key is wrapped by a data subject's key (crypto-shredding). */
  subjectKey: boolean;
  /** Bytes of payload ciphertext (without the tag). */
  payloadBytes: number;
}

/**
 * The envelope `createEnvelope` returns: seal and open payloads, rewrap for rotation, shred a data
 * subject.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { createEnvelope, type Envelope, KeyringKek } from '@portcullis/envelope';
 * const envelope: Envelope = createEnvelope({ kek: new KeyringKek({ keys: [{ id: 'k1', key: randomBytes(32) }] }) });
 * const sealed = await envelope.seal(new Uint8Array([1, 2, 3]), { tenant: 'acme', id: '7' });
 * envelope.describe(sealed).keyId; // 'k1'
 * ```
 */
export interface Envelope extends PayloadCipher {
  /**
   * Encrypts `plaintext` into a binary envelope bound to `context`: a data key from the current
   * reuse window (or a fresh one), AES-256-GCM, the wrapped key and the KEK id in the header.
   * With `subjects` configured, `context.subject` selects the subject's key.
   */
  seal(plaintext: Uint8Array, context: EnvelopeContext): Promise<Uint8Array>;
  /** Decrypts an envelope made by {@link seal}; `context` must be the one it was sealed with. */
  open(sealed: Uint8Array, context: EnvelopeContext): Promise<Uint8Array>;
  /** {@link seal} for text columns: a string or bytes in, the envelope as base64url text out. */
  encrypt(plaintext: string | Uint8Array, context: EnvelopeContext): Promise<string>;
  /** Opens what {@link encrypt} wrote, as bytes. */
  decrypt(envelope: string, context: EnvelopeContext): Promise<Uint8Array>;
  /** Opens what {@link encrypt} wrote, as UTF-8 text. */
  decryptText(envelope: string, context: EnvelopeContext): Promise<string>;
  /**
   * Rewraps the data key of `sealed` with the newest KEK, leaving IV, ciphertext and tag as they
   * are (the payload is never decrypted). A subject-keyed envelope is returned unchanged (rotate
   * its subject key with {@link rewrapSubjectKey}).
   */
  rewrap(sealed: Uint8Array, context: EnvelopeContext): Promise<Uint8Array>;
  /** Rewraps a data subject's stored key with the newest KEK. */
  rewrapSubjectKey(subject: string): Promise<void>;
  /**
   * Crypto-shredding: deletes `subject`'s key (leaving a tombstone) and drops every cached copy in
   * this process. Every envelope sealed for the subject then fails with `ERR_ENVELOPE_SHREDDED`,
   * and new seals for the subject are refused the same way.
   */
  shred(subject: string): Promise<void>;
  /** The header of an envelope (format version, KEK id), read without any key. */
  describe(sealed: Uint8Array): EnvelopeHeader;
}
