import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  type EnvelopeError,
  type EnvelopeErrorCode,
  isEnvelopeError,
  type Kek,
  KeyringKek,
} from '@portcullis/envelope';
import { expect } from 'vitest';

export function keyring(...ids: string[]): KeyringKek {
  return new KeyringKek({
    keys: (ids.length ? ids : ['kek-1']).map((id) => ({ id, key: randomBytes(32) })),
  });
}

/** A KEK that counts calls and can be told to fail or hang. */
export function countingKek(
  inner: Kek,
): Kek & { calls: Record<string, number>; mode: 'ok' | 'down' | 'hang' } {
  const calls: Record<string, number> = { generate: 0, wrap: 0, unwrap: 0 };
  const state = { mode: 'ok' as 'ok' | 'down' | 'hang' };
  const gate = async (op: string, signal: AbortSignal) => {
    calls[op] = (calls[op] ?? 0) + 1;
    if (state.mode === 'down')
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443 secret-looking-detail'), {
        name: 'Error',
      });
    if (state.mode === 'hang')
      await new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
  };
  return {
    kind: inner.kind,
    calls,
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    async generateDataKey(ctx, o) {
      await gate('generate', o.signal);
      return inner.generateDataKey(ctx, o);
    },
    async wrap(k, ctx, o) {
      await gate('wrap', o.signal);
      return inner.wrap(k, ctx, o);
    },
    async unwrap(id, w, ctx, o) {
      await gate('unwrap', o.signal);
      return inner.unwrap(id, w, ctx, o);
    },
  };
}

export async function refusal(promise: Promise<unknown>): Promise<EnvelopeError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  if (!isEnvelopeError(error)) throw error;
  return error;
}

export async function expectCode(
  promise: Promise<unknown>,
  code: EnvelopeErrorCode,
): Promise<EnvelopeError> {
  const error = await refusal(promise);
  expect(error.code).toBe(code);
  return error;
}

/** Nothing secret in any text form of the error. */
export function expectNothingIn(error: unknown, ...secrets: (string | Uint8Array)[]): void {
  const text = [
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(error),
    String((error as Error).stack),
  ].join('\n');
  for (const s of secrets) {
    const needles =
      typeof s === 'string'
        ? [s]
        : [
            Buffer.from(s).toString('hex'),
            Buffer.from(s).toString('base64'),
            Buffer.from(s).toString('base64url'),
          ];
    for (const n of needles) if (n.length >= 8) expect(text).not.toContain(n);
  }
}
