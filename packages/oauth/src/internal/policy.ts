import { invalidArgument } from '@portcullis/core';
import type { RefreshPolicy } from '../token/TokenProviderOptions.ts';

/** {@link RefreshPolicy} with every default filled in and checked. */
export type ResolvedPolicy = Required<RefreshPolicy>;

export const DEFAULT_POLICY: ResolvedPolicy = {
  refreshAheadRatio: 0.2,
  jitterRatio: 0.1,
  clockSkewMs: 30_000,
  defaultLifetimeSec: 300,
  maxLifetimeSec: 86_400,
  minRefreshIntervalMs: 1000,
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  rejectedCooldownMs: 10_000,
};

function check(name: keyof RefreshPolicy, value: number, max = Number.POSITIVE_INFINITY): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw invalidArgument(`refresh.${name}`, `a number between 0 and ${max}`, 'value');
  }
}

export function resolvePolicy(policy: RefreshPolicy | undefined): ResolvedPolicy {
  const resolved = { ...DEFAULT_POLICY, ...policy };
  check('refreshAheadRatio', resolved.refreshAheadRatio, 0.9);
  check('jitterRatio', resolved.jitterRatio, 0.5);
  if (resolved.refreshAheadRatio + resolved.jitterRatio > 0.95) {
    throw invalidArgument('refresh.jitterRatio', 'at most 0.95 - refreshAheadRatio', 'value');
  }
  for (const name of [
    'clockSkewMs',
    'defaultLifetimeSec',
    'maxLifetimeSec',
    'minRefreshIntervalMs',
    'initialBackoffMs',
    'maxBackoffMs',
    'rejectedCooldownMs',
  ] as const) {
    check(name, resolved[name]);
  }
  if (resolved.defaultLifetimeSec <= 0 || resolved.maxLifetimeSec <= 0) {
    throw invalidArgument('refresh.defaultLifetimeSec', 'a positive number of seconds', 'value');
  }
  return resolved;
}

/** Capped exponential backoff with full jitter: a delay in [cap/2, cap] for the `failures`-th failure. */
export function backoffMs(policy: ResolvedPolicy, failures: number, random: () => number): number {
  const cap = Math.min(
    policy.maxBackoffMs,
    policy.initialBackoffMs * 2 ** Math.max(0, failures - 1),
  );
  return Math.round(cap / 2 + (cap / 2) * random());
}
