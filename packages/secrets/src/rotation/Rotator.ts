import type { Clock, Redacted, Store, Telemetry } from '@portcullis/core';
import type { WritableSecretProvider } from '../SecretProvider.ts';

/** A new value as `generate` may return it. */
export type GeneratedSecret = string | Uint8Array | Redacted<string> | Redacted<Uint8Array>;

/** What the `test` hook is shown: the pending version, value still boxed. */
export interface RotationCandidate {
  name: string;
  versionId: string;
  value: Redacted<string> | Redacted<Uint8Array>;
}

/** Options for {@link createRotator}. Durations in milliseconds. */
export interface RotatorOptions {
  /** Where the secret lives; it must support `putVersion`, `moveStage` and `removeStage`. */
  provider: WritableSecretProvider;
  /** The secret to rotate. */
  name: string;
  /** Makes a new value (e.g. `generateSecret` of `@portcullis/webhooks`). */
  generate: () => GeneratedSecret | Promise<GeneratedSecret>;
  /**
   * Checks the pending version before it is promoted (log in with it, sign and verify with it).
   * Throwing or returning `false` stops the rotation (`ERR_SECRET_ROTATION_FAILED`) and removes
   * the pending stage, so the next run starts from a fresh value. Must be safe to repeat.
   * Default: none.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that only throws returns void.
  test?: (candidate: RotationCandidate) => boolean | void | Promise<boolean | void>;
  /** How long the old value stays `previous` after a promotion before it is retired. */
  graceMs: number;
  /** For `start()` and `runDue()`: rotate when `current` is older than this. Default: none. */
  intervalMs?: number;
  /**
   * Holds the rotation lock and the small rotation record (token, version id, promotion time;
   * never a value). Rotators of the same secret (several processes) must share one: a
   * `RedisStore` for a fleet. Default: a `MemoryStore` of this rotator.
   */
  store?: Store;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** How long the lock is held at most; a crashed rotator's lock frees itself after it. Default: 300000. */
  lockTtlMs?: number;
  /** Bound on each provider and store call. Default: 30000. */
  stepTimeoutMs?: number;
  /** How often `start()` checks whether a rotation or a retirement is due. Default: 60000. */
  checkIntervalMs?: number;
  /** Called with failures of scheduled runs (`start()`). Default: counted in telemetry only. */
  onError?: (error: unknown) => void;
  /** Where counters go. Default: `telemetry('@portcullis/secrets')`. */
  telemetry?: Telemetry;
}

/** What a rotation did. */
export interface RotationResult {
  /** `'rotated'`: this call promoted; `'already-done'`: a run with this token had promoted. */
  outcome: 'rotated' | 'already-done';
  /** The version now `current`. */
  versionId: string;
  /** The version that became `previous`, if there was one. */
  previousVersionId: string | undefined;
  /** The rotation's idempotency token. */
  token: string;
}

/** Rotates one secret; see {@link createRotator}. */
export interface Rotator {
  /**
   * Generate → put as pending (idempotent by `token`) → test → promote (old current becomes
   * previous) → retire previous after `graceMs`. A pending version left by a crashed run is
   * resumed instead of generating another. Re-running with the same `token` after a crash at
   * any step converges on the same state. Rejects with `ERR_SECRET_ROTATION_IN_PROGRESS` while
   * another rotator holds the lock. Default token: a random one.
   */
  rotate(options?: { token?: string }): Promise<RotationResult>;
  /** Retires `previous` if its grace has passed; resolves whether it did. */
  retire(): Promise<boolean>;
  /**
   * One scheduled check: retire what is due, resume a pending rotation, and rotate when
   * `current` is older than `intervalMs` (token: the interval slot, so two runs of one slot
   * converge). Resolves the rotation's result, or `undefined` when none was due.
   */
  runDue(): Promise<RotationResult | undefined>;
  /** Runs `runDue()` every `checkIntervalMs` (needs `intervalMs`). */
  start(): void;
  /** Stops the schedule and pending retirement timers. */
  stop(): void;
}
