// RedisStore's options: one DEFAULTS object, every option checked at construction (unknown keys
// refused with a suggestion), the command timeout on the injected clock, and the README's
// defaults table held against DEFAULTS.
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@portcullis/core';
import { DEFAULTS, type RedisClientLike, RedisStore } from '@portcullis/store-redis';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

interface Pending {
  args: readonly string[];
  resolve(reply: unknown): void;
}

/** A client whose every command waits until the test answers it. */
function heldClient(): RedisClientLike & { pending: Pending[]; sent: string[][] } {
  const pending: Pending[] = [];
  const sent: string[][] = [];
  return {
    pending,
    sent,
    sendCommand(args) {
      sent.push([...args]);
      return new Promise((resolve) => pending.push({ args, resolve }));
    },
  };
}

describe('RedisStore options', () => {
  it('the README defaults table matches DEFAULTS', () => {
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });

  it('refuses an unknown option, naming it and the closest known one', async () => {
    const client = heldClient();
    expect(() => new RedisStore({ client, commandTimeoutMS: 100 } as never)).toThrow(
      /Unknown option "options.commandTimeoutMS". Did you mean "commandTimeoutMs"\?/,
    );
    await expect(
      RedisStore.connect({ url: 'redis://127.0.0.1:1', connectTimeout: 5 } as never),
    ).rejects.toThrow(/Did you mean "connectTimeoutMs"/);
  });

  it('times commands out on the injected clock, not on real time', async () => {
    const clock = new ManualClock(0);
    const client = heldClient();
    const store = new RedisStore({ client, commandTimeoutMs: 500, clock });
    const outcome = store.get('k').then(
      () => 'resolved',
      (error: { code?: string }) => error.code,
    );
    clock.advance(499);
    await Promise.resolve();
    expect(client.pending).toHaveLength(1);
    clock.advance(1);
    // Settled at once by the clock's tick (a real-time timer would still be pending).
    const now = await Promise.race([
      outcome,
      new Promise((resolve) => setImmediate(() => resolve('pending'))),
    ]);
    expect(now).toBe('ERR_STORE_UNAVAILABLE');
  });

  it('a setIfAbsent that lands after its timeout is undone when its reply arrives', async () => {
    const clock = new ManualClock(0);
    const client = heldClient();
    const store = new RedisStore({ client, commandTimeoutMs: 100, clock, keyPrefix: 'p:' });
    const write = store.setIfAbsent('nonce', 'mark-1', 60_000);
    clock.advance(100);
    await expect(write).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    // Redis resumes: the SET NX succeeded after all.
    client.pending[0]?.resolve('OK');
    await new Promise((r) => setImmediate(r));
    expect(client.sent[1]).toEqual(['EVALSHA', expect.any(String), '1', 'p:nonce', 'mark-1']);
    client.pending[1]?.resolve(1);
  });

  it('a late setIfAbsent that lost (the key was there) is left alone', async () => {
    const clock = new ManualClock(0);
    const client = heldClient();
    const store = new RedisStore({ client, commandTimeoutMs: 100, clock });
    const write = store.setIfAbsent('nonce', 'mark-2', 60_000);
    clock.advance(100);
    await expect(write).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    client.pending[0]?.resolve(null);
    await new Promise((r) => setImmediate(r));
    expect(client.sent).toHaveLength(1);
  });
});
