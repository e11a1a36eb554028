import { ManualClock, MemoryStore } from '@portcullis/core';
import { createRotator, MemoryProvider, type RotatorOptions } from '@portcullis/secrets';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Crash, Crasher, CrashingProvider, CrashingStore } from './crash.ts';
import { flush } from './helpers.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function world() {
  const clock = new ManualClock(T0);
  const memory = new MemoryProvider({ clock, secrets: { hook: 'original' } });
  const store = new MemoryStore({ clock });
  let generated = 0;
  const generate = (): string => `generated-${++generated}`;
  return { clock, memory, store, generate, generatedCount: () => generated };
}

type World = ReturnType<typeof world>;

function rotatorFor(w: World, crasher: Crasher, extra: Partial<RotatorOptions> = {}) {
  const rotator = createRotator({
    provider: new CrashingProvider(w.memory, crasher),
    store: new CrashingStore(w.store, crasher),
    name: 'hook',
    generate: w.generate,
    graceMs: HOUR,
    lockTtlMs: 60_000,
    clock: w.clock,
    ...extra,
  });
  stops.push(() => rotator.stop());
  return rotator;
}

/** The stages of every version: [versionId, stages] newest first. */
async function stages(w: World): Promise<string[]> {
  return (await w.memory.listVersions('hook')).map((v) => `${v.versionId}:${v.stages.join('+')}`);
}

async function consistent(w: World, originalId: string): Promise<void> {
  const versions = await w.memory.listVersions('hook');
  const holders = (stage: string) => versions.filter((v) => v.stages.includes(stage as never));
  expect(holders('current')).toHaveLength(1);
  expect(holders('pending')).toHaveLength(0);
  expect(holders('previous').map((v) => v.versionId)).toEqual([originalId]);
  expect(versions).toHaveLength(2); // exactly one new version was stored
  expect((await w.memory.get('hook')).value.reveal()).toMatch(/^generated-/);
}

