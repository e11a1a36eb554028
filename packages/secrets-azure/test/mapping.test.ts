import { inspect } from 'node:util';
import { isSecretsError } from '@portcullis/secrets';
import { azureErrorToSecretsError, formatStageTag, parseStageTag } from '@portcullis/secrets-azure';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ctx = { secretName: 'db', operation: 'getSecret' };

function restError(
  status: number | undefined,
  code?: string,
  message = 'failed',
  headers: Record<string, string> = {},
) {
  return Object.assign(new Error(message), {
    name: 'RestError',
    statusCode: status,
    code,
    response: { headers: { get: (h: string) => headers[h.toLowerCase()] } },
  });
}

describe('azureErrorToSecretsError', () => {
  it.each([
    [404, 'SecretNotFound', 'ERR_SECRET_NOT_FOUND'],
    [401, 'Unauthorized', 'ERR_SECRET_ACCESS_DENIED'],
    [403, 'Forbidden', 'ERR_SECRET_ACCESS_DENIED'],
    [429, 'Throttled', 'ERR_SECRET_THROTTLED'],
    [500, 'InternalError', 'ERR_SECRET_PROVIDER_UNAVAILABLE'],
    [503, 'ServiceUnavailable', 'ERR_SECRET_PROVIDER_UNAVAILABLE'],
    [408, undefined, 'ERR_SECRET_PROVIDER_UNAVAILABLE'],
    [400, 'BadParameter', 'ERR_SECRET_INVALID'],
    [409, 'Conflict', 'ERR_SECRET_INVALID'],
    [undefined, 'REQUEST_SEND_ERROR', 'ERR_SECRET_PROVIDER_UNAVAILABLE'],
  ])('HTTP %s %s → %s', (status, code, expected) => {
    const mapped = azureErrorToSecretsError(restError(status, code), ctx);
    expect(isSecretsError(mapped, expected as never)).toBe(true);
    expect(mapped.secretName).toBe('db');
  });

  it('a 403 for a disabled version is not found, not access denied', () => {
    const disabled = restError(
      403,
      'Forbidden',
      'Operation get is not allowed on a disabled secret.',
    );
    expect(azureErrorToSecretsError(disabled, ctx).code).toBe('ERR_SECRET_NOT_FOUND');
  });

  it('credential failures: refused → access denied; token endpoint down or unreachable → unavailable', () => {
    const named = (name: string, extra: object = {}) =>
      Object.assign(new Error('x'), { name, ...extra });
    expect(azureErrorToSecretsError(named('CredentialUnavailableError'), ctx).code).toBe(
      'ERR_SECRET_ACCESS_DENIED',
    );
    expect(
      azureErrorToSecretsError(
        named('AuthenticationRequiredError', { cause: { errorCode: 'invalid_client' } }),
        ctx,
      ).code,
    ).toBe('ERR_SECRET_ACCESS_DENIED');
    expect(
      azureErrorToSecretsError(named('AuthenticationError', { statusCode: 400 }), ctx).code,
    ).toBe('ERR_SECRET_ACCESS_DENIED');
    expect(
      azureErrorToSecretsError(named('AuthenticationError', { statusCode: 503 }), ctx).code,
    ).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    expect(
      azureErrorToSecretsError(
        named('AuthenticationRequiredError', { cause: { errorCode: 'network_error' } }),
        ctx,
      ).code,
    ).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
  });

  it('reads Retry-After (seconds or date) on 429 only, capped', () => {
    const now = Date.parse('2026-12-03T09:00:00Z');
    const seconds = azureErrorToSecretsError(
      restError(429, 'Throttled', 'x', { 'retry-after': '7' }),
      { ...ctx, nowMs: now },
    );
    expect(seconds.retryAfterMs).toBe(7000);
    const date = azureErrorToSecretsError(
      restError(429, 'Throttled', 'x', { 'retry-after': 'Thu, 03 Dec 2026 09:00:15 GMT' }),
      { ...ctx, nowMs: now },
    );
    expect(date.retryAfterMs).toBe(15_000);
    const capped = azureErrorToSecretsError(
      restError(429, 'Throttled', 'x', { 'retry-after': '3600' }),
      { ...ctx, maxRetryAfterMs: 1000 },
    );
    expect(capped.retryAfterMs).toBe(1000);
    expect(
      azureErrorToSecretsError(restError(503, 'x', 'x', { 'retry-after': '7' }), ctx).retryAfterMs,
    ).toBeUndefined();
  });

  it('keeps no request or response of the SDK error; sent values scrubbed', () => {
    const secret = 'kv-value-that-must-not-leak';
    const original = Object.assign(restError(400, 'BadParameter', `bad ${secret}`), {
      request: { body: JSON.stringify({ value: secret }) },
    });
    const mapped = azureErrorToSecretsError(original, { ...ctx, sensitive: [secret] });
    const text = [
      inspect(mapped, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      JSON.stringify(mapped),
      mapped.stack,
    ].join();
    expect(text).not.toContain(secret);
    expect(mapped.cause).toMatchObject({
      name: 'RestError',
      statusCode: 400,
      serviceCode: 'BadParameter',
    });
  });

  it('property: any status, code and message map to a SecretsError with the value scrubbed', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        fc.string(),
        fc.string({ minLength: 6 }),
        (status, code, secret) => {
          const mapped = azureErrorToSecretsError(restError(status, code, `x${secret}x`), {
            ...ctx,
            sensitive: [secret],
          });
          expect(isSecretsError(mapped)).toBe(true);
          expect(String((mapped.cause as Error).message)).not.toContain(secret);
        },
      ),
    );
  });
});

describe('stage tag', () => {
  it('parses and formats in a fixed order, ignoring unknown words', () => {
    expect(parseStageTag(' Pending , current,archived')).toEqual(['current', 'pending']);
    expect(parseStageTag('')).toEqual([]);
    expect(formatStageTag(['pending', 'previous'])).toBe('previous,pending');
    expect(formatStageTag([])).toBe('');
  });

  it('property: format ∘ parse round-trips any set of stages, and parse never throws', () => {
    const stage = fc.constantFrom('current' as const, 'previous' as const, 'pending' as const);
    fc.assert(
      fc.property(fc.uniqueArray(stage), (stages) => {
        expect(new Set(parseStageTag(formatStageTag(stages)))).toEqual(new Set(stages));
      }),
    );
    fc.assert(fc.property(fc.string(), (text) => Array.isArray(parseStageTag(text))));
  });
});
