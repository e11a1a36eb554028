// EgressError: stable codes with their statuses, caller-safe JSON (no cause), a type guard that
// matches by brand and code prefix (a duplicate install still matches, another package's error
// does not), and refusals from check() that never echo URL credentials or the query.
import { inspect } from 'node:util';
import { PortcullisError } from '@portcullis/core';
import { createSecureFetch, EgressError, isEgressError } from '@portcullis/egress';
import { describe, expect, it } from 'vitest';

describe('EgressError', () => {
  it.each([
    ['ERR_EGRESS_INVALID_URL', 400],
    ['ERR_EGRESS_ADDRESS_REFUSED', 403],
    ['ERR_EGRESS_HOST_NOT_ALLOWED', 403],
    ['ERR_EGRESS_RESPONSE_TOO_LARGE', 502],
    ['ERR_EGRESS_TIMEOUT', 504],
  ] as const)('%s has status %i', (code, status) => {
    const error = new EgressError(code, 'refused', { host: 'h', cause: new Error('inner secret') });
    expect(error.status).toBe(status);
    expect(error.name).toBe('EgressError');
    expect(JSON.stringify(error)).not.toContain('inner secret');
    expect(isEgressError(error, code)).toBe(true);
  });

  it('the guard matches by brand and prefix, not instanceof', () => {
    expect(isEgressError(new PortcullisError('ERR_EGRESS_TIMEOUT', 'x'))).toBe(true);
    expect(isEgressError(new PortcullisError('ERR_WEBHOOK_REPLAYED', 'x'))).toBe(false);
    expect(isEgressError({ code: 'ERR_EGRESS_TIMEOUT' })).toBe(false);
    expect(isEgressError(new EgressError('ERR_EGRESS_TIMEOUT', 'x'), 'ERR_EGRESS_NETWORK')).toBe(
      false,
    );
  });

  it('refusals name the host only: no credentials, path, query or address', async () => {
    const secureFetch = createSecureFetch({
      allowHosts: ['*'],
      resolver: async () => [{ address: '10.9.8.7' }],
    });
    const cases = [
      'https://bob:hunter2@api.example.com/p?token=t0ps3cret',
      'http://api.example.com/private/path?token=t0ps3cret',
      'https://rebinding.example/private/path?token=t0ps3cret',
      'https://10.9.8.7/private/path?token=t0ps3cret',
    ];
    for (const url of cases) {
      const error = await secureFetch.check(url).catch((e: unknown) => e);
      expect(isEgressError(error)).toBe(true);
      const text = `${inspect(error, { depth: Number.POSITIVE_INFINITY })} ${JSON.stringify(error)}`;
      expect(text).not.toMatch(/hunter2|t0ps3cret|private\/path|bob/);
    }
    const rebound = await secureFetch.check('https://rebinding.example/').catch((e: unknown) => e);
    expect(String((rebound as Error).message)).not.toContain('10.9.8.7');
    await secureFetch.close();
  });
});
