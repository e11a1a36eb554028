import { createHash } from 'node:crypto';
import { type KeyVaultSecret, SecretClient, type SecretProperties } from '@azure/keyvault-secrets';
import { invalidArgument, type Redacted, redacted } from '@portcullis/core';
import {
  type ProviderCallOptions,
  type SecretSelector,
  type SecretStage,
  SecretsError,
  type SecretVersion,
  type SecretVersionInfo,
  type WritableSecretProvider,
} from '@portcullis/secrets';
import {
  type AttemptPolicy,
  attempt,
  attemptPolicy,
  checkName,
} from '@portcullis/secrets/provider-kit';
import { azureErrorToSecretsError } from './azureErrorToSecretsError.ts';
import {
  holderOf,
  newestUntagged,
  toState,
  unusable,
  type VersionState,
} from './internal/versions.ts';
import { type AzureKeyVaultProviderOptions, resolveAzureOptions } from './options.ts';
import { formatStageTag } from './stageTag.ts';

const KIND = 'azure-key-vault';
const PROVIDER = 'Azure Key Vault';
/** How binary values are stored: base64 text with this content type. */
export const BINARY_CONTENT_TYPE = 'application/octet-stream';
const MAX_PAGES = 100;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Value = Redacted<string> | Redacted<Uint8Array>;

/**
 * A {@link WritableSecretProvider} over Azure Key Vault secrets. Key Vault has versions but no
 * stages, so a version's stages live in a tag (`portcullis-stage`: `current`, `previous` or
 * `pending`); a secret written elsewhere, with no such tags, has its newest version as current.
 * A disabled version, an expired one (`expiresOn`) and one not valid yet (`notBefore`) are never
 * served (`ERR_SECRET_NOT_FOUND`), checked on the injected clock.
 *
 * Writes for rotation: `putVersion` is `setSecret` with the stage and a hash of the token in tags
 * (a repeat with the same token finds that version and writes nothing); `moveStage` rewrites
 * tags with `updateSecretProperties`, ordered so that a re-run after a crash converges. Binary
 * values are stored as base64 with content type `application/octet-stream`.
 *
 * Every call is bounded by `timeoutMs`; throttling (429) is retried with full-jitter backoff and
 * `Retry-After`; failures are `SecretsError`s that carry no value and no SDK request or response.
 *
 * @example
 * ```ts
 * import { DefaultAzureCredential } from '@azure/identity';
 * import { AzureKeyVaultProvider } from '@portcullis/secrets-azure';
 * const provider = new AzureKeyVaultProvider({
 *   vaultUrl: 'https://my-vault.vault.azure.net',
 *   credential: new DefaultAzureCredential(),
 * });
 * const version = await provider.get('webhook-secret');
 * ```
 */
export class AzureKeyVaultProvider implements WritableSecretProvider {
  /** `'azure-key-vault'`. */
  readonly kind: string = KIND;
  readonly #client: SecretClient;
  readonly #policy: AttemptPolicy;
  readonly #stageTag: string;
  readonly #tokenTag: string;
  readonly #maxRetryAfterMs: number;

