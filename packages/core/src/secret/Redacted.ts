const REDACTED = '[REDACTED]';
const inspectCustom = Symbol.for('nodejs.util.inspect.custom');
// Shared through Symbol.for: a box made by another copy of this package is still recognised.
const BRAND = Symbol.for('@portcullis/redacted');

/**
 * A box for a secret value (a key, a token, a password). Every way a value is usually turned into
 * text shows `[REDACTED]`: `String()`, template literals, `toJSON`/`JSON.stringify`, `util.inspect`
 * and `console.log`, string concatenation. The value is read only by an explicit `reveal()`.
 * The value lives in a private field, so spreading, `Object.keys`, `structuredClone` and
 * `Object.entries` see nothing either.
 *
 * @example
 * ```ts
 * import { redacted } from '@portcullis/core';
 * const apiKey = redacted('sk_live_123');
 * console.log(`key: ${apiKey}`); // key: [REDACTED]
 * apiKey.reveal(); // 'sk_live_123'
 * ```
 */
export class Redacted<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** Returns the secret. Call it at the last moment, where the secret is used. */
  reveal(): T {
    return this.#value;
  }

  /** `[REDACTED]` */
  toString(): string {
    return REDACTED;
  }

  /** `[REDACTED]`, so `JSON.stringify` never writes the value. */
  toJSON(): string {
    return REDACTED;
  }

  /** `[REDACTED]` for template literals, `+` and any other coercion. */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  get [Symbol.toStringTag](): string {
    return 'Redacted';
  }
}

// Node's `util.inspect` and `console.log` (a registered symbol, so defined outside the class body).
Object.defineProperty(Redacted.prototype, inspectCustom, {
  value: (): string => `Redacted(${REDACTED})`,
});
Object.defineProperty(Redacted.prototype, BRAND, { value: true });

/**
 * Boxes `value` in a {@link Redacted}. Idempotent: boxing a box returns it unchanged.
 *
 * @example
 * ```ts
 * import { redacted } from '@portcullis/core';
 * const password = redacted(process.env.DB_PASSWORD ?? '');
 * ```
 */
export function redacted<T>(value: T | Redacted<T>): Redacted<T> {
  return isRedacted(value) ? (value as Redacted<T>) : new Redacted(value as T);
}

/**
 * Whether `value` is a {@link Redacted} box, made by this or any other installed copy of
 * `@portcullis/core` (a shared brand, not `instanceof`).
 */
export function isRedacted(value: unknown): value is Redacted<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/**
 * The secret inside `value` if it is boxed, or `value` itself: for options that accept either.
 *
 * @example
 * ```ts
 * import { reveal, redacted } from '@portcullis/core';
 * reveal(redacted('a')); // 'a'
 * reveal('b'); // 'b'
 * ```
 */
export function reveal<T>(value: T | Redacted<T>): T {
  return isRedacted(value) ? (value as Redacted<T>).reveal() : (value as T);
}
