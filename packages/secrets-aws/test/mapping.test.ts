import { inspect } from 'node:util';
import { isSecretsError } from '@portcullis/secrets';
import {
  awsClientRequestToken,
  awsErrorToSecretsError,
  fromAwsStages,
  toAwsStage,
} from '@portcullis/secrets-aws';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ctx = { secretName: 'db', operation: 'GetSecretValue' };

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status, requestId: 'req-1' } }),
    ...extra,
  });
}

describe('awsErrorToSecretsError', () => {
  it.each([
    ['ResourceNotFoundException', 400, 'ERR_SECRET_NOT_FOUND'],
    ['ResourceNotFoundException', 404, 'ERR_SECRET_NOT_FOUND'],
    ['ThrottlingException', 400, 'ERR_SECRET_THROTTLED'],
    ['TooManyRequestsException', 429, 'ERR_SECRET_THROTTLED'],
    ['DecryptionFailure', 400, 'ERR_SECRET_ACCESS_DENIED'],
    ['AccessDeniedException', 400, 'ERR_SECRET_ACCESS_DENIED'],
    ['UnrecognizedClientException', 400, 'ERR_SECRET_ACCESS_DENIED'],
    ['InternalServiceError', 500, 'ERR_SECRET_PROVIDER_UNAVAILABLE'],
    ['InvalidRequestException', 400, 'ERR_SECRET_INVALID'],
    ['ResourceExistsException', 400, 'ERR_SECRET_INVALID'],
    ['SomethingNew', 503, 'ERR_SECRET_PROVIDER_UNAVAILABLE'],
    ['SomethingNew', 404, 'ERR_SECRET_NOT_FOUND'],
    ['SomethingNew', 403, 'ERR_SECRET_ACCESS_DENIED'],
    ['SomethingNew', 429, 'ERR_SECRET_THROTTLED'],
    ['SomethingNew', 418, 'ERR_SECRET_INVALID'],
  ])('%s (HTTP %s) → %s', (name, status, code) => {
    const mapped = awsErrorToSecretsError(sdkError(name, status), ctx);
    expect(isSecretsError(mapped, code as never)).toBe(true);
    expect(mapped.secretName).toBe('db');
    expect(mapped.message).toContain(name);
    expect(mapped.message).toContain('GetSecretValue');
  });

  it('an error named like an Object.prototype member maps by status (regression: valueOf)', () => {
    for (const name of ['valueOf', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const mapped = awsErrorToSecretsError(sdkError(name, 503), ctx);
      expect(mapped.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    }
  });

  it('a failure without a response (reset, refused) is UNAVAILABLE', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(awsErrorToSecretsError(reset, ctx).code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    expect(awsErrorToSecretsError('not even an error', ctx).code).toBe(
      'ERR_SECRET_PROVIDER_UNAVAILABLE',
    );
  });

  it('reads Retry-After for throttling only, capped', () => {
    const headers = { 'retry-after': '120' };
    const throttled = awsErrorToSecretsError(
      sdkError('ThrottlingException', 400, { $response: { headers } }),
      {
        ...ctx,
        maxRetryAfterMs: 30_000,
      },
    );
    expect(throttled.retryAfterMs).toBe(30_000);
    const other = awsErrorToSecretsError(
      sdkError('InternalServiceError', 500, { $response: { headers } }),
      ctx,
    );
    expect(other.retryAfterMs).toBeUndefined();
  });

  it('keeps none of the SDK error: no request, response or body; sent values scrubbed from the message', () => {
    const secret = 'sk_live_value_that_must_not_leak';
    const original = sdkError('InvalidRequestException', 400, {
      message: `refused ${secret}`,
      $response: { headers: {}, body: secret },
      input: { SecretString: secret },
    });
    const mapped = awsErrorToSecretsError(original, { ...ctx, sensitive: [secret] });
    const text = [
      inspect(mapped, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      JSON.stringify(mapped),
      mapped.stack,
    ].join();
    expect(text).not.toContain(secret);
    expect(mapped.cause).not.toBe(original);
    expect(mapped.cause).toMatchObject({
      name: 'InvalidRequestException',
      statusCode: 400,
      requestId: 'req-1',
    });
  });

  it('property: any name/status maps to a SecretsError whose message is only ours plus the name', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        fc.string({ minLength: 8 }),
        (name, status, secret) => {
          const mapped = awsErrorToSecretsError(sdkError(name, status, { message: secret }), {
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

describe('stages and tokens', () => {
  it('maps stages both ways and ignores custom labels', () => {
    expect(['current', 'previous', 'pending'].map((s) => toAwsStage(s as never))).toEqual([
      'AWSCURRENT',
      'AWSPREVIOUS',
      'AWSPENDING',
    ]);
    expect(fromAwsStages(['AWSPENDING', 'custom', 'AWSCURRENT'])).toEqual(['current', 'pending']);
    expect(fromAwsStages(undefined)).toEqual([]);
  });

  it('property: a token becomes a deterministic ClientRequestToken AWS accepts', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (token) => {
        const sent = awsClientRequestToken(token);
        expect(sent).toMatch(/^[A-Za-z0-9-]{32,64}$/);
        expect(awsClientRequestToken(token)).toBe(sent);
      }),
    );
    const uuid = '6f1c0b2e-5d3a-4c8e-9b7f-2a1d3e4f5a6b';
    expect(awsClientRequestToken(uuid)).toBe(uuid);
    expect(awsClientRequestToken('a')).not.toBe(awsClientRequestToken('b'));
  });
});
