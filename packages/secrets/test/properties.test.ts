// Property tests for what parses untrusted input: JSON secrets (getJson), file secret names, and
// the cache's schedule (lifetimes inside [TTL/2, TTL], provider calls bounded per TTL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@portcullis/core';
import {
  createSecretsCache,
  FileProvider,
  isSecretsError,
  MemoryProvider,
  type SecretsError,
} from '@portcullis/secrets';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { FaultyProvider, flush } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secretValue = fc.string({ minLength: 12, maxLength: 40 }).map((s) => `sv_${s}`);

it('getJson: any text either parses or is ERR_SECRET_INVALID, and no value it holds is in the error', async () => {
  const Schema = z.object({
    user: z.string(),
    password: z.string().min(4),
    port: z.number().int(),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc
          .record({
            user: secretValue,
            password: secretValue,
            port: fc.oneof(fc.integer(), secretValue),
          })
          .map((o) => JSON.stringify(o)),
        secretValue,
        secretValue.map((v) => `{"password":"${v}"`),
        fc.json(),
      ),
      async (text) => {
        const memory = new MemoryProvider({ secrets: { s: text } });
        const cache = createSecretsCache(memory);
        try {
          const parsed = await cache.getJson('s', Schema).catch((e: unknown) => e);
          if (isSecretsError(parsed)) {
            expect(parsed.code).toBe('ERR_SECRET_INVALID');
            expect(parsed.cause).toBeUndefined();
            const values = [...text.matchAll(/sv_[^"]*/g)]
              .map((m) => m[0])
              .filter((v) => v.length >= 12);
            for (const v of values) expect(parsed.message).not.toContain(v);
          } else {
            expect(Schema.safeParse(JSON.parse(text)).success).toBe(true);
          }
        } finally {
          await cache.close();
        }
      },
    ),
    { numRuns: 200 },
  );
});

it('FileProvider: any name is read inside the directory or refused with ERR_SECRET_NOT_FOUND, never another failure', async () => {
  const p = new FileProvider({ directory: dir, settleMs: 0 });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string(),
        fc.constantFrom('..', '../x', 'a/../../b', '/etc/passwd', '.env', 'x.pending'),
      ),
      async (name) => {
        const error = await p.get(name).catch((e: unknown) => e);
        expect(isSecretsError(error, 'ERR_SECRET_NOT_FOUND')).toBe(true);
        // A refused name is not echoed (a valid one, merely absent, is named).
        if ((error as Error).message.includes('not a valid')) {
          expect((error as SecretsError).secretName).toBeUndefined();
          if (name.length > 3) expect((error as Error).message).not.toContain(name);
        }
      },
    ),
    { numRuns: 300 },
  );
});

it('the cache: a hot secret is never served older than a TTL, at a cost of at most one check per ratio·TTL/2', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1000, max: 600_000 }),
      fc.double({ min: 0.1, max: 1, noNaN: true }),
      fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 1, maxLength: 20 }),
      async (ttlMs, ratio, draws) => {
        const clock = new ManualClock(0); // a clock starting at 0 must not confuse the first fetch
        let i = 0;
        const random = () => draws[i++ % draws.length] as number;
        const memory = new MemoryProvider({ clock, secrets: { s: 'v' } });
        const provider = new FaultyProvider(memory);
        // The manual clock jumps a whole step at once: a fetch timeout shorter than a step would
        // fire before the (instant) fetch settles, which real time never does.
        const cache = createSecretsCache(provider, {
          clock,
          ttlMs,
          refreshAheadRatio: ratio,
          random,
          forceRefreshJitterMs: 0,
          fetchTimeoutMs: 3_600_000,
        });
        const v = await cache.getVersion('s');
        expect(v.fetchedAt).toBe(0);
        const span = 10 * ttlMs;
        const step = Math.max(1, Math.floor(ttlMs / 20));
        for (let t = 0; t < span; t += step) {
          const now = await cache.getVersion('s');
          expect(now.ageMs).toBeLessThan(ttlMs); // never served past a TTL while the provider answers
          clock.advance(step);
          await flush(3);
        }
        const calls = provider.calls.get + (provider.calls.currentVersionId ?? 0);
        expect(
          calls,
          JSON.stringify({ ttlMs, ratio, draws, calls: provider.calls }),
        ).toBeLessThanOrEqual(1 + Math.ceil(10 / (0.5 * ratio)));
        await cache.close();
      },
    ),
    { numRuns: 15 },
  );
});

it('regression: with a clock that starts at 0, a change seen by the second fetch still fires onChange', async () => {
  const clock = new ManualClock(0);
  const memory = new MemoryProvider({ clock, secrets: { s: 'one' } });
  const cache = createSecretsCache(memory, { clock, ttlMs: 1000, random: () => 0.999 });
  const seen: string[] = [];
  cache.onChange('s', (c) => seen.push(String(c.version.value.reveal())));
  await cache.get('s');
  memory.set('s', 'two');
  for (let t = 0; t < 1000; t += 100) {
    clock.advance(100);
    await flush();
  }
  expect(seen).toEqual(['two']);
  await cache.close();
});
