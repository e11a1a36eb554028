import { ManualClock } from '@portcullis/core';
import {
  createSecretsCache,
  isSecretsError,
  MemoryProvider,
  type SecretsCacheOptions,
} from '@portcullis/secrets';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  denied,
  FaultyProvider,
  flush,
  RecordingTelemetry,
  throttled,
  unavailable,
} from './helpers.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function setup(
  options: SecretsCacheOptions = {},
  { versionIds = true, random = () => 1 - 1e-9 } = {},
) {
  const clock = new ManualClock(T0);
  const memory = new MemoryProvider({ clock, secrets: { api: 'one' } });
  const provider = new FaultyProvider(memory, { versionIds });
  const t = new RecordingTelemetry();
  const cache = createSecretsCache(provider, {
    clock,
    random,
    telemetry: t,
    ttlMs: 60_000,
    refreshAheadRatio: 0.75,
    forceRefreshJitterMs: 0,
    ...options,
  });
  closers.push(() => cache.close());
  return { clock, memory, provider, cache, t };
}

/** Moves the clock in 1 s steps, letting promises settle between them (as real time would). */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    clock.advance(Math.min(1000, left));
    await flush();
  }
}

describe('createSecretsCache', () => {
  it('single flight: 100 concurrent first reads make one provider call', async () => {
    const { cache, provider } = setup();
    const values = await Promise.all(Array.from({ length: 100 }, () => cache.get('api')));
    expect(values.map((v) => v.reveal())).toEqual(Array(100).fill('one'));
    expect(provider.calls.get).toBe(1);
  });

  it('spreads each lifetime over [TTL/2, TTL] and refreshes ahead in the background', async () => {
    // random() = 0 → lifetime TTL/2 = 30 s; refresh ahead at 0.75 of it = 22.5 s.
    const { cache, provider, clock, memory } = setup({}, { random: () => 0 });
    await cache.get('api');
    await advance(clock, 22_000);
    expect(provider.calls.currentVersionId).toBe(0);
    memory.set('api', 'two');
    await cache.get('api'); // marks it read
    await advance(clock, 1000); // the refresh timer fires at 22.5 s
    expect(provider.calls.currentVersionId).toBe(1);
    expect(provider.calls.get).toBe(2);
    expect((await cache.get('api')).reveal()).toBe('two');
  });

  it('with random() near 1 the lifetime is TTL: nothing is fetched before 0.75 TTL', async () => {
    const { cache, provider, clock } = setup();
    await cache.get('api');
    await advance(clock, 44_000);
    await cache.get('api');
    expect(provider.calls.get + provider.calls.currentVersionId).toBe(1);
    await advance(clock, 2000);
    expect(provider.calls.currentVersionId).toBe(1);
  });

  it('checks currentVersionId first and fetches the value only when it moved', async () => {
    const { cache, provider, clock, memory } = setup();
    await cache.get('api');
    for (let i = 0; i < 3; i++) {
      await cache.get('api');
      await advance(clock, 60_000);
    }
    expect(provider.calls.get).toBe(1);
    expect(provider.calls.currentVersionId).toBeGreaterThanOrEqual(3);
    memory.set('api', 'two');
    await cache.get('api');
    await advance(clock, 60_000);
    expect(provider.calls.get).toBe(2);
    expect((await cache.get('api')).reveal()).toBe('two');
  });

  it('an idle secret is not refreshed on schedule; the next read after expiry waits and gets the new value', async () => {
    const { cache, provider, clock, memory } = setup();
    await cache.get('api');
    await advance(clock, 45_000); // refresh timer: no reads since the fetch → nothing
    await advance(clock, 600_000);
    expect(provider.calls.currentVersionId).toBe(0);
    memory.set('api', 'two');
    expect((await cache.get('api')).reveal()).toBe('two');
  });

  it('serves last-known-good through transient failures, reports its age, then ERR_SECRET_STALE, then recovers', async () => {
    const { cache, provider, clock, t } = setup({ maxStaleMs: 120_000 });
    await cache.get('api');
    provider.failure = unavailable;
    await advance(clock, 61_000);
    const stale = await cache.getVersion('api');
    expect(stale.value.reveal()).toBe('one');
    expect(stale.stale).toBe(true);
    expect(stale.ageMs).toBe(61_000);
    expect(t.total('portcullis.secrets.stale_served')).toBeGreaterThan(0);
    await advance(clock, 59_000);
    expect((await cache.get('api')).reveal()).toBe('one'); // 120 s old: still within maxStaleMs
    await advance(clock, 1000);
    await expect(cache.get('api')).rejects.toMatchObject({ code: 'ERR_SECRET_STALE' });
  });

  it('past maxStaleMs a failing provider gives ERR_SECRET_STALE with the cause; recovery needs no restart', async () => {
    const { cache, provider, clock } = setup({ maxStaleMs: 100_000 });
    await cache.get('api');
    provider.failure = throttled();
    await advance(clock, 99_000);
    expect((await cache.get('api')).reveal()).toBe('one');
    await advance(clock, 2000);
    const error = await cache.get('api').catch((e: unknown) => e);
    expect(isSecretsError(error, 'ERR_SECRET_STALE')).toBe(true);
    expect(isSecretsError((error as Error).cause, 'ERR_SECRET_THROTTLED')).toBe(true);
    provider.failure = undefined;
    await advance(clock, 60_000); // past any backoff
    expect((await cache.get('api')).reveal()).toBe('one');
  });

  it('backs off between refreshes while the provider fails (no hammering), honouring retryAfterMs', async () => {
    const { cache, provider, clock } = setup({
      maxStaleMs: 3_600_000,
      retryInitialMs: 1000,
      retryMaxMs: 60_000,
    });
    await cache.get('api');
    provider.failure = throttled(30_000);
    await advance(clock, 61_000);
    const before = provider.calls.currentVersionId;
    for (let i = 0; i < 200; i++) await cache.get('api');
    await advance(clock, 10_000);
    for (let i = 0; i < 200; i++) await cache.get('api');
    expect(provider.calls.currentVersionId - before).toBeLessThanOrEqual(1);
  });

  it('403 from a refresh surfaces at once and the value is no longer served', async () => {
    const { cache, provider, clock } = setup();
    await cache.get('api');
    provider.failure = denied;
    await advance(clock, 61_000);
    await expect(cache.get('api')).rejects.toMatchObject({ code: 'ERR_SECRET_ACCESS_DENIED' });
    await expect(cache.get('api')).rejects.toMatchObject({ code: 'ERR_SECRET_ACCESS_DENIED' });
  });

  it('a foreign error from a provider counts as an outage (last-known-good), its message dropped', async () => {
    const { cache, provider, clock } = setup();
    await cache.get('api');
    provider.failure = () => new RangeError('socket said: password=one');
    await advance(clock, 61_000);
    expect((await cache.get('api')).reveal()).toBe('one');
    provider.failure = undefined;
    const fresh = new MemoryProvider();
    const other = createSecretsCache(new FaultyProvider(fresh), {
      telemetry: new RecordingTelemetry(),
    });
    closers.push(() => other.close());
    const error = await other.get('missing').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' });
  });

  it('a deleted secret (404) surfaces at once, not as last-known-good', async () => {
    const { cache, memory, clock } = setup();
    await cache.get('api');
    memory.delete('api');
    await advance(clock, 61_000);
    await expect(cache.get('api')).rejects.toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' });
  });

  it('a failed first fetch is not cached: the next read asks again', async () => {
    const { cache, provider } = setup();
    provider.failure = unavailable;
    await expect(cache.get('api')).rejects.toMatchObject({
      code: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    });
    provider.failure = undefined;
    expect((await cache.get('api')).reveal()).toBe('one');
    expect(provider.calls.get).toBe(2);
  });

  it('a hanging provider is bounded by fetchTimeoutMs (transient)', async () => {
    const { cache, provider, clock } = setup({ fetchTimeoutMs: 2000 });
    provider.hang = true;
    const pending = cache.get('api').catch((e: unknown) => e);
    await advance(clock, 2000);
    expect(await pending).toMatchObject({ code: 'ERR_SECRET_PROVIDER_UNAVAILABLE' });
  });

  it('forceRefresh is rate-limited per secret and jittered', async () => {
    const { cache, provider, clock, memory } = setup(
      { forceRefreshIntervalMs: 10_000, forceRefreshJitterMs: 500 },
      { random: () => 0.5 },
    );
    await cache.get('api');
    memory.set('api', 'two');
    // Inside the interval of the last fetch: no call.
    for (let i = 0; i < 50; i++) await cache.get('api', { forceRefresh: true });
    expect(provider.calls.get + provider.calls.currentVersionId).toBe(1);
    await advance(clock, 10_000);
    const forced = Promise.all(
      Array.from({ length: 50 }, () => cache.get('api', { forceRefresh: true })),
    );
    await flush();
    expect(provider.calls.currentVersionId).toBe(0); // waiting out its jitter (250 ms)
    await advance(clock, 250);
    const values = await forced;
    expect(values.at(-1)?.reveal()).toBe('two');
    expect(provider.calls.currentVersionId).toBe(1);
    expect(provider.calls.get).toBe(2);
  });

  it('maxAgeMs refuses an older value: it waits for a refresh, or fails with ERR_SECRET_STALE', async () => {
    const { cache, provider, clock, memory } = setup();
    await cache.get('api');
    memory.set('api', 'two');
    await advance(clock, 5000);
    expect((await cache.get('api')).reveal()).toBe('one');
    expect((await cache.get('api', { maxAgeMs: 1000 })).reveal()).toBe('two');
    await advance(clock, 5000);
    provider.failure = unavailable;
    await expect(cache.get('api', { maxAgeMs: 1000 })).rejects.toMatchObject({
      code: 'ERR_SECRET_STALE',
    });
  });

  it('onChange fires once per new version, with the old id; a throwing listener is contained', async () => {
    const { cache, clock, memory } = setup();
    const seen: string[] = [];
    cache.onChange('api', () => {
      throw new Error('listener bug');
    });
    const off = cache.onChange('api', (c) =>
      seen.push(`${c.previousVersionId}→${c.version.versionId}`),
    );
    const first = await cache.getVersion('api');
    const id2 = memory.set('api', 'two');
    await advance(clock, 45_000); // listeners keep it refreshed even without reads
    expect(seen).toEqual([`${first.versionId}→${id2}`]);
    await advance(clock, 45_000);
    expect(seen).toHaveLength(1);
    off();
    memory.set('api', 'three');
    await cache.get('api');
    await advance(clock, 45_000);
    expect(seen).toHaveLength(1);
  });

  it('getJson parses with a zod schema; a mismatch or bad JSON is ERR_SECRET_INVALID without the value', async () => {
    const { cache, memory } = setup();
    memory.set('db', JSON.stringify({ user: 'app', password: 'hunter2-secret' }));
    const schema = z.object({ user: z.string(), password: z.string().min(8) });
    const db = await cache.getJson('db', schema);
    expect(db.user).toBe('app');
    expect(await cache.getJson('db', schema)).toBe(db); // parsed once per version
    const strict = z.object({ user: z.number() });
    const error = await cache.getJson('db', strict).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SECRET_INVALID' });
    expect((error as Error).message).toContain('user: invalid_type');
    memory.set('bad', '{"password":"hunter2-secret"');
    const bad = await cache.getJson('bad', schema).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'ERR_SECRET_INVALID' });
    for (const e of [error, bad]) {
      expect(
        JSON.stringify({ m: (e as Error).message, s: (e as Error).stack, c: (e as Error).cause }),
      ).not.toContain('hunter2');
    }
  });

  it('binary secrets: getBytes returns bytes; get() of a binary secret is ERR_SECRET_INVALID', async () => {
    const { cache, memory } = setup();
    memory.set('key', new Uint8Array([0, 1, 2, 255]));
    expect([...(await cache.getBytes('key')).reveal()]).toEqual([0, 1, 2, 255]);
    await expect(cache.get('key')).rejects.toMatchObject({ code: 'ERR_SECRET_INVALID' });
    expect(new TextDecoder().decode((await cache.getBytes('api')).reveal())).toBe('one');
  });

  it('activeSecrets: current, plus the provider previous until it is retired', async () => {
    const { cache, clock, memory } = setup();
    const resolve = cache.activeSecrets('api');
    expect((await resolve()).map((s) => [s.label, s.secret.reveal()])).toEqual([
      ['current', 'one'],
    ]);
    const v2 = memory.set('api', 'two');
    await advance(clock, 61_000);
    expect((await resolve()).map((s) => [s.label, s.secret.reveal()])).toEqual([
      ['current', 'two'],
      ['previous', 'one'],
    ]);
    const previous = await memory.get('api', { stage: 'previous' });
    await memory.removeStage('api', 'previous', previous.versionId);
    await advance(clock, 61_000);
    expect((await resolve()).map((s) => s.label)).toEqual(['current']);
    expect(v2).toBeTruthy();
  });

  it('activeSecrets keeps an observed previous for previousGraceMs when the provider has none', async () => {
    const env: Record<string, string> = { API: 'one' };
    const { EnvProvider } = await import('@portcullis/secrets');
    const clock = new ManualClock(T0);
    const cache = createSecretsCache(new EnvProvider({ env }), {
      clock,
      ttlMs: 60_000,
      previousGraceMs: 300_000,
      random: () => 0.999,
    });
    closers.push(() => cache.close());
    const resolve = cache.activeSecrets('api');
    await resolve();
    env.API = 'two';
    await advance(clock, 61_000);
    expect((await resolve()).map((s) => s.secret.reveal())).toEqual(['two', 'one']);
    await advance(clock, 300_000);
    expect((await resolve()).map((s) => s.secret.reveal())).toEqual(['two']);
  });

  it('close() stops timers and later reads reject', async () => {
    const { cache, clock } = setup();
    await cache.get('api');
    await cache.close();
    expect(clock.pending).toBe(0);
    await expect(cache.get('api')).rejects.toMatchObject({
      code: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    });
  });

  it('validates options: wrong type, out of range, unknown key with a suggestion', () => {
    const memory = new MemoryProvider();
    expect(() => createSecretsCache(memory, { ttlMs: '5' as unknown as number })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => createSecretsCache(memory, { ttlMs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() =>
      createSecretsCache(memory, { ttlMS: 5 } as unknown as SecretsCacheOptions),
    ).toThrow(/did you mean "ttlMs"/i);
    expect(() => createSecretsCache({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