  constructor(options?: AzureKeyVaultProviderOptions) {
    const o = resolveAzureOptions(options);
    if (o.client !== undefined) {
      for (const key of ['vaultUrl', 'credential', 'clientOptions'] as const) {
        if (o[key] !== undefined)
          throw invalidArgument(`options.${key}`, 'absent when options.client is given', 'value');
      }
      this.#client = o.client;
    } else {
      if (o.vaultUrl === undefined)
        throw invalidArgument('options.vaultUrl', 'a string (or pass options.client)');
      if (o.credential === undefined)
        throw invalidArgument('options.credential', 'a TokenCredential (or pass options.client)');
      const clientOptions = o.clientOptions ?? {};
      this.#client = new SecretClient(o.vaultUrl, o.credential, {
        ...clientOptions,
        retryOptions: { maxRetries: 0, ...clientOptions.retryOptions },
      });
    }
    this.#stageTag = o.stageTag;
    this.#tokenTag = o.tokenTag;
    this.#maxRetryAfterMs = o.maxRetryAfterMs;
    this.#policy = attemptPolicy(o);
  }

  /** Reads the version holding `selector.stage` (default `current`), or `selector.versionId`. */
  async get(
    name: string,
    selector: SecretSelector = {},
    options: ProviderCallOptions = {},
  ): Promise<SecretVersion> {
    checkName(name);
    let secret: KeyVaultSecret;
    let untaggedCurrent = false;
    if (selector.versionId !== undefined) {
      checkName(selector.versionId, 'selector.versionId');
      secret = await this.#getSecret(name, selector.versionId, options.signal);
    } else {
      const stage = selector.stage ?? 'current';
      const versions = await this.#versions(name, options.signal);
      const holder = holderOf(versions, stage);
      if (holder !== undefined) secret = await this.#getSecret(name, holder.id, options.signal);
      else if (stage !== 'current') throw notFound(name, `has no version in stage "${stage}"`);
      else {
        const fallback = await this.#untaggedCurrent(name, versions, options.signal);
        secret = fallback.secret ?? (await this.#getSecret(name, fallback.id, options.signal));
        untaggedCurrent = true;
      }
    }
    const state = toState(secret.properties, this.#stageTag);
    if (state === undefined) throw invalid(name, 'came back without a version id');
    const why = unusable(state, this.#policy.clock.now());
    if (why !== undefined) throw notFound(name, `version ${state.id} ${why}`);
    if (typeof secret.value !== 'string') throw invalid(name, `version ${state.id} has no value`);
    return {
      name,
      versionId: state.id,
      stages: untaggedCurrent ? ['current'] : state.stages,
      createdAt: state.createdAt,
      value: this.#decode(name, secret.value, secret.properties.contentType),
    };
  }

  /** The id of the version in stage `current`, from the version listing (no value fetched). */
  async currentVersionId(name: string, options: ProviderCallOptions = {}): Promise<string> {
    checkName(name);
    const versions = await this.#versions(name, options.signal);
    return (
      holderOf(versions, 'current')?.id ??
      (await this.#untaggedCurrent(name, versions, options.signal)).id
    );
  }

  /** Every version, newest first, with the stages its tag holds (an untagged secret's newest is current). */
  async listVersions(
    name: string,
    options: ProviderCallOptions = {},
  ): Promise<readonly SecretVersionInfo[]> {
    checkName(name);
    const versions = await this.#versions(name, options.signal);
    const fallback =
      holderOf(versions, 'current') === undefined && versions.length > 0
        ? (await this.#untaggedCurrent(name, versions, options.signal)).id
        : undefined;
    return [...versions]
      .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
      .map((v) => ({
        name,
        versionId: v.id,
        stages: v.id === fallback ? ['current' as const] : v.stages,
        createdAt: v.createdAt,
      }));
  }

  /**
   * Stores a new version in `stage` (`setSecret` with the stage tag and the token's hash), then
   * takes `stage` from every other version (as {@link AzureKeyVaultProvider.moveStage}). A repeat
   * with the same token finds the version it wrote and only finishes the stage move.
   */
  async putVersion(
    name: string,
    value: Value,
    options: { token: string; stage: SecretStage; signal?: AbortSignal | undefined },
  ): Promise<string> {
    checkName(name);
    if (typeof options?.token !== 'string' || options.token.length === 0) {
      throw invalidArgument('options.token', 'a non-empty string');
    }
    const token = createHash('sha256').update(options.token).digest('hex').slice(0, 40);
    const existing = (await this.#versions(name, options.signal, true)).find(
      (v) => v.tags[this.#tokenTag] === token,
    );
    let id = existing?.id;
    if (id === undefined) {
      const raw = value.reveal();
      const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('base64');
      const tags = { [this.#stageTag]: formatStageTag([options.stage]), [this.#tokenTag]: token };
      const written = await this.#send(
        name,
        'setSecret',
        options.signal,
        (abortSignal) =>
          this.#client.setSecret(name, text, {
            tags,
            abortSignal,
            ...(typeof raw === 'string' ? {} : { contentType: BINARY_CONTENT_TYPE }),
          }),
        [text],
      );
      id = written.properties.version;
      if (typeof id !== 'string' || id.length === 0)
        throw invalid(name, 'setSecret returned no version id');
    }
    await this.moveStage(name, options.stage, id, options);
    return id;
  }

  /**
   * Moves `stage` onto `versionId` by rewriting stage tags. Moving `current`: the new current's tag
   * becomes `current` (pending and previous dropped), then other versions lose `previous`, then the
   * old current becomes `previous`. Each step looks at the tags first, so a repeat changes nothing
   * and a re-run after a crash finishes the move.
   */
  async moveStage(
    name: string,
    stage: SecretStage,
    versionId: string,
    options: ProviderCallOptions = {},
  ): Promise<void> {
    checkName(name);
    checkName(versionId, 'versionId');
    const versions = await this.#versions(name, options.signal);
    const target = versions.find((v) => v.id === versionId);
    if (target === undefined) throw notFound(name, `has no version ${versionId}`);
    let others = versions.filter((v) => v.id !== versionId);
    if (stage === 'current') {
      if (
        holderOf(versions, 'current') === undefined &&
        others.some((v) => v.stages.length === 0)
      ) {
        // An untagged secret: tag its current version first, so that every later step (and a
        // re-run after a crash) sees an explicit current to demote.
        const { id } = await this.#untaggedCurrent(name, versions, options.signal);
        const old = others.find((v) => v.id === id);
        if (old !== undefined) {
          await this.#retag(name, old, ['current'], options.signal);
          others = others.map((v) => (v === old ? { ...v, stages: ['current'] } : v));
        }
      }
      if (target.stages.join() !== 'current')
        await this.#retag(name, target, ['current'], options.signal);
      for (const v of others) {
        if (v.stages.includes('previous') && !v.stages.includes('current')) {
          await this.#retag(
            name,
            v,
            v.stages.filter((s) => s !== 'previous'),
            options.signal,
          );
        }
      }
      for (const v of others) {
        if (v.stages.includes('current')) {
          await this.#retag(
            name,
            v,
            [...v.stages.filter((s) => s !== 'current' && s !== 'previous'), 'previous'],
            options.signal,
          );
        }
      }
      return;
    }
    if (!target.stages.includes(stage))
      await this.#retag(name, target, [...target.stages, stage], options.signal);
    for (const v of others) {
      if (v.stages.includes(stage))
        await this.#retag(
          name,
          v,
          v.stages.filter((s) => s !== stage),
          options.signal,
        );
    }
  }

  /** Removes `stage` from `versionId`'s tag; nothing is written when it does not hold it. */
  async removeStage(
    name: string,
    stage: SecretStage,
    versionId: string,
    options: ProviderCallOptions = {},
  ): Promise<void> {
    checkName(name);
    checkName(versionId, 'versionId');
    const target = (await this.#versions(name, options.signal)).find((v) => v.id === versionId);
    if (target === undefined || !target.stages.includes(stage)) return;
    await this.#retag(
      name,
      target,
      target.stages.filter((s) => s !== stage),
      options.signal,
    );
  }

  /**
   * With no version tagged `current`: Key Vault's latest version (a read without a version, as
   * other Key Vault clients see it) when it carries no stage tag, else the newest untagged one.
   */
  async #untaggedCurrent(
    name: string,
    versions: readonly VersionState[],
    signal: AbortSignal | undefined,
  ): Promise<{ id: string; secret?: KeyVaultSecret }> {
    const latest = await this.#getSecret(name, undefined, signal);
    const state = toState(latest.properties, this.#stageTag);
    if (state !== undefined && state.stages.length === 0) return { id: state.id, secret: latest };
    const untagged = newestUntagged(versions);
    if (untagged === undefined) throw notFound(name, 'has no current version');
    return { id: untagged.id };
  }

  #getSecret(
    name: string,
    version: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<KeyVaultSecret> {
    return this.#send(name, 'getSecret', signal, (abortSignal) =>
      this.#client.getSecret(name, { abortSignal, ...(version === undefined ? {} : { version }) }),
    );
  }

  async #retag(
    name: string,
    version: VersionState,
    stages: readonly SecretStage[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const tags = { ...version.tags, [this.#stageTag]: formatStageTag(stages) };
    await this.#send(name, 'updateSecretProperties', signal, (abortSignal) =>
      this.#client.updateSecretProperties(name, version.id, { tags, abortSignal }),
    );
  }

  /** Every version's properties (one bounded call for the whole listing). */
  async #versions(
    name: string,
    signal: AbortSignal | undefined,
    allowMissing = false,
  ): Promise<VersionState[]> {
    try {
      return await this.#send(
        name,
        'listPropertiesOfSecretVersions',
        signal,
        async (abortSignal) => {
          const out: VersionState[] = [];
          let pages = 0;
          const iterator = this.#client
            .listPropertiesOfSecretVersions(name, { abortSignal })
            .byPage();
          for await (const page of iterator as AsyncIterable<SecretProperties[]>) {
            for (const properties of page) {
              const state = toState(properties, this.#stageTag);
              if (state !== undefined) out.push(state);
            }
            if (++pages >= MAX_PAGES) break;
          }
          return out;
        },
      );
    } catch (error) {
      if (allowMissing && error instanceof SecretsError && error.code === 'ERR_SECRET_NOT_FOUND')
        return [];
      throw error;
    }
  }

  #decode(name: string, text: string, contentType: string | undefined): Value {
    if (contentType !== BINARY_CONTENT_TYPE) return redacted(text);
    if (text.length % 4 !== 0 || !BASE64.test(text))
      throw invalid(name, 'is marked binary but is not base64');
    return redacted(new Uint8Array(Buffer.from(text, 'base64')));
  }

  #send<T>(
    name: string,
    operation: string,
    signal: AbortSignal | undefined,
    work: (abortSignal: AbortSignal) => Promise<T>,
    sensitive?: readonly string[],
  ): Promise<T> {
    const policy = this.#policy;
    return attempt(
      { provider: PROVIDER, operation, secretName: name },
      policy,
      (error) =>
        azureErrorToSecretsError(error, {
          secretName: name,
          operation,
          sensitive,
          nowMs: policy.clock.now(),
          maxRetryAfterMs: this.#maxRetryAfterMs,
        }),
      work,
      signal,
    );
  }
}

function notFound(name: string, what: string): SecretsError {
  return new SecretsError('ERR_SECRET_NOT_FOUND', `${PROVIDER}: secret "${name}" ${what}.`, {
    secretName: name,
  });
}

function invalid(name: string, what: string): SecretsError {
  return new SecretsError('ERR_SECRET_INVALID', `${PROVIDER}: secret "${name}" ${what}.`, {
    secretName: name,
  });
}
