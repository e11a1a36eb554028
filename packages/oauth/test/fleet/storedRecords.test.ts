import { MemoryStore } from '@portcullis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fleet, type SpyStore, spyStore, T0 } from './helpers.ts';

describe('fleet mode: whatever is in the store (property)', () => {
  it('a corrupt, foreign or expired shared record is never served', async () => {
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    const tokenKey = (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':token'))![0];
    const record = fc.record({
      v: fc.constantFrom(1, 2, '1'),
      t: fc.oneof(fc.string(), fc.constant('')),
      ty: fc.constantFrom('Bearer', 'DPoP', 'mac', 'bearer'),
      s: fc.oneof(fc.array(fc.string()), fc.constant('read')),
      iat: fc.integer({ min: T0 - 200_000, max: T0 + 200_000 }),
      exp: fc.integer({ min: T0 - 200_000, max: T0 + 200_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          record.map((r) => JSON.stringify(r)),
        ),
        async (raw) => {
          const { providers, store, clock } = fleet(1);
          await store.set(tokenKey, raw, 1_000_000);
          const token = await providers[0]!.getToken();
          const lifetime = token.expiresAt - token.issuedAt;
          expect(['Bearer', 'DPoP']).toContain(token.type);
          expect(token.value.reveal()).not.toBe('');
          expect(clock.now()).toBeLessThan(token.expiresAt - Math.min(10_000, lifetime / 4));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('fleet mode: records written by someone else', () => {
  const HOUR = 3_600_000;
  async function tokenKey(): Promise<string> {
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    return (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':token'))![0];
  }
  const forged = (fields: Record<string, unknown> = {}): string =>
    JSON.stringify({
      v: 1,
      t: 'forged',
      ty: 'Bearer',
      s: ['read'],
      iat: T0,
      exp: T0 + HOUR,
      ...fields,
    });

  it('a record beyond maxLifetimeSec, issued in the future, with a field of the wrong type or a token a header cannot carry is not served', async () => {
    const key = await tokenKey();
    const refused = [
      forged({ exp: T0 + 10 * 365 * 24 * HOUR }), // ten years
      forged({ exp: T0 + 24 * HOUR + 1 }), // just over maxLifetimeSec (86 400 s)
      forged({ iat: T0 + 10_001, exp: T0 + HOUR }), // iat beyond clockSkewMs (10 s here)
      forged({ iat: String(T0) }),
      forged({ exp: T0 + 500 }), // under a second
      forged({ rin: -5 }),
      forged({ rin: '1000' }),
      forged({ s: 'read' }),
      forged({ t: 'forged\r\nx-injected: 1' }), // bytes a header cannot carry
      forged({ t: 'forgéd' }),
      'null',
      '[]',
    ];
    for (const raw of refused) {
      const { providers, store, server } = fleet(1);
      await store.set(key, raw, HOUR);
      const token = await providers[0]!.getToken();
      expect(token.value.reveal()).toBe(server.issued[0]);
      providers[0]!.close();
    }
    // Within the bounds, a record is adopted: the store must be trusted like the token endpoint.
    const { providers, store, server } = fleet(1);
    await store.set(key, forged({ iat: T0 + 10_000, exp: T0 + 24 * HOUR }), HOUR);
    expect((await providers[0]!.getToken()).value.reveal()).toBe('forged');
    expect(server.tokenRequests).toHaveLength(0);
  });

  it("forceRefresh replaces a token adopted from the store with the server's, even one expiring sooner", async () => {
    const key = await tokenKey();
    const { providers, store, server } = fleet(1);
    const provider = providers[0]!;
    await store.set(key, forged({ exp: T0 + 20 * HOUR }), HOUR);
    expect((await provider.getToken()).value.reveal()).toBe('forged');
    const fresh = await provider.getToken({ forceRefresh: true });
    expect(fresh.value.reveal()).toBe(server.issued[0]);
    expect((await provider.getToken()).value.reveal()).toBe(server.issued[0]);
    // …and the store now holds the server's token for the rest of the fleet.
    expect(JSON.parse((await store.get(key))!).t).toBe(server.issued[0]);
  });

  it('a token this process invalidated is not adopted again when it reappears in the store', async () => {
    const key = await tokenKey();
    const { providers, store, server } = fleet(1);
    const provider = providers[0]!;
    await store.set(key, forged(), HOUR);
    const adopted = await provider.getToken();
    expect(adopted.value.reveal()).toBe('forged');
    await provider.invalidate(adopted);
    expect(await store.get(key)).toBeUndefined();
    await store.set(key, forged({ exp: T0 + 2 * HOUR }), HOUR); // written back
    expect((await provider.getToken()).value.reveal()).toBe(server.issued[0]);
  });
});

describe('fleet mode: bounds on stored records (property)', () => {
  it('no served token lives longer than maxLifetimeSec or was issued beyond clockSkewMs', async () => {
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    const tokenKey = (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':token'))![0];
    const time = fc.oneof(
      fc.integer({ min: T0 - 400_000_000, max: T0 + 400_000_000 }),
      fc.constantFrom('1', null, 1e308, -0),
    );
    const record = fc.record(
      {
        v: fc.constant(1),
        t: fc.string({ minLength: 1 }),
        ty: fc.constant('Bearer'),
        s: fc.constant(['read']),
        iat: time,
        exp: time,
        rin: fc.oneof(fc.integer({ min: -1000, max: 400_000_000 }), fc.constant('5')),
      },
      { requiredKeys: ['v', 't', 'ty', 's', 'iat', 'exp'] },
    );
    await fc.assert(
      fc.asyncProperty(record, async (r) => {
        const { providers, store, clock } = fleet(1, undefined, {
          refresh: { clockSkewMs: 10_000, maxLifetimeSec: 3600 },
        });
        await store.set(tokenKey, JSON.stringify(r), 1_000_000);
        const token = await providers[0]!.getToken();
        expect(token.expiresAt - token.issuedAt).toBeLessThanOrEqual(3_600_000);
        expect(token.issuedAt).toBeLessThanOrEqual(clock.now() + 10_000);
        expect(clock.now()).toBeLessThan(token.expiresAt);
        providers[0]!.close();
      }),
      { numRuns: 150 },
    );
  });
});
