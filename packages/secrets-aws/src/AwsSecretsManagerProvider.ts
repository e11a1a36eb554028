import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
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
import { awsErrorToSecretsError } from './awsErrorToSecretsError.ts';
import { awsClientRequestToken } from './clientRequestToken.ts';
import { newestFirst } from './internal/order.ts';
import { type AwsSecretsManagerProviderOptions, resolveAwsOptions } from './options.ts';
import { fromAwsStages, toAwsStage } from './stages.ts';

const KIND = 'aws-secrets-manager';
const PROVIDER = 'AWS Secrets Manager';
/** A listing longer than this many pages is cut off (a bound, not a limit a real secret reaches). */
const MAX_PAGES = 100;

type Value = Redacted<string> | Redacted<Uint8Array>;

/**
 * A {@link WritableSecretProvider} over AWS Secrets Manager. Stages map to staging labels
 * (`current` ↔ `AWSCURRENT`, `previous` ↔ `AWSPREVIOUS`, `pending` ↔ `AWSPENDING`); every read
 * names its stage or version explicitly. Text secrets (`SecretString`) come back as
 * `Redacted<string>`, binary ones (`SecretBinary`) as `Redacted<Uint8Array>`.
 *
 * Every call is bounded by `timeoutMs` (the SDK request is aborted), throttling is retried with
 * full-jitter backoff, and failures are `SecretsError`s mapped by the service's error name; no
 * error carries a value or the SDK's request and response.
 *
 * Rotation writes follow the AWS sequence: `putVersion(name, value, { token, stage: 'pending' })`
 * (`PutSecretValue` with the token as `ClientRequestToken`, so a repeat stores nothing new), then
 * `moveStage(name, 'current', versionId)` (`UpdateSecretVersionStage` with `RemoveFromVersionId`;
 * AWS labels the old version `AWSPREVIOUS`, and the provider takes `AWSPENDING` off the new one).
 *
 * @example
 * ```ts
 * import { AwsSecretsManagerProvider } from '@portcullis/secrets-aws';
 * const provider = new AwsSecretsManagerProvider({ clientConfig: { region: 'eu-west-1' } });
 * const version = await provider.get('prod/webhook-secret');
 * version.stages; // ['current']
 * ```
 */
export class AwsSecretsManagerProvider implements WritableSecretProvider {
  /** `'aws-secrets-manager'`. */
  readonly kind: string = KIND;
  readonly #client: SecretsManagerClient;
  readonly #policy: AttemptPolicy;

  constructor(options?: AwsSecretsManagerProviderOptions) {
    const resolved = resolveAwsOptions(options);
    if (resolved.client !== undefined && resolved.clientConfig !== undefined) {
      throw invalidArgument('options.clientConfig', 'absent when options.client is given', 'value');
    }
    this.#client =
      resolved.client ?? new SecretsManagerClient({ maxAttempts: 1, ...resolved.clientConfig });
    this.#policy = attemptPolicy(resolved);
  }

