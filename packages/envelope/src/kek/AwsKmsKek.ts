import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { invalidArgument, refuseUnknownKeys } from '@portcullis/core';
import { EnvelopeError, safeCause } from '../errors/EnvelopeError.ts';
import type { EnvelopeContext, GeneratedDataKey, Kek, KekCallOptions } from '../types.ts';

/** Options of {@link AwsKmsKek}. */
export interface AwsKmsKekOptions {
  /** A `KMSClient` of `@aws-sdk/client-kms` (region, credentials, endpoint are yours). Required. */
  client: KMSClient;
  /**
   * The KMS key that wraps new data keys: a key id, key ARN, alias name or alias ARN. Envelopes
   * store the key ARN KMS answers with, so decrypting keeps working after you point this at a
   * new key. Required.
   */
  keyId: string;
}

// Refusals: the key or its use is not allowed. Everything else (throttling, 5xx, network, a
// gateway's HTML, KeyUnavailableException) is transient and ridden on cached keys.
const REFUSED = new Set([
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'AccessDeniedException',
  'InvalidKeyUsageException',
  'IncorrectKeyException',
  'InvalidGrantTokenException',
  'UnsupportedOperationException',
]);

function mapError(error: unknown, keyId: string | undefined): EnvelopeError {
  const name =
    typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name) : '';
  const cause = safeCause(error);
  if (name === 'InvalidCiphertextException')
    return new EnvelopeError(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
      'AWS KMS refused to unwrap the data key: the encryption context differs from the one it was sealed with, or the wrapped key was altered.',
      { cause, keyId },
    );
  if (REFUSED.has(name))
    return new EnvelopeError('ERR_ENVELOPE_WRONG_KEY', `AWS KMS refused the key (${name}).`, {
      cause,
      keyId,
    });
  return new EnvelopeError(
    'ERR_ENVELOPE_KEK_UNAVAILABLE',
    'AWS KMS could not be reached or failed.',
    { cause, keyId },
  );
}

function bytes(value: Uint8Array | undefined, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0)
    throw new EnvelopeError('ERR_ENVELOPE_KEK_UNAVAILABLE', `AWS KMS answered without ${what}.`);
  return value;
}

/**
 * A key-encryption key in AWS KMS: `GenerateDataKey` (AES_256) makes data keys, `Decrypt` unwraps
 * them, `Encrypt` rewraps one for rotation, each with the key context as the KMS encryption
 * context (so a KMS key policy can require it, and CloudTrail records it). The SDK is a peer
 * dependency, loaded only by this entry point (`@portcullis/envelope/aws`).
 *
 * Retire an old key by disabling it (or scheduling its deletion) in KMS after every envelope was
 * rewrapped: its envelopes then fail with `ERR_ENVELOPE_WRONG_KEY`.
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { createEnvelope } from '@portcullis/envelope';
 * import { AwsKmsKek } from '@portcullis/envelope/aws';
 * const envelope = createEnvelope({
 *   kek: new AwsKmsKek({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/outbox' }),
 * });
 * ```
 */
export class AwsKmsKek implements Kek {
  readonly kind: string = 'aws-kms';
  readonly #client: KMSClient;
  readonly #keyId: string;

  constructor(options: AwsKmsKekOptions) {
    if (typeof options !== 'object' || options === null)
      throw invalidArgument('options', 'an object');
    refuseUnknownKeys(options, ['client', 'keyId'], 'options');
    if (typeof (options.client as { send?: unknown } | undefined)?.send !== 'function')
      throw invalidArgument('options.client', 'a KMSClient');
    if (typeof options.keyId !== 'string' || options.keyId.length === 0)
      throw invalidArgument('options.keyId', 'a non-empty string');
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  async generateDataKey(
    keyContext: EnvelopeContext,
    { signal }: KekCallOptions,
  ): Promise<GeneratedDataKey> {
    try {
      const out = await this.#client.send(
        new GenerateDataKeyCommand({
          KeyId: this.#keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { ...keyContext },
        }),
        { abortSignal: signal },
      );
      return {
        keyId: out.KeyId ?? this.#keyId,
        plaintext: bytes(out.Plaintext, 'a data key'),
        wrapped: bytes(out.CiphertextBlob, 'a wrapped data key'),
      };
    } catch (error) {
      throw error instanceof EnvelopeError ? error : mapError(error, this.#keyId);
    }
  }

  async wrap(
    dataKey: Uint8Array,
    keyContext: EnvelopeContext,
    { signal }: KekCallOptions,
  ): Promise<{ keyId: string; wrapped: Uint8Array }> {
    try {
      const out = await this.#client.send(
        new EncryptCommand({
          KeyId: this.#keyId,
          Plaintext: dataKey,
          EncryptionContext: { ...keyContext },
        }),
        { abortSignal: signal },
      );
      return {
        keyId: out.KeyId ?? this.#keyId,
        wrapped: bytes(out.CiphertextBlob, 'a wrapped data key'),
      };
    } catch (error) {
      throw error instanceof EnvelopeError ? error : mapError(error, this.#keyId);
    }
  }

  async unwrap(
    keyId: string,
    wrapped: Uint8Array,
    keyContext: EnvelopeContext,
    { signal }: KekCallOptions,
  ): Promise<Uint8Array> {
    try {
      const out = await this.#client.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: wrapped,
          EncryptionContext: { ...keyContext },
        }),
        { abortSignal: signal },
      );
      return bytes(out.Plaintext, 'a data key');
    } catch (error) {
      throw error instanceof EnvelopeError ? error : mapError(error, keyId);
    }
  }
}
