import { randomBytes } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { CryptographyClient, type CryptographyClientOptions } from '@azure/keyvault-keys';
import { invalidArgument, refuseUnknownKeys } from '@portcullis/core';
import { EnvelopeError, safeCause } from '../errors/EnvelopeError.ts';
import type { GeneratedDataKey, Kek, KekCallOptions } from '../types.ts';

/** Options of {@link AzureKeyVaultKek}. */
export interface AzureKeyVaultKekOptions {
  /**
   * The versioned id of the RSA key that wraps new data keys
   * (`https://<vault>.vault.azure.net/keys/<name>/<version>`). Envelopes store it; point this at
   * a new version to rotate, and old envelopes keep unwrapping with theirs. Required.
   */
  keyId: string;
  /** An `@azure/identity` credential (or any `TokenCredential`). Required. */
  credential: TokenCredential;
  /** Options for each `CryptographyClient` (retries, TLS, proxy). Default: none. */
  clientOptions?: CryptographyClientOptions;
  /** The wrap algorithm. Default: `'RSA-OAEP-256'`. */
  algorithm?: 'RSA-OAEP-256' | 'RSA-OAEP';
  /**
   * Versioned ids of keys other than `keyId`'s key (another vault or key name) whose envelopes
   * this KEK still unwraps. Every version of `keyId`'s own key (same vault, same name) unwraps
   * without being listed; an envelope naming any other key is refused with
   * `ERR_ENVELOPE_WRONG_KEY` before a request is sent, since the key id an envelope names is
   * attacker data (a vault of theirs would hand back a data key they know). Default: none.
   */
  previousKeyIds?: readonly string[];
}

const VERSIONED = /^https:\/\/[^/]+\/keys\/[0-9A-Za-z-]{1,127}\/[0-9A-Za-z]{1,64}$/;

/** The vault and key name of a versioned key id (case-insensitive, as Key Vault treats them). */
function family(keyId: string): string {
  return keyId.slice(0, keyId.lastIndexOf('/') + 1).toLowerCase();
}

function mapError(error: unknown, keyId: string): EnvelopeError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    statusCode?: number;
  };
  const cause = safeCause(error);
  if (
    e.name === 'RestError' &&
    (e.statusCode === 401 || e.statusCode === 403 || e.statusCode === 404)
  )
    return new EnvelopeError(
      'ERR_ENVELOPE_WRONG_KEY',
      `Azure Key Vault refused the key (HTTP ${e.statusCode}).`,
      { cause, keyId },
    );
  if (e.name === 'RestError' && e.statusCode === 400)
    return new EnvelopeError(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
      'Azure Key Vault could not unwrap the data key: the wrapped key was altered.',
      { cause, keyId },
    );
  return new EnvelopeError(
    'ERR_ENVELOPE_KEK_UNAVAILABLE',
    'Azure Key Vault could not be reached or failed.',
    { cause, keyId },
  );
}

/**
 * A key-encryption key in Azure Key Vault (an RSA key): data keys are made locally and wrapped
 * with `wrapKey`, unwrapped with `unwrapKey`. Key Vault has no encryption context: the context is
 * bound by the envelope's authenticated data alone. The SDK is a peer dependency, loaded only by
 * this entry point (`@portcullis/envelope/azure`). Retire an old version by disabling it in Key
 * Vault after every envelope was rewrapped.
 *
 * @example
 * ```ts
 * import { DefaultAzureCredential } from '@azure/identity';
 * import { createEnvelope } from '@portcullis/envelope';
 * import { AzureKeyVaultKek } from '@portcullis/envelope/azure';
 * const envelope = createEnvelope({
 *   kek: new AzureKeyVaultKek({
 *     keyId: 'https://my-vault.vault.azure.net/keys/outbox/4b1e0c0d9a3f4f7e8a1b2c3d4e5f6a7b',
 *     credential: new DefaultAzureCredential(),
 *   }),
 * });
 * ```
 */