describe('createRotator', () => {
  it('rotates: pending → test → current, old current becomes previous, retired after the grace', async () => {
    const w = world();
    const original = await w.memory.get('hook');
    const tested: string[] = [];
    const rotator = rotatorFor(w, new Crasher(), {
      test: (c) => {
        tested.push(String(c.value.reveal()));
      },
    });
    const result = await rotator.rotate();
    expect(result).toMatchObject({ outcome: 'rotated', previousVersionId: original.versionId });
    expect(tested).toEqual(['generated-1']);
    await consistent(w, original.versionId);
    w.clock.advance(HOUR - 1);
    await flush();
    expect((await w.memory.listVersions('hook')).some((v) => v.stages.includes('previous'))).toBe(
      true,
    );
    w.clock.advance(1);
    await flush();
    expect(await stages(w)).toEqual([`${result.versionId}:current`, `${original.versionId}:`]);
  });

  it('a crash after ANY operation, then a re-run with the same token, converges on the same state', async () => {
    // Count the operations of a clean run, then crash after each of them in turn.
    const clean = world();
    const counter = new Crasher();
    await rotatorFor(clean, counter).rotate({ token: 'rotation-1' });
    const steps = counter.log.slice();
    expect(steps).toEqual([
      'store.setIfAbsent', // lock
      'get current',
      'store.get', // rotation record
      'get pending',
      'putVersion', // generate → pending
      'store.set', // record: token → version
      'store.get', // still holding the lock?
      'moveStage current', // promote
      'store.set', // record: promotedAt
      'store.compareAndDelete', // unlock
    ]);
    for (let crashAt = 1; crashAt <= steps.length; crashAt++) {
      const w = world();
      const originalId = (await w.memory.get('hook')).versionId;
      const dying = new Crasher();
      dying.crashAt = crashAt;
      const died = await rotatorFor(w, dying)
        .rotate({ token: 'rotation-1' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // A crash after the last operation (the lock release, whose failure is ignored) is a success.
      if (crashAt < steps.length)
        expect(died, `crash after ${steps[crashAt - 1]}`).toBeInstanceOf(Crash);
      w.clock.advance(60_000); // a dead process's lock expires
      const rerun = rotatorFor(w, new Crasher());
      const result = await rerun.rotate({ token: 'rotation-1' });
      rerun.stop(); // its retirement timer is replaced by the explicit retire() calls below
      expect(['rotated', 'already-done']).toContain(result.outcome);
      await consistent(w, originalId);
      // and running it yet again changes nothing
      const third = rotatorFor(w, new Crasher());
      const again = await third.rotate({ token: 'rotation-1' });
      third.stop();
      expect(again).toMatchObject({ outcome: 'already-done', versionId: result.versionId });
      await consistent(w, originalId);
      // the previous is retired after the grace, counted from the promotion (or later, never earlier)
      // Promotion happened at T0 (first run) or T0 + 60 s (the re-run): never retired before
      // T0 + grace, always by T0 + 60 s + grace.
      w.clock.advance(HOUR - 60_000 - 1);
      await flush();
      expect(await rotatorFor(w, new Crasher()).retire()).toBe(false);
      w.clock.advance(60_001);
      await flush();
      await rotatorFor(w, new Crasher()).retire();
      const left = await w.memory.listVersions('hook');
      expect(left.filter((v) => v.stages.length > 0).map((v) => v.stages)).toEqual([['current']]);
    }
  });

  it('a crash after any operation of retire(), then a re-run, converges', async () => {
    const prepare = async (): Promise<World> => {
      const w = world();
      const r = rotatorFor(w, new Crasher());
      await r.rotate();
      r.stop(); // no background retirement: the retire() below is the one under test
      w.clock.advance(HOUR);
      return w;
    };
    const counter = new Crasher();
    expect(await rotatorFor(await prepare(), counter).retire()).toBe(true);
    for (let crashAt = 1; crashAt <= counter.log.length; crashAt++) {
      const w = await prepare();
      const dying = new Crasher();
      dying.crashAt = crashAt;
      const died = await rotatorFor(w, dying)
        .retire()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      if (crashAt < counter.log.length) expect(died).toBeInstanceOf(Crash);
      w.clock.advance(60_000);
      await rotatorFor(w, new Crasher()).retire();
      const versions = await w.memory.listVersions('hook');
      expect(versions.filter((v) => v.stages.includes('previous'))).toHaveLength(0);
      expect(versions.filter((v) => v.stages.includes('current'))).toHaveLength(1);
    }
  });

  it('a crash in generate() stores nothing; the re-run generates again', async () => {
    const w = world();
    let fail = true;
    const rotator = rotatorFor(w, new Crasher(), {
      generate: () => {
        if (fail) throw new Crash('died in generate');
        return 'fresh';
      },
    });
    await expect(rotator.rotate({ token: 't' })).rejects.toBeInstanceOf(Crash);
    expect(await w.memory.listVersions('hook')).toHaveLength(1);
    fail = false;
    await rotator.rotate({ token: 't' });
    expect((await w.memory.get('hook')).value.reveal()).toBe('fresh');
  });

  it('the test hook refusing stops the rotation, removes the pending stage, names no value', async () => {
    const w = world();
    const rotator = rotatorFor(w, new Crasher(), {
      test: (c) => {
        throw new Error(`login failed with ${String(c.value.reveal())}`);
      },
    });
    const error = await rotator.rotate().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SECRET_ROTATION_FAILED' });
    expect((error as Error).cause).toBeUndefined();
    expect((error as Error).message).not.toContain('generated-');
    expect((await w.memory.get('hook')).value.reveal()).toBe('original');
    await expect(w.memory.get('hook', { stage: 'pending' })).rejects.toMatchObject({
      code: 'ERR_SECRET_NOT_FOUND',
    });
    const refusing = rotatorFor(w, new Crasher(), { test: () => false });
    await expect(refusing.rotate()).rejects.toMatchObject({ code: 'ERR_SECRET_ROTATION_FAILED' });
  });

  it('two concurrent rotators sharing a store: exactly one promotes', async () => {
    const w = world();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = new CrashingProvider(w.memory, new Crasher());
    const b = new CrashingProvider(w.memory, new Crasher());
    const slowTest = async (): Promise<void> => gate;
    const ra = createRotator({
      provider: a,
      store: w.store,
      name: 'hook',
      generate: w.generate,
      graceMs: HOUR,
      clock: w.clock,
      test: slowTest,
    });
    const rb = createRotator({
      provider: b,
      store: w.store,
      name: 'hook',
      generate: w.generate,
      graceMs: HOUR,
      clock: w.clock,
      test: slowTest,
    });
    stops.push(ra.stop, rb.stop);
    const results = Promise.allSettled([ra.rotate(), rb.rotate()]);
    await flush();
    release();
    const [x, y] = await results;
    const outcomes = [x, y]
      .map((r) =>
        r.status === 'fulfilled' ? r.value.outcome : (r.reason as { code: string }).code,
      )
      .sort();
    expect(outcomes).toEqual(['ERR_SECRET_ROTATION_IN_PROGRESS', 'rotated']);
    expect([...a.moves, ...b.moves].filter((m) => m.startsWith('current:'))).toHaveLength(1);
  });

  it('a rotator whose lock expired during a slow test does not promote', async () => {
    const w = world();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = rotatorFor(w, new Crasher(), { test: () => gate });
    const pending = slow.rotate().catch((e: unknown) => e);
    await flush();
    w.clock.advance(60_000); // lockTtlMs passes
    const other = rotatorFor(w, new Crasher());
    const won = await other.rotate();
    release();
    expect(await pending).toMatchObject({ code: 'ERR_SECRET_ROTATION_IN_PROGRESS' });
    expect((await w.memory.get('hook')).versionId).toBe(won.versionId);
  });

  it('on a schedule: start() rotates when current is older than intervalMs and retires after the grace', async () => {
    const w = world();
    const errors: unknown[] = [];
    const rotator = rotatorFor(w, new Crasher(), {
      intervalMs: 24 * HOUR,
      checkIntervalMs: HOUR,
      onError: (e) => errors.push(e),
    });
    rotator.start();
    await flush();
    expect((await w.memory.get('hook')).value.reveal()).toBe('original');
    for (let h = 0; h < 26; h++) {
      w.clock.advance(HOUR);
      await flush(10);
    }
    expect((await w.memory.get('hook')).value.reveal()).toBe('generated-1');
    expect(
      (await w.memory.listVersions('hook')).filter((v) => v.stages.includes('previous')),
    ).toHaveLength(0);
    expect(w.generatedCount()).toBe(1);
    expect(errors).toEqual([]);
    rotator.stop();
    expect(w.clock.pending).toBe(0);
  });

  it('refuses bad options', () => {
    const w = world();
    expect(() =>
      createRotator({
        provider: w.memory,
        name: 'x',
        generate: w.generate,
      } as unknown as RotatorOptions),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() =>
      createRotator({
        provider: w.memory,
        name: 'x',
        generate: w.generate,
        graceMs: 1,
        lockTTL: 1,
      } as unknown as RotatorOptions),
    ).toThrow(/did you mean "lockTtlMs"/i);
    expect(() =>
      createRotator({
        provider: { get() {} } as never,
        name: 'x',
        generate: w.generate,
        graceMs: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('property: any sequence of rotations, retirements, crashes and clock moves keeps the stages consistent', async () => {
    const action = fc.oneof(
      fc.record({
        kind: fc.constant('rotate' as const),
        crashAt: fc.integer({ min: 1, max: 20 }),
        token: fc.constantFrom('a', 'b', 'c'),
      }),
      fc.record({ kind: fc.constant('retire' as const), crashAt: fc.integer({ min: 1, max: 20 }) }),
      fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.integer({ min: 1, max: 2 * HOUR }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 12 }), async (actions) => {
        const w = world();
        for (const a of actions) {
          if (a.kind === 'advance') {
            w.clock.advance(a.ms);
            await flush(2);
            continue;
          }
          const crasher = new Crasher();
          crasher.crashAt = a.crashAt;
          const r = rotatorFor(w, crasher);
          await (a.kind === 'rotate' ? r.rotate({ token: a.token }) : r.retire()).catch(() => {});
          r.stop();
        }
        const versions = await w.memory.listVersions('hook');
        for (const stage of ['current', 'previous', 'pending'] as const) {
          expect(versions.filter((v) => v.stages.includes(stage)).length).toBeLessThanOrEqual(1);
        }
        expect(versions.filter((v) => v.stages.includes('current'))).toHaveLength(1);
        for (const v of versions) expect(v.stages.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });
});
