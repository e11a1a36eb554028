import type { SecretStage, SecretVersionInfo } from '@portcullis/secrets';

/** Among versions created in the same instant, the one being introduced comes first. */
const TIE_RANK: Readonly<Record<SecretStage, number>> = { pending: 0, current: 1, previous: 2 };

function rank(version: SecretVersionInfo): number {
  return Math.min(3, ...version.stages.map((s) => TIE_RANK[s]));
}

/**
 * Newest first by `createdAt` (unknown last). Services that store whole seconds make ties: those
 * are ordered pending, current, previous, unlabelled.
 */
export function newestFirst(versions: SecretVersionInfo[]): SecretVersionInfo[] {
  return versions.sort(
    (a, b) =>
      (b.createdAt ?? Number.NEGATIVE_INFINITY) - (a.createdAt ?? Number.NEGATIVE_INFINITY) ||
      rank(a) - rank(b),
  );
}
