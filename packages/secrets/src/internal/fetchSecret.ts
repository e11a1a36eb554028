import { boundedCall, type Clock } from '@portcullis/core';
import { isSecretsError, SecretsError } from '../errors/SecretsError.ts';
import type { SecretProvider, SecretVersion } from '../SecretProvider.ts';
import type { Fetched } from './entry.ts';

/** Any failure as a SecretsError: ours pass through; a foreign error keeps only its name. */
export function asSecretsError(error: unknown, kind: string, name: string): SecretsError {
  if (isSecretsError(error)) return error;
  const label =
    typeof (error as { name?: unknown })?.name === 'string' ? (error as Error).name : 'Error';
  // A foreign error's message or fields may hold data from the backend: only its name is kept.
  return new SecretsError(
    'ERR_SECRET_PROVIDER_UNAVAILABLE',
    `The ${kind} provider failed reading secret "${name}" (${label}).`,
    { secretName: name },
  );
}

async function previousOf(
  provider: SecretProvider,
  name: string,
  signal: AbortSignal,
): Promise<SecretVersion | null | undefined> {
  try {
    return await provider.get(name, { stage: 'previous' }, { signal });
  } catch (error) {
    if (isSecretsError(error, 'ERR_SECRET_NOT_FOUND')) return null;
    return undefined; // unknown this time: keep what was held
  }
}

/**
 * One refresh: the current version id first where the provider can say it (the value is fetched
 * only when it moved), then the value, then the previous version when asked for. Bounded by
 * `timeoutMs` on `clock`; every failure is a SecretsError.
 */
export async function fetchSecret(
  provider: SecretProvider,
  name: string,
  held: SecretVersion | undefined,
  wantsPrevious: boolean,
  { clock, timeoutMs }: { clock: Clock; timeoutMs: number },
): Promise<Fetched> {
  try {
    return await boundedCall(
      async (signal): Promise<Fetched> => {
        let version: SecretVersion | undefined;
        const unchanged =
          held !== undefined &&
          provider.currentVersionId !== undefined &&
          (await provider.currentVersionId(name, { signal })) === held.versionId;
        if (!unchanged) version = await provider.get(name, { stage: 'current' }, { signal });
        const previous = wantsPrevious ? await previousOf(provider, name, signal) : undefined;
        return { version, previous };
      },
      {
        timeoutMs,
        clock,
        onTimeout: () =>
          new SecretsError(
            'ERR_SECRET_PROVIDER_UNAVAILABLE',
            `The ${provider.kind} provider did not answer for secret "${name}" within ${timeoutMs} ms.`,
            { secretName: name },
          ),
      },
    );
  } catch (error) {
    throw asSecretsError(error, provider.kind, name);
  }
}
