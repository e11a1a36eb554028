import {
  type Clock,
  invalidArgument,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import type { SubjectKeyStore } from './subjects/SubjectKeyStore.ts';
import type { EnvelopeContext, Kek } from './types.ts';

/** Options of {@link createEnvelope}. Durations in milliseconds. */
export interface EnvelopeOptions {
  /** The key-encryption key: `KeyringKek`, `AwsKmsKek`, `AzureKeyVaultKek` or your own. Required. */
  kek: Kek;
  /** Context merged under every call's context (e.g. `{ app: 'billing' }`). Default: none. */
  context?: EnvelopeContext;
  /**
   * The context keys that partition data keys and go to the KMS as its encryption context (where
   * the call's context has them). A data key is reused only for messages whose values for these
   * keys are equal; the other keys (row id, message id) are bound as authenticated data only.
   * Default: `['tenant', 'purpose']`.
   */
  keyContext?: readonly string[];
  /**
   * The batch rule: one data key encrypts at most this many messages (of one partition) before a
   * fresh one is made. `1` gives every message its own data key. Default: 100000.
   */
  dataKeyMaxUses?: number;
  /** A data key encrypts new messages for at most this long. Default: 300000. */
  dataKeyMaxAgeMs?: number;
  /** Most unwrapped keys held in memory (data keys and subject keys; least recently used go first). Default: 1000. */
  cacheMaxEntries?: number;
  /** An unwrapped key is used without asking the KMS again for this long. Default: 300000. */
  cacheMaxAgeMs?: number;
  /**
   * While the KMS is unavailable, keys already in memory keep working until this long after they
   * were unwrapped (or generated); then `ERR_ENVELOPE_KEK_UNAVAILABLE`. Default: 900000.
   */
  outageGraceMs?: number;
  /** Bound on one KMS call. Default: 5000. */
  kekTimeoutMs?: number;
  /** Where data subjects' keys live: enables crypto-shredding by `context.subject`. Default: none. */
  subjects?: SubjectKeyStore;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Where counters go (`envelope.kek.calls`, `envelope.kek.failures`). Default: `telemetry('@portcullis/envelope')`. */
  telemetry?: Telemetry;
}

/**
 * Every default of `@portcullis/envelope`, in one place (the README's defaults table is tested
 * against it). Durations in milliseconds.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/envelope';
 * DEFAULTS.dataKeyMaxUses; // 100000
 * ```
 */
export const DEFAULTS: {
  readonly keyContext: readonly string[];
  readonly dataKeyMaxUses: number;
  readonly dataKeyMaxAgeMs: number;
  readonly cacheMaxEntries: number;
  readonly cacheMaxAgeMs: number;
  readonly outageGraceMs: number;
  readonly kekTimeoutMs: number;
} = Object.freeze({
  keyContext: Object.freeze(['tenant', 'purpose']),
  dataKeyMaxUses: 100_000,
  dataKeyMaxAgeMs: 300_000,
  cacheMaxEntries: 1000,
  cacheMaxAgeMs: 300_000,
  outageGraceMs: 900_000,
  kekTimeoutMs: 5000,
});

/** The options with every default filled in. */
export interface ResolvedEnvelopeOptions {
  kek: Kek;
  context: EnvelopeContext;
  keyContext: readonly string[];
  dataKeyMaxUses: number;
  dataKeyMaxAgeMs: number;
  cacheMaxEntries: number;
  cacheMaxAgeMs: number;
  outageGraceMs: number;
  kekTimeoutMs: number;
  subjects: SubjectKeyStore | undefined;
  clock: Clock;
  telemetry: Telemetry;
}

/**
 * Checks a context argument: a plain object (or one with a null prototype) of string values. A
 * Map, an array or a class instance is refused: its entries are not own string properties, so it
 * would bind as an empty context.
 */
export function checkContext(value: unknown, path: string): EnvelopeContext {
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : 0;
  if (proto !== Object.prototype && proto !== null)
    throw invalidArgument(path, 'a plain object of string values');
  const object = value as Record<string, unknown>;
  for (const key in object)
    if (Object.hasOwn(object, key) && typeof object[key] !== 'string')
      throw invalidArgument(`${path}.${key}`, 'a string');
  return object as EnvelopeContext;
}

/** Resolves {@link EnvelopeOptions} once: every field checked, defaults filled in. */
export function resolveEnvelopeOptions(options: EnvelopeOptions): ResolvedEnvelopeOptions {
  const resolved = resolveOptions<EnvelopeOptions, typeof DEFAULTS>('options', options, DEFAULTS, {
    kek: rules.implementing<Kek>('generateDataKey', 'wrap', 'unwrap'),
    context: rules.optional(rules.custom(checkContext)),
    keyContext: rules.custom((value, path) => {
      if (!Array.isArray(value) || value.some((k) => typeof k !== 'string' || k.length === 0))
        throw invalidArgument(path, 'an array of non-empty strings');
      return Object.freeze([...value]) as readonly string[];
    }),
    dataKeyMaxUses: rules.integer({ max: 2 ** 32 }),
    dataKeyMaxAgeMs: rules.durationMs(),
    cacheMaxEntries: rules.integer({ max: 1_000_000 }),
    cacheMaxAgeMs: rules.durationMs(),
    outageGraceMs: rules.durationMs({ min: 0 }),
    kekTimeoutMs: rules.durationMs({ max: 600_000 }),
    subjects: rules.optional(
      rules.implementing<SubjectKeyStore>('get', 'create', 'replace', 'shred'),
    ),
    clock: rules.optional(rules.implementing<Clock>('now', 'schedule')),
    telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record', 'span')),
  });
  return {
    ...resolved,
    context: resolved.context ?? {},
    subjects: resolved.subjects,
    clock: resolved.clock ?? systemClock,
    telemetry: resolved.telemetry ?? telemetry('@portcullis/envelope'),
  };
}
