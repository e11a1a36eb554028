import {
  DecryptCommand,
  DescribeKeyCommand,
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
  /**
   * The key ARNs of retired keys whose envelopes this KEK still unwraps (until every envelope is
   * rewrapped). An envelope naming any other key than these and `keyId` is refused with
   * `ERR_ENVELOPE_WRONG_KEY` before KMS is asked: the key id stored in an envelope is not trusted,
   * so a row naming a key of another account (whose data key its author knows) cannot pass for
   * ours. Default: none.
   */
  previousKeyIds?: readonly string[];
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9A-Za-z-]+$/;

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
 * Unwraps only with its own key and `previousKeyIds`: the key id an envelope names is attacker
 * data. Rotate by pointing `keyId` at the new key and listing the old key's ARN in
 * `previousKeyIds` until every envelope is rewrapped; then drop it (and disable it in KMS): its
 * envelopes then fail with `ERR_ENVELOPE_WRONG_KEY`.
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
  /** Key ARNs this KEK unwraps with: `keyId` (resolved), what KMS answered with, `previousKeyIds`. */
  readonly #allowed = new Set<string>();
  #resolved: Promise<void> | undefined;

  constructor(options: AwsKmsKekOptions) {
    if (typeof options !== 'object' || options === null)
      throw invalidArgument('options', 'an object');
    refuseUnknownKeys(options, ['client', 'keyId', 'previousKeyIds'], 'options');
    if (typeof (options.client as { send?: unknown } | undefined)?.send !== 'function')
      throw invalidArgument('options.client', 'a KMSClient');
    if (typeof options.keyId !== 'string' || options.keyId.length === 0)
      throw invalidArgument('options.keyId', 'a non-empty string');
    const previous = options.previousKeyIds ?? [];
    if (!Array.isArray(previous) || previous.some((k) => typeof k !== 'string' || !KEY_ARN.test(k)))
      throw invalidArgument('options.previousKeyIds', 'an array of KMS key ARNs');
    this.#client = options.client;
    this.#keyId = options.keyId;
    for (const k of [options.keyId, ...previous]) this.#allowed.add(k);
    if (KEY_ARN.test(options.keyId)) this.#resolved = Promise.resolve();
  }

  /** Records the key ARN KMS answered for our own key. */
  #learn(keyId: string | undefined): string {
    if (keyId !== undefined) this.#allowed.add(keyId);
    return keyId ?? this.#keyId;
  }

  /** Whether an envelope's key id is one of ours (resolving an alias with DescribeKey, once). */
  async #mayUnwrap(keyId: string, signal: AbortSignal): Promise<boolean> {
    if (this.#allowed.has(keyId)) return true;
    if (this.#resolved === undefined) {
      const resolving = this.#client
        .send(new DescribeKeyCommand({ KeyId: this.#keyId }), { abortSignal: signal })
        .then((out) => {
          this.#learn(out.KeyMetadata?.Arn);
        });
      this.#resolved = resolving;
      resolving.catch(() => {
        if (this.#resolved === resolving) this.#resolved = undefined;
      });
    }
    await this.#resolved;
    return this.#allowed.has(keyId);
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
        keyId: this.#learn(out.KeyId),
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
        keyId: this.#learn(out.KeyId),
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
      if (!(await this.#mayUnwrap(keyId, signal)))
        throw new EnvelopeError(
          'ERR_ENVELOPE_WRONG_KEY',
          "The envelope names a KMS key that is neither this KEK's key nor one of its previousKeyIds.",
          { keyId },
        );
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
