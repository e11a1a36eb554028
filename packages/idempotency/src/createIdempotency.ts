import { createHash } from 'node:crypto';
import { invalidArgument } from '@portcullis/core';
import { IdempotencyError, isIdempotencyError } from './errors/IdempotencyError.ts';
import { type IdempotencyOptions, resolveIdempotencyOptions } from './IdempotencyOptions.ts';
import { entryKeys, execute } from './internal/engine.ts';
import {
  fingerprintOf,
  problemResponse,
  readBody,
  readKey,
  replayResponse,
  type StoredResponse,
  scopedId,
  storeResponse,
} from './internal/http.ts';

/** Where a key stands, from {@link Idempotency.check}. */
export type KeyState = 'new' | 'in-flight' | 'completed' | 'mismatch';

/** The API of {@link createIdempotency}. */
export interface Idempotency {
  /**
   * Fetch API middleware: processes a `POST`/`PATCH` (by default) with an `Idempotency-Key` once,
   * and answers retries with the first response (status, headers, body, plus
   * `Idempotent-Replayed: true`). Refusals are RFC 9457 problem responses: `400` missing or
   * malformed key, `409` first request still in flight (with `Retry-After`), `422` key reused with
   * another request, `413` body too large, `503` store down (the handler did not run).
   */
  handle(request: Request, handler: (request: Request) => Promise<Response>): Promise<Response>;
  /**
   * Runs `fn` at most once for `key` (any string: a webhook message id, a job id) and
   * `fingerprint` (what the work is, e.g. a hash of the payload); later calls get the stored
   * value. `fn`'s result must be JSON-serialisable. Throws the `IdempotencyError`s above.
   */
  run<T>(
    key: string,
    fingerprint: string,
    fn: () => Promise<T>,
  ): Promise<{ replayed: boolean; value: T }>;
  /** Where `key` stands for `fingerprint`, without changing anything. */
  check(key: string, fingerprint: string): Promise<KeyState>;
}

const runId = (key: string): string =>
  createHash('sha256').update(`run\u0000${key}`).digest('base64url');

/**
 * Idempotent processing for inbound API requests and webhook deliveries, per the IETF
 * `Idempotency-Key` draft, on any `Store`: `MemoryStore` for one process, `RedisStore` or
 * `PostgresStore` for a fleet (the lock is a `setIfAbsent`, exactly one winner fleet-wide).
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@portcullis/core';
 * import { createIdempotency } from '@portcullis/idempotency';
 * const idempotency = createIdempotency({ store: new MemoryStore() });
 * const request = new Request('https://api.example.com/v1/orders', {
 *   method: 'POST',
 *   headers: { 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"', 'content-type': 'application/json' },
 *   body: '{"sku":"A1"}',
 * });
 * const response = await idempotency.handle(request, async () => Response.json({ id: 'ord_1' }, { status: 201 }));
 * ```
 */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const o = resolveIdempotencyOptions(options);

  return {
    async handle(request, handler) {
      if (!o.methods.includes(request.method)) return handler(request);
      // The first execution answers with the handler's own response (full body, not the stored copy).
      let original: Response | undefined;
      try {
        const header = request.headers.get('idempotency-key');
        if (header === null) {
          if (!o.required) return handler(request);
          throw new IdempotencyError(
            'ERR_IDEMPOTENCY_KEY_MISSING',
            'This request needs an Idempotency-Key header.',
          );
        }
        const key = readKey(header);
        const body = await readBody(request, o.maxRequestBytes);
        const tenant = o.tenant === undefined ? '' : await o.tenant(request);
        if (typeof tenant !== 'string')
          throw invalidArgument('options.tenant', 'a function returning a string');
        const result = await execute<StoredResponse>(
          o,
          scopedId(tenant, request, key),
          fingerprintOf(request, body),
          async () => {
            const response = await handler(
              new Request(request, { body: body.byteLength > 0 ? body : null }),
            );
            const { stored, replayable } = await storeResponse(response, o.maxResponseBytes);
            original = replayable;
            return { value: stored, store: o.storeStatus(stored.status) };
          },
        );
        if (!result.replayed && original !== undefined) return original;
        return replayResponse(result.value);
      } catch (error) {
        if (isIdempotencyError(error)) return problemResponse(error);
        throw error;
      }
    },

    run(key, fingerprint, fn) {
      if (typeof key !== 'string' || key.length === 0)
        throw invalidArgument('key', 'a non-empty string');
      if (typeof fingerprint !== 'string') throw invalidArgument('fingerprint', 'a string');
      return execute(o, runId(key), fingerprint, async () => ({ value: await fn(), store: true }));
    },

    async check(key, fingerprint) {
      const id = runId(key);
      try {
        const { doneKey, lockKey } = entryKeys(o.keyPrefix, id);
        const done = await o.store.get(doneKey);
        const lock = done === undefined ? await o.store.get(lockKey) : undefined;
        const record = done ?? lock;
        if (record === undefined) return 'new';
        const f = (JSON.parse(record) as { f?: string }).f;
        if (f !== fingerprint) return 'mismatch';
        return done === undefined ? 'in-flight' : 'completed';
      } catch (error) {
        throw new IdempotencyError(
          'ERR_IDEMPOTENCY_STORE_UNAVAILABLE',
          'The idempotency store is unavailable.',
          { cause: error },
        );
      }
    },
  };
}