  /** Reads the version holding `selector.stage` (default `current`), or `selector.versionId`. */
  async get(
    name: string,
    selector: SecretSelector = {},
    options: ProviderCallOptions = {},
  ): Promise<SecretVersion> {
    checkName(name);
    if (selector.versionId !== undefined) checkName(selector.versionId, 'selector.versionId');
    const input =
      selector.versionId !== undefined
        ? { SecretId: name, VersionId: selector.versionId }
        : { SecretId: name, VersionStage: toAwsStage(selector.stage ?? 'current') };
    const out = await this.#send(name, 'GetSecretValue', options.signal, (abortSignal) =>
      this.#client.send(new GetSecretValueCommand(input), { abortSignal }),
    );
    let value: Value;
    if (typeof out.SecretString === 'string') value = redacted(out.SecretString);
    else if (out.SecretBinary instanceof Uint8Array)
      value = redacted(Uint8Array.from(out.SecretBinary));
    else
      throw new SecretsError(
        'ERR_SECRET_INVALID',
        `${PROVIDER}: secret "${name}" has neither SecretString nor SecretBinary.`,
        { secretName: name },
      );
    if (typeof out.VersionId !== 'string') {
      throw new SecretsError(
        'ERR_SECRET_INVALID',
        `${PROVIDER}: secret "${name}" came back without a VersionId.`,
        { secretName: name },
      );
    }
    return {
      name,
      versionId: out.VersionId,
      stages: fromAwsStages(out.VersionStages),
      createdAt: out.CreatedDate?.getTime(),
      value,
    };
  }

  /** The id of the version labelled `AWSCURRENT`, from `DescribeSecret` (no value fetched). */
  async currentVersionId(name: string, options: ProviderCallOptions = {}): Promise<string> {
    checkName(name);
    const holder = holderOf(await this.#stagesById(name, options.signal), 'current');
    if (holder === undefined) {
      throw new SecretsError(
        'ERR_SECRET_NOT_FOUND',
        `${PROVIDER}: secret "${name}" has no AWSCURRENT version.`,
        { secretName: name },
      );
    }
    return holder;
  }

  /** Every version with a staging label, newest first (ties: pending, current, previous). */
  async listVersions(
    name: string,
    options: ProviderCallOptions = {},
  ): Promise<readonly SecretVersionInfo[]> {
    checkName(name);
    const versions = new Map<string, SecretVersionInfo>();
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const input = {
        SecretId: name,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      };
      const out = await this.#send(name, 'ListSecretVersionIds', options.signal, (abortSignal) =>
        this.#client.send(new ListSecretVersionIdsCommand(input), { abortSignal }),
      );
      const before = versions.size;
      for (const v of out.Versions ?? []) {
        if (typeof v.VersionId !== 'string' || versions.has(v.VersionId)) continue;
        versions.set(v.VersionId, {
          name,
          versionId: v.VersionId,
          stages: fromAwsStages(v.VersionStages),
          createdAt: v.CreatedDate?.getTime(),
        });
      }
      nextToken = out.NextToken;
      // A page with nothing new, or a token seen before, ends the listing (no endless loop).
      if (nextToken === undefined || versions.size === before || tokens.has(nextToken)) break;
      tokens.add(nextToken);
    }
    return newestFirst([...versions.values()]);
  }

  /**
   * Stores a new version labelled with `stage` (`PutSecretValue` with `VersionStages`). The token
   * becomes the `ClientRequestToken` (see `awsClientRequestToken`): the same token with the same
   * value returns the same version id; AWS refuses the same token with another value
   * (`ERR_SECRET_INVALID`).
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
    const raw = value.reveal();
    const body = typeof raw === 'string' ? { SecretString: raw } : { SecretBinary: raw };
    const sensitive = typeof raw === 'string' ? [raw] : [Buffer.from(raw).toString('base64')];
    const input = {
      SecretId: name,
      ClientRequestToken: awsClientRequestToken(options.token),
      VersionStages: [toAwsStage(options.stage)],
      ...body,
    };
    const out = await this.#send(
      name,
      'PutSecretValue',
      options.signal,
      (abortSignal) => this.#client.send(new PutSecretValueCommand(input), { abortSignal }),
      sensitive,
    );
    if (typeof out.VersionId !== 'string') {
      throw new SecretsError(
        'ERR_SECRET_INVALID',
        `${PROVIDER}: PutSecretValue for "${name}" returned no VersionId.`,
        { secretName: name },
      );
    }
    return out.VersionId;
  }

  /**
   * Moves `stage` onto `versionId` with `UpdateSecretVersionStage`, naming the version that holds
   * it now as `RemoveFromVersionId`. Nothing is sent when `versionId` already holds it. Moving
   * `current` lets AWS label the old current `AWSPREVIOUS`, then removes `AWSPENDING` from the new
   * current. Each step checks the labels first, so a repeat after a crash finishes the move.
   */
  async moveStage(
    name: string,
    stage: SecretStage,
    versionId: string,
    options: ProviderCallOptions = {},
  ): Promise<void> {
    checkName(name);
    checkName(versionId, 'versionId');
    const stages = await this.#stagesById(name, options.signal);
    const holder = holderOf(stages, stage);
    if (holder !== versionId) {
      await this.#updateStage(
        name,
        {
          SecretId: name,
          VersionStage: toAwsStage(stage),
          MoveToVersionId: versionId,
          ...(holder === undefined ? {} : { RemoveFromVersionId: holder }),
        },
        options.signal,
      );
    }
    if (stage === 'current' && (stages.get(versionId) ?? []).includes('pending')) {
      await this.removeStage(name, 'pending', versionId, options);
    }
  }

  /** Removes `stage` from `versionId`; nothing is sent when it does not hold it. */
  async removeStage(
    name: string,
    stage: SecretStage,
    versionId: string,
    options: ProviderCallOptions = {},
  ): Promise<void> {
    checkName(name);
    checkName(versionId, 'versionId');
    const stages = await this.#stagesById(name, options.signal);
    if (!(stages.get(versionId) ?? []).includes(stage)) return;
    await this.#updateStage(
      name,
      { SecretId: name, VersionStage: toAwsStage(stage), RemoveFromVersionId: versionId },
      options.signal,
    );
  }

  async #updateStage(
    name: string,
    input: {
      SecretId: string;
      VersionStage: string;
      MoveToVersionId?: string;
      RemoveFromVersionId?: string;
    },
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await this.#send(name, 'UpdateSecretVersionStage', signal, (abortSignal) =>
      this.#client.send(new UpdateSecretVersionStageCommand(input), { abortSignal }),
    );
  }

  async #stagesById(
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<Map<string, SecretStage[]>> {
    const out = await this.#send(name, 'DescribeSecret', signal, (abortSignal) =>
      this.#client.send(new DescribeSecretCommand({ SecretId: name }), { abortSignal }),
    );
    const stages = new Map<string, SecretStage[]>();
    for (const [id, labels] of Object.entries(out.VersionIdsToStages ?? {})) {
      stages.set(id, fromAwsStages(labels));
    }
    return stages;
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
        awsErrorToSecretsError(error, {
          secretName: name,
          operation,
          sensitive,
          nowMs: policy.clock.now(),
        }),
      work,
      signal,
    );
  }
}

function holderOf(
  stages: ReadonlyMap<string, readonly SecretStage[]>,
  stage: SecretStage,
): string | undefined {
  for (const [id, held] of stages) if (held.includes(stage)) return id;
  return undefined;
}
