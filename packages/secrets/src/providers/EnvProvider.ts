import { invalidArgument, redacted, resolveOptions, rules } from '@portcullis/core';
import { SecretsError } from '../errors/SecretsError.ts';
import { DEFAULTS } from '../internal/options.ts';
import { contentVersionId } from '../internal/versionId.ts';
import type {
  SecretProvider,
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
} from '../SecretProvider.ts';

/** Options for {@link EnvProvider}. */
export interface EnvProviderOptions {
  /** Put in front of every variable name, e.g. `'APP_SECRET_'`. Default: `''`. */
  prefix?: string;
  /** The environment to read, at each call. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

const SUFFIX: Record<SecretStage, string> = {
  current: '',
  previous: '__PREVIOUS',
  pending: '__PENDING',
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The variable that holds `name` at `stage`: `prefix` + the name in upper case with every
 * character other than `A-Z` and `0-9` replaced by `_`, then `__PREVIOUS` or `__PENDING` for
 * those stages. `webhook-secret` with prefix `APP_` is `APP_WEBHOOK_SECRET`; its previous
 * version is `APP_WEBHOOK_SECRET__PREVIOUS`.
 *
 * @example
 * ```ts
 * import { envVariableName } from '@portcullis/secrets';
 * envVariableName('webhook-secret', { prefix: 'APP_' }); // 'APP_WEBHOOK_SECRET'
 * ```
 */
export function envVariableName(
  name: string,
  options: { prefix?: string; stage?: SecretStage } = {},
): string {
  return `${options.prefix ?? DEFAULTS.env.prefix}${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}${SUFFIX[options.stage ?? 'current']}`;
}

/**
 * Secrets from environment variables, named by {@link envVariableName}. A value that starts
 * with `base64:` is a binary secret (the rest decoded as base64). Version ids are keyed digests
 * of the value, so the cache sees a change when the variable changes. Empty variables count as
 * absent (`ERR_SECRET_NOT_FOUND`).
 *
 * @example
 * ```ts
 * import { EnvProvider } from '@portcullis/secrets';
 * const provider = new EnvProvider({ prefix: 'APP_', env: { APP_DB_PASSWORD: 'pw' } });
 * const version = await provider.get('db-password');
 * version.value.reveal(); // 'pw'
 * ```
 */
export class EnvProvider implements SecretProvider {
  readonly kind: string = 'env';
  readonly #prefix: string;
  readonly #env: Record<string, string | undefined>;

  constructor(options: EnvProviderOptions = {}) {
    const resolved = resolveOptions<EnvProviderOptions, typeof DEFAULTS.env>(
      'options',
      options,
      DEFAULTS.env,
      {
        prefix: rules.string({ allowEmpty: true }),
        env: rules.optional(
          rules.custom((v, path) => {
            if (typeof v !== 'object' || v === null) throw invalidArgument(path, 'an object');
            return v as Record<string, string | undefined>;
          }),
        ),
      },
    );
    this.#prefix = resolved.prefix;
    this.#env = resolved.env ?? process.env;
  }

  async get(name: string, selector: SecretSelector = {}): Promise<SecretVersion> {
    if (selector.versionId !== undefined) {
      for (const stage of ['current', 'previous', 'pending'] as const) {
        const found = this.#read(name, stage);
        if (found?.versionId === selector.versionId) return found;
      }
      throw new SecretsError(
        'ERR_SECRET_NOT_FOUND',
        `Secret "${name}" (that version) was not found in the environment.`,
        { secretName: name },
      );
    }
    const stage = selector.stage ?? 'current';
    const found = this.#read(name, stage);
    if (found === undefined) {
      throw new SecretsError(
        'ERR_SECRET_NOT_FOUND',
        `Secret "${name}" (stage ${stage}) was not found: ${envVariableName(name, { prefix: this.#prefix, stage })} is not set.`,
        { secretName: name },
      );
    }
    return found;
  }

  async currentVersionId(name: string): Promise<string> {
    return (await this.get(name)).versionId;
  }

  async listVersions(name: string): Promise<readonly SecretVersionInfo[]> {
    const out: SecretVersionInfo[] = [];
    for (const stage of ['pending', 'current', 'previous'] as const) {
      const found = this.#read(name, stage);
      if (found !== undefined) out.push({ name, versionId: found.versionId, stages: found.stages });
    }
    if (out.length === 0) await this.get(name); // throws not found
    return out;
  }

  #read(name: string, stage: SecretStage): SecretVersion | undefined {
    const raw = this.#env[envVariableName(name, { prefix: this.#prefix, stage })];
    if (raw === undefined || raw === '') return undefined;
    if (raw.startsWith('base64:')) {
      const text = raw.slice(7).trim();
      if (!BASE64.test(text)) {
        throw new SecretsError(
          'ERR_SECRET_INVALID',
          `Secret "${name}" starts with base64: but is not base64.`,
          { secretName: name },
        );
      }
      const bytes = new Uint8Array(Buffer.from(text, 'base64'));
      return { name, versionId: contentVersionId(bytes), stages: [stage], value: redacted(bytes) };
    }
    return { name, versionId: contentVersionId(raw), stages: [stage], value: redacted(raw) };
  }
}
