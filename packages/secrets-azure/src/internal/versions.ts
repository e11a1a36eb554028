import type { SecretProperties } from '@azure/keyvault-secrets';
import type { SecretStage } from '@portcullis/secrets';
import { parseStageTag } from '../stageTag.ts';

/** A version's properties as the provider reasons about them. */
export interface VersionState {
  readonly id: string;
  readonly stages: readonly SecretStage[];
  readonly tags: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly createdAt: number | undefined;
  readonly updatedAt: number | undefined;
  readonly expiresAt: number | undefined;
  readonly notBefore: number | undefined;
}

export function toState(properties: SecretProperties, stageTag: string): VersionState | undefined {
  if (typeof properties.version !== 'string' || properties.version.length === 0) return undefined;
  const tags = { ...(properties.tags ?? {}) };
  return {
    id: properties.version,
    stages: parseStageTag(tags[stageTag]),
    tags,
    enabled: properties.enabled !== false,
    createdAt: properties.createdOn?.getTime(),
    updatedAt: properties.updatedOn?.getTime(),
    expiresAt: properties.expiresOn?.getTime(),
    notBefore: properties.notBefore?.getTime(),
  };
}

/** Why a version may not be served now, or undefined when it may. */
export function unusable(version: VersionState, nowMs: number): string | undefined {
  if (!version.enabled) return 'is disabled';
  if (version.expiresAt !== undefined && version.expiresAt <= nowMs) return 'has expired';
  if (version.notBefore !== undefined && version.notBefore > nowMs) return 'is not valid yet';
  return undefined;
}

/**
 * The version tagged with `stage`. Several can claim it for a moment (a move interrupted between
 * its tag updates): the one whose tags changed last wins, then the newest.
 */
export function holderOf(
  versions: readonly VersionState[],
  stage: SecretStage,
): VersionState | undefined {
  const by = (a: VersionState, b: VersionState): number =>
    (b.updatedAt ?? 0) - (a.updatedAt ?? 0) || (b.createdAt ?? 0) - (a.createdAt ?? 0);
  return versions.filter((v) => v.stages.includes(stage)).sort(by)[0];
}

/** The newest version without any stage tag (Key Vault stores whole seconds: ties are possible). */
export function newestUntagged(versions: readonly VersionState[]): VersionState | undefined {
  return versions
    .filter((v) => v.stages.length === 0)
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
}
