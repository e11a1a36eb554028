import { randomUUID } from 'node:crypto';
import { isPortcullisError } from '@portcullis/core';
import { IdempotencyError } from '../errors/IdempotencyError.ts';
import type { ResolvedIdempotencyOptions } from '../IdempotencyOptions.ts';

interface LockRecord {
  o: string; // owner
  f: string; // fingerprint
}
interface DoneRecord<T> {
  f: string;
  r: T;
}

/** What one execution produced, and whether it is to be kept for replay. */
export interface Outcome<T> {
  value: T;
  store: boolean;
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function unavailable(error: unknown): IdempotencyError {
  return new IdempotencyError(
    'ERR_IDEMPOTENCY_STORE_UNAVAILABLE',
    'The idempotency store is unavailable; the request was not processed.',
    { cause: error },
  );
}

const reused = (): IdempotencyError =>
  new IdempotencyError(
    'ERR_IDEMPOTENCY_KEY_REUSED',
    'This idempotency key was already used with a different request.',
  );

/**
 * The store keys of one idempotency entry. The id is a Redis Cluster hash tag (`{…}`): the lock
 * and the stored result share one slot, so they live on one primary. An entry then has one
 * failure domain (a dead primary makes both unavailable, never the lock reachable while its
 * result is not), and replication keeps their order (a promoted replica that has the result has
 * the lock taken before it).
 */
export function entryKeys(prefix: string, id: string): { doneKey: string; lockKey: string } {
  return { doneKey: `${prefix}{${id}}:done`, lockKey: `${prefix}{${id}}:lock` };
}

/**
 * Runs `work` at most once per `id` (already scoped and hashed) while its result is kept: the
 * first caller takes an expiring lock, runs and stores the result (the lock then just expires); a caller with
 * the same id and fingerprint gets the stored result, one with another fingerprint a 422, one that
 * arrives while the first runs a 409 (a 422 too when its fingerprint differs). Every store failure before `work` runs fails closed (503,
 * nothing run); a failure to store the result keeps the lock until it expires, so retries in that
 * window get 409 rather than a second execution.
 */
export async function execute<T>(
  o: ResolvedIdempotencyOptions,
  id: string,
  fingerprint: string,
  work: () => Promise<Outcome<T>>,
): Promise<{ replayed: boolean; value: T }> {
  const { doneKey, lockKey } = entryKeys(o.keyPrefix, id);
  const lockValue = JSON.stringify({ o: randomUUID(), f: fingerprint } satisfies LockRecord);
  const store = o.store;

  const replay = (done: DoneRecord<T>): { replayed: boolean; value: T } => {
    if (done.f !== fingerprint) throw reused();
    o.telemetry.count('portcullis.idempotency.replayed');
    return { replayed: true, value: done.r };
  };

  // Lock first, then look for a stored result: three round trips on the common path (lock, read,
  // store), two on a replay. A result is always stored before its lock can go away (it is left to
  // expire), so "lock taken and no result" means "in flight".
  try {
    const acquired = await store.setIfAbsent(lockKey, lockValue, o.lockTtlMs);
    const done = parse<DoneRecord<T>>(await store.get(doneKey));
    if (done !== undefined) return replay(done);
    if (!acquired) {
      const lock = parse<LockRecord>(await store.get(lockKey));
      if (lock !== undefined && lock.f !== fingerprint) throw reused();
      o.telemetry.count('portcullis.idempotency.in_flight');
      throw new IdempotencyError(
        'ERR_IDEMPOTENCY_IN_FLIGHT',
        'A request with this idempotency key is still being processed.',
        {
          retryAfterMs: Math.min(o.lockTtlMs, 1000),
        },
      );
    }
  } catch (error) {
    if (error instanceof IdempotencyError) throw error;
    throw unavailable(error);
  }

  let outcome: Outcome<T>;
  try {
    outcome = await work();
  } catch (error) {
    await store.compareAndDelete(lockKey, lockValue).catch(() => {});
    throw error;
  }
  o.telemetry.count('portcullis.idempotency.executed');
  if (!outcome.store) {
    await store.compareAndDelete(lockKey, lockValue).catch(() => {});
    return { replayed: false, value: outcome.value };
  }
  try {
    await store.set(
      doneKey,
      JSON.stringify({ f: fingerprint, r: outcome.value } satisfies DoneRecord<T>),
      o.ttlMs,
    );
    await store.compareAndDelete(lockKey, lockValue);
  } catch (error) {
    // The work is done; its result is not stored. The lock stays until it expires, so a retry
    // meanwhile is answered 409, not run again.
    o.telemetry.count('portcullis.idempotency.store_failures', 1, {
      step: isPortcullisError(error) ? error.code : 'unknown',
    });
  }
  return { replayed: false, value: outcome.value };
}
