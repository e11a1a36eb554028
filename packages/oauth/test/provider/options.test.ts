import { MemoryStore } from '@portcullis/core';
import { DEFAULTS } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { setup } from './setup.ts';

function thrown(make: () => unknown): { name?: string; code?: string; message?: string } {
  try {
    make();
  } catch (error) {
    return error as { name: string; code: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('createTokenProvider options are validated at construction', () => {
  for (const pollIntervalMs of [0, Number.NaN, -5, 1.5]) {
    it(`refuses fleet.pollIntervalMs ${pollIntervalMs}`, () => {
      const error = thrown(() => setup({ fleet: { store: new MemoryStore(), pollIntervalMs } }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
      expect(error.message).toContain('fleet.pollIntervalMs');
    });
  }

  for (const lockTtlMs of [0, -1, Number.POSITIVE_INFINITY]) {
    it(`refuses fleet.lockTtlMs ${lockTtlMs}`, () => {
      const error = thrown(() => setup({ fleet: { store: new MemoryStore(), lockTtlMs } }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
      expect(error.message).toContain('fleet.lockTtlMs');
    });
  }

  it('refuses a number option given as a string with ERR_INVALID_ARG_TYPE', () => {
    const error = thrown(() => setup({ timeoutMs: '5000' as unknown as number }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('refuses timeoutMs 0 and NaN, and refresh.initialBackoffMs 0 (a retry loop)', () => {
    expect(thrown(() => setup({ timeoutMs: 0 })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(thrown(() => setup({ timeoutMs: Number.NaN })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(thrown(() => setup({ refresh: { initialBackoffMs: 0 } })).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
  });

  it('refuses an unknown option, naming it and the closest known one', () => {
    const error = thrown(() =>
      setup({ allowInsecureRequests: true } as unknown as Parameters<typeof setup>[0]),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('allowInsecureRequests');
    expect(error.message).toMatch(/did you mean "allowInsecureHttp"/i);
  });

  it('refuses unknown keys in nested options (refresh, fleet, clientAuth)', () => {
    const refresh = thrown(() =>
      setup({ refresh: { maxBackofMs: 1 } as unknown as { maxBackoffMs: number } }),
    );
    expect(refresh.message).toContain('refresh.maxBackofMs');
    expect(refresh.message).toContain('maxBackoffMs');
    const fleet = thrown(() =>
      setup({
        fleet: { store: new MemoryStore(), lockTTL: 5 } as unknown as { store: MemoryStore },
      }),
    );
    expect(fleet.message).toContain('fleet.lockTTL');
    const auth = thrown(() =>
      setup({
        clientAuth: { method: 'client_secret_basic', secret: 's', secert: 's' } as unknown as {
          method: 'client_secret_basic';
          secret: string;
        },
      }),
    );
    expect(auth.message).toContain('clientAuth.secert');
  });

  it('refuses unknown keys in handle() parameters', () => {
    const { provider } = setup();
    expect(() => provider.handle({ scopes: 'read' } as unknown as { scope: string })).toThrow(
      /parameters\.scopes.*did you mean "scope"/is,
    );
  });

  it('refuses unknown getToken() options', async () => {
    const { provider } = setup();
    await expect(
      provider.getToken({ forceRefesh: true } as unknown as { forceRefresh: boolean }),
    ).rejects.toThrow(/forceRefesh/);
  });

  it('exports one frozen DEFAULTS object', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.refresh)).toBe(true);
    expect(DEFAULTS.timeoutMs).toBe(10_000);
    expect(DEFAULTS.fleet.pollIntervalMs).toBe(100);
  });
});
