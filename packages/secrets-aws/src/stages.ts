import type { SecretStage } from '@portcullis/secrets';

/** The AWS Secrets Manager staging labels that carry a rotation stage. */
export type AwsStageLabel = 'AWSCURRENT' | 'AWSPREVIOUS' | 'AWSPENDING';

const TO_AWS: Readonly<Record<SecretStage, AwsStageLabel>> = Object.freeze({
  current: 'AWSCURRENT',
  previous: 'AWSPREVIOUS',
  pending: 'AWSPENDING',
});

const ORDER: readonly SecretStage[] = ['current', 'previous', 'pending'];

/**
 * The AWS staging label for one of our stages: `current` → `AWSCURRENT`, `previous` →
 * `AWSPREVIOUS`, `pending` → `AWSPENDING`.
 *
 * @example
 * ```ts
 * import { toAwsStage } from '@portcullis/secrets-aws';
 * toAwsStage('pending'); // 'AWSPENDING'
 * ```
 */
export function toAwsStage(stage: SecretStage): AwsStageLabel {
  return TO_AWS[stage];
}

/**
 * Our stages among a version's AWS staging labels, in the order current, previous, pending.
 * Custom labels (anything but the three AWS ones) are ignored.
 *
 * @example
 * ```ts
 * import { fromAwsStages } from '@portcullis/secrets-aws';
 * fromAwsStages(['AWSPENDING', 'my-label', 'AWSCURRENT']); // ['current', 'pending']
 * ```
 */
export function fromAwsStages(labels: readonly string[] | undefined): SecretStage[] {
  if (labels === undefined) return [];
  return ORDER.filter((stage) => labels.includes(TO_AWS[stage]));
}
