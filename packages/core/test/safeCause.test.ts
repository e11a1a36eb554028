import { inspect } from 'node:util';
import { safeCause } from '@portcullis/core';
import { describe, expect, it } from 'vitest';

describe('safeCause', () => {
  const secret = 'sk_live_9f8e7d6c5b4a';

  it('keeps name, status, request id and service code, and removes every sent value from the message', () => {
    const original = Object.assign(new Error(`value ${secret} is invalid; again: ${secret}`), {
      $response: { body: `{"SecretString":"${secret}"}`, headers: { authorization: secret } },
      cause: new Error(secret),
    });
    const cause = safeCause(original, {
      name: 'ValidationException',
      status: 400,
      requestId: 'req-1',
      serviceCode: 'BadValue',
      sensitive: [secret, ''],
    });
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe('ValidationException');
    expect(cause.message).toBe('value [REDACTED] is invalid; again: [REDACTED]');
    expect([cause.statusCode, cause.requestId, cause.serviceCode]).toEqual([
      400,
      'req-1',
      'BadValue',
    ]);
    expect(cause.cause).toBeUndefined();
    const shown = inspect(cause, { depth: Infinity, showHidden: true });
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain('$response');
    expect(cause.stack).toBe('ValidationException: value [REDACTED] is invalid; again: [REDACTED]');
  });

  it('cuts long messages and takes anything as the original', () => {
    expect(
      safeCause(new Error('x'.repeat(1000)), { name: 'E', status: undefined }).message,
    ).toHaveLength(301);
    for (const original of [undefined, null, 42, 'text', { message: 7 }]) {
      const cause = safeCause(original, { name: 'Unknown', status: 503 });
      expect(cause.message).toBe('');
      expect(cause.statusCode).toBe(503);
    }
  });
});
