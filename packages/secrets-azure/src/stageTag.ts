import type { SecretStage } from '@portcullis/secrets';

const ORDER: readonly SecretStage[] = ['current', 'previous', 'pending'];

/**
 * The stages written in a version's stage tag: a comma-separated list of `current`, `previous`,
 * `pending` (`"current"`, `"pending"`, `"previous"`); other words and spaces are ignored, and the
 * result is in the order current, previous, pending.
 *
 * @example
 * ```ts
 * import { parseStageTag } from '@portcullis/secrets-azure';
 * parseStageTag('pending, current'); // ['current', 'pending']
 * parseStageTag(undefined); // []
 * ```
 */
export function parseStageTag(value: string | undefined): SecretStage[] {
  if (value === undefined) return [];
  const words = value.split(',').map((w) => w.trim().toLowerCase());
  return ORDER.filter((stage) => words.includes(stage));
}

/**
 * The stage tag's value for a set of stages (`''` for none), in the order current, previous,
 * pending.
 *
 * @example
 * ```ts
 * import { formatStageTag } from '@portcullis/secrets-azure';
 * formatStageTag(['pending', 'current']); // 'current,pending'
 * ```
 */
export function formatStageTag(stages: readonly SecretStage[]): string {
  return ORDER.filter((stage) => stages.includes(stage)).join(',');
}
