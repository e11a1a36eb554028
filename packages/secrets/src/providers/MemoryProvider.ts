import {
  type Clock,
  invalidArgument,
  type Redacted,
  resolveOptions,
  rules,
  systemClock,
} from '@portcullis/core';
import { SecretsError } from '../errors/SecretsError.ts';
import { common } from '../internal/options.ts';
import { boxValue, type SecretValue, sameValue } from '../internal/values.ts';
import type {
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
  WritableSecretProvider,
} from '../SecretProvider.ts';

/** Options for {@link MemoryProvider}. */
export interface MemoryProviderOptions {
  /** Initial secrets, each stored as its first version, `current`. Default: none. */
  secrets?: Record<string, string | Uint8Array | Redacted<string> | Redacted<Uint8Array>>;
  /** Time source for `createdAt`. Default: `systemClock`. */
  clock?: Clock;
}

interface StoredVersion {
  versionId: string;
  value: SecretValue;
  stages: Set<SecretStage>;
  createdAt: number;
}

const STAGES: readonly SecretStage[] = ['current', 'previous', 'pending'];

function notFound(name: string, what = ''): SecretsError {
  return new SecretsError('ERR_SECRET_NOT_FOUND', `Secret "${name}"${what} was not found.`, {
    secretName: name,
  });
}

function info(name: string, v: StoredVersion): SecretVersionInfo {
  return {
    name,
    versionId: v.versionId,
    stages: STAGES.filter((s) => v.stages.has(s)),
    createdAt: v.createdAt,
  };
}

/**
 * A writable provider that keeps secrets in process memory: for tests, for rotation of secrets
 * a single process owns, and as a stand-in for a cloud provider. Version ids are the `token`s
 * given to `putVersion` (as AWS does with `ClientRequestToken`), so repeating a write with the
 * same token stores nothing new; the same token with a different value is refused.
 *
 * @example
 * ```ts
 * import { MemoryProvider } from '@portcullis/secrets';
 * const provider = new MemoryProvider({ secrets: { 'webhook-secret': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
 * const version = await provider.get('webhook-secret');
 * version.stages; // ['current']
 * ```
 */
export class MemoryProvider implements WritableSecretProvider {
  readonly kind: string = 'memory';
  readonly #secrets = new Map<string, StoredVersion[]>();
  readonly #clock: Clock;
  #seq = 0;

  constructor(options: MemoryProviderOptions = {}) {
    const resolved = resolveOptions<MemoryProviderOptions, { clock: Clock }>(
      'options',
      options,
      { clock: systemClock },
      {
        secrets: rules.optional(
          rules.custom((v, path) => {
            if (typeof v !== 'object' || v === null || Array.isArray(v))
              throw invalidArgument(path, 'an object of name → value');
            return v as NonNullable<MemoryProviderOptions['secrets']>;
          }),
        ),
        clock: common.clock(),
      },
    );
    this.#clock = resolved.clock;
    for (const [name, value] of Object.entries(resolved.secrets ?? {})) this.set(name, value);
  }

  /**
   * Stores `value` as a new version of `name` and makes it `current` at once (the previous
   * current becomes `previous`). Returns the new version id. For seeding tests and demos.
   */
  set(name: string, value: string | Uint8Array | Redacted<string> | Redacted<Uint8Array>): string {
    const versionId = `v${++this.#seq}-${this.#clock.now().toString(36)}`;
    this.#insert(name, versionId, boxValue(value, 'value'));
    this.#move(name, 'current', versionId);
    return versionId;
  }

  /** Removes a secret and all its versions (the next `get` is `ERR_SECRET_NOT_FOUND`). */
  delete(name: string): boolean {
    return this.#secrets.delete(name);
  }

  async get(name: string, selector: SecretSelector = {}): Promise<SecretVersion> {
    const versions = this.#secrets.get(name);
    const found =
      selector.versionId !== undefined
        ? versions?.find((v) => v.versionId === selector.versionId)
        : versions?.find((v) => v.stages.has(selector.stage ?? 'current'));
    if (found === undefined) {
      throw notFound(
        name,
        selector.versionId !== undefined
          ? ' (that version)'
          : ` (stage ${selector.stage ?? 'current'})`,
      );
    }
    return { ...info(name, found), value: found.value };
  }

  async currentVersionId(name: string): Promise<string> {
    return (await this.get(name)).versionId;
  }

  async listVersions(name: string): Promise<readonly SecretVersionInfo[]> {
    const versions = this.#secrets.get(name);
    if (versions === undefined) throw notFound(name);
    return versions.map((v) => info(name, v)).reverse();
  }

  async putVersion(
    name: string,
    value: Redacted<string> | Redacted<Uint8Array>,
    options: { token: string; stage: SecretStage },
  ): Promise<string> {
    const { token, stage } = options;
    if (typeof token !== 'string' || token.length === 0)
      throw invalidArgument('options.token', 'a non-empty string');
    if (!STAGES.includes(stage))
      throw invalidArgument('options.stage', "'current', 'previous' or 'pending'", 'value');
    const boxed = boxValue(value, 'value');
    const existing = this.#secrets.get(name)?.find((v) => v.versionId === token);
    if (existing !== undefined) {
      if (!sameValue(existing.value, boxed)) {
        throw new SecretsError(
          'ERR_SECRET_INVALID',
          `Secret "${name}": the token was already used for a different value.`,
          { secretName: name },
        );
      }
      return token; // the same write again: nothing new stored, stages left as they are
    }
    this.#insert(name, token, boxed);
    this.#move(name, stage, token);
    return token;
  }

  async moveStage(name: string, stage: SecretStage, versionId: string): Promise<void> {
    if (!this.#secrets.get(name)?.some((v) => v.versionId === versionId))
      throw notFound(name, ' (that version)');
    this.#move(name, stage, versionId);
  }

  async removeStage(name: string, stage: SecretStage, versionId: string): Promise<void> {
    const version = this.#secrets.get(name)?.find((v) => v.versionId === versionId);
    if (version === undefined) throw notFound(name, ' (that version)');
    version.stages.delete(stage);
  }

  #insert(name: string, versionId: string, value: SecretValue): void {
    let versions = this.#secrets.get(name);
    if (versions === undefined) {
      versions = [];
      this.#secrets.set(name, versions);
    }
    versions.push({ versionId, value, stages: new Set(), createdAt: this.#clock.now() });
  }

  /** The stage semantics of {@link WritableSecretProvider.moveStage}. */
  #move(name: string, stage: SecretStage, versionId: string): void {
    const versions = this.#secrets.get(name) as StoredVersion[];
    const target = versions.find((v) => v.versionId === versionId) as StoredVersion;
    if (target.stages.has(stage)) return;
    const holder = versions.find((v) => v.stages.has(stage));
    if (stage === 'current') {
      for (const v of versions) v.stages.delete('previous');
      if (holder !== undefined) {
        holder.stages.delete('current');
        holder.stages.add('previous');
      }
      target.stages.delete('pending');
      target.stages.delete('previous');
    } else {
      holder?.stages.delete(stage);
    }
    target.stages.add(stage);
  }
}