export class AzureKeyVaultKek implements Kek {
  readonly kind: string = 'azure-key-vault';
  readonly #keyId: string;
  readonly #credential: TokenCredential;
  readonly #clientOptions: CryptographyClientOptions | undefined;
  readonly #algorithm: 'RSA-OAEP-256' | 'RSA-OAEP';
  readonly #clients = new Map<string, CryptographyClient>();
  readonly #family: string;
  readonly #previous: ReadonlySet<string>;

  constructor(options: AzureKeyVaultKekOptions) {
    if (typeof options !== 'object' || options === null)
      throw invalidArgument('options', 'an object');
    refuseUnknownKeys(
      options,
      ['keyId', 'credential', 'clientOptions', 'algorithm', 'previousKeyIds'],
      'options',
    );
    if (typeof options.keyId !== 'string' || !VERSIONED.test(options.keyId))
      throw invalidArgument(
        'options.keyId',
        'a versioned key id (https://<vault>/keys/<name>/<version>)',
      );
    if (typeof (options.credential as { getToken?: unknown } | undefined)?.getToken !== 'function')
      throw invalidArgument('options.credential', 'a TokenCredential');
    const algorithm = options.algorithm ?? 'RSA-OAEP-256';
    if (algorithm !== 'RSA-OAEP-256' && algorithm !== 'RSA-OAEP')
      throw invalidArgument('options.algorithm', "'RSA-OAEP-256' or 'RSA-OAEP'", 'value');
    const previous = options.previousKeyIds ?? [];
    if (
      !Array.isArray(previous) ||
      previous.some((k) => typeof k !== 'string' || !VERSIONED.test(k))
    )
      throw invalidArgument('options.previousKeyIds', 'an array of versioned key ids');
    this.#keyId = options.keyId;
    this.#family = family(options.keyId);
    this.#previous = new Set(previous);
    this.#credential = options.credential;
    this.#clientOptions = options.clientOptions;
    this.#algorithm = algorithm;
  }

  #client(keyId: string): CryptographyClient {
    let client = this.#clients.get(keyId);
    if (client === undefined) {
      if (!VERSIONED.test(keyId))
        throw new EnvelopeError(
          'ERR_ENVELOPE_WRONG_KEY',
          'The envelope names a key id that is not a versioned Key Vault key id.',
        );
      if (family(keyId) !== this.#family && !this.#previous.has(keyId))
        throw new EnvelopeError(
          'ERR_ENVELOPE_WRONG_KEY',
          "The envelope names a Key Vault key that is neither a version of this KEK's key nor one of its previousKeyIds.",
          { keyId },
        );
      client = new CryptographyClient(keyId, this.#credential, this.#clientOptions);
      if (this.#clients.size >= 100)
        this.#clients.delete(this.#clients.keys().next().value as string);
      this.#clients.set(keyId, client);
    }
    return client;
  }

  async generateDataKey(_keyContext: unknown, options: KekCallOptions): Promise<GeneratedDataKey> {
    const plaintext = new Uint8Array(randomBytes(32));
    const { keyId, wrapped } = await this.wrap(plaintext, _keyContext, options);
    return { keyId, plaintext, wrapped };
  }

  async wrap(
    dataKey: Uint8Array,
    _keyContext: unknown,
    { signal }: KekCallOptions,
  ): Promise<{ keyId: string; wrapped: Uint8Array }> {
    try {
      const out = await this.#client(this.#keyId).wrapKey(this.#algorithm, dataKey, {
        abortSignal: signal,
      });
      return { keyId: this.#keyId, wrapped: out.result };
    } catch (error) {
      throw error instanceof EnvelopeError ? error : mapError(error, this.#keyId);
    }
  }

  async unwrap(
    keyId: string,
    wrapped: Uint8Array,
    _keyContext: unknown,
    { signal }: KekCallOptions,
  ): Promise<Uint8Array> {
    try {
      const out = await this.#client(keyId).unwrapKey(this.#algorithm, wrapped, {
        abortSignal: signal,
      });
      return out.result;
    } catch (error) {
      throw error instanceof EnvelopeError ? error : mapError(error, keyId);
    }
  }
}
