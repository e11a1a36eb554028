import type { Store } from '@portcullis/core';
import fc from 'fast-check';

/**
 * A plain model of the `Store` contract for property tests: a map of values with deadlines and a
 * clock. Operations are generated on a few keys so they collide, with values that are either
 * counters or plainly not numbers.
 */
export type Op =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: string; ttlMs: number }
  | { op: 'setIfAbsent'; key: string; value: string; ttlMs: number }
  | { op: 'increment'; key: string; ttlMs: number; by: number }
  | { op: 'delete'; key: string }
  | { op: 'compareAndDelete'; key: string; value: string }
  | { op: 'advance'; ms: number };

export class StoreModel {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();
  now = 0;

  #live(key: string): { value: string; expiresAt: number } | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > this.now ? entry : undefined;
  }

  /** What the operation returns, or `'corrupt'` where the store must reject with ERR_STORE_CORRUPT. */
  apply(op: Op): unknown {
    switch (op.op) {
      case 'get':
        return this.#live(op.key)?.value;
      case 'set':
        this.#entries.set(op.key, { value: op.value, expiresAt: this.now + op.ttlMs });
        return undefined;
      case 'setIfAbsent':
        if (this.#live(op.key)) return false;
        this.#entries.set(op.key, { value: op.value, expiresAt: this.now + op.ttlMs });
        return true;
      case 'increment': {
        const entry = this.#live(op.key);
        if (entry === undefined) {
          this.#entries.set(op.key, { value: String(op.by), expiresAt: this.now + op.ttlMs });
          return { value: op.by, ttlMs: op.ttlMs };
        }
        if (!/^-?\d+$/.test(entry.value)) return 'corrupt';
        entry.value = String(Number(entry.value) + op.by);
        return { value: Number(entry.value), ttlMs: entry.expiresAt - this.now };
      }
      case 'delete':
        return this.#live(op.key) !== undefined && this.#entries.delete(op.key);
      case 'compareAndDelete':
        return this.#live(op.key)?.value === op.value && this.#entries.delete(op.key);
      case 'advance':
        this.now += op.ms;
        return undefined;
    }
  }
}

/** Runs `op` on a store, turning ERR_STORE_CORRUPT into `'corrupt'` as the model does. */
export async function run(store: Store, op: Op): Promise<unknown> {
  try {
    switch (op.op) {
      case 'get':
        return await store.get(op.key);
      case 'set':
        return await store.set(op.key, op.value, op.ttlMs);
      case 'setIfAbsent':
        return await store.setIfAbsent(op.key, op.value, op.ttlMs);
      case 'increment':
        return await store.increment(op.key, op.ttlMs, op.by);
      case 'delete':
        return await store.delete(op.key);
      case 'compareAndDelete':
        return await store.compareAndDelete(op.key, op.value);
      case 'advance':
        return undefined;
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_STORE_CORRUPT') return 'corrupt';
    throw error;
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'ключ');
const value = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('x', 'lock-owner', '1.5', 'é'),
);

/** Operations; with `ttl` the TTLs to draw from, and `advance` whether time may move. */
export function ops(ttl: fc.Arbitrary<number>, advance: boolean): fc.Arbitrary<Op[]> {
  const choices: fc.Arbitrary<Op>[] = [
    fc.record({ op: fc.constant('get' as const), key }),
    fc.record({ op: fc.constant('set' as const), key, value, ttlMs: ttl }),
    fc.record({ op: fc.constant('setIfAbsent' as const), key, value, ttlMs: ttl }),
    fc.record({
      op: fc.constant('increment' as const),
      key,
      ttlMs: ttl,
      by: fc.integer({ min: -50, max: 50 }),
    }),
    fc.record({ op: fc.constant('delete' as const), key }),
    fc.record({ op: fc.constant('compareAndDelete' as const), key, value }),
  ];
  if (advance) {
    choices.push(
      fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 1500 }) }),
    );
  }
  return fc.array(fc.oneof(...choices), { maxLength: 40 });
}
