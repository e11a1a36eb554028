import { ManualClock, redacted } from '@portcullis/core';
import { EnvProvider, envVariableName, MemoryProvider } from '@portcullis/secrets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('MemoryProvider', () => {
  it('putVersion is idempotent by token; a reused token with another value is refused', async () => {
    const p = new MemoryProvider({ secrets: { s: 'one' } });
    const id = await p.putVersion('s', redacted('two'), { token: 'tok-1', stage: 'pending' });
    expect(await p.putVersion('s', redacted('two'), { token: 'tok-1', stage: 'pending' })).toBe(id);
    expect(await p.listVersions('s')).toHaveLength(2);
    await expect(
      p.putVersion('s', redacted('three'), { token: 'tok-1', stage: 'pending' }),
    ).rejects.toMatchObject({ code: 'ERR_SECRET_INVALID' });
    await expect(
      p.putVersion('s', redacted('x'), { token: '', stage: 'pending' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('moveStage current: old current becomes previous, pending cleared; repeating it changes nothing', async () => {
    const clock = new ManualClock(1000);
    const p = new MemoryProvider({ clock, secrets: { s: 'one' } });
    const first = (await p.get('s')).versionId;
    const id = await p.putVersion('s', redacted('two'), { token: 't2', stage: 'pending' });
    await p.moveStage('s', 'current', id);
    const view = async () => (await p.listVersions('s')).map((v) => [v.versionId, v.stages]);
    const after = await view();
    expect(after).toEqual([
      [id, ['current']],
      [first, ['previous']],
    ]);
    await p.moveStage('s', 'current', id);
    expect(await view()).toEqual(after);
    expect((await p.get('s', { stage: 'previous' })).value.reveal()).toBe('one');
    expect((await p.get('s', { versionId: first })).value.reveal()).toBe('one');
    await expect(p.moveStage('s', 'current', 'nope')).rejects.toMatchObject({
      code: 'ERR_SECRET_NOT_FOUND',
    });
    await expect(p.get('missing')).rejects.toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' });
  });

  it('property: any sequence of writes and stage moves leaves each stage on at most one version, current on exactly one', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        token: fc.constantFrom('a', 'b', 'c', 'd'),
        stage: fc.constantFrom('current', 'previous', 'pending') as fc.Arbitrary<
          'current' | 'previous' | 'pending'
        >,
      }),
      fc.record({
        kind: fc.constant('move' as const),
        pick: fc.nat(),
        stage: fc.constantFrom('current', 'previous', 'pending') as fc.Arbitrary<
          'current' | 'previous' | 'pending'
        >,
      }),
      fc.record({
        kind: fc.constant('remove' as const),
        pick: fc.nat(),
        stage: fc.constantFrom('previous', 'pending') as fc.Arbitrary<'previous' | 'pending'>,
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const p = new MemoryProvider({ secrets: { s: 'seed' } });
        for (const o of ops) {
          const versions = await p.listVersions('s');
          if (o.kind === 'put')
            await p.putVersion('s', redacted(`value-${o.token}`), {
              token: o.token,
              stage: o.stage,
            });
          else {
            const v = versions[o.pick % versions.length];
            if (v === undefined) continue;
            if (o.kind === 'move') await p.moveStage('s', o.stage, v.versionId);
            else await p.removeStage('s', o.stage, v.versionId);
          }
          const after = await p.listVersions('s');
          for (const stage of ['current', 'previous', 'pending'] as const) {
            expect(after.filter((x) => x.stages.includes(stage)).length).toBeLessThanOrEqual(1);
          }
          expect(after.filter((x) => x.stages.includes('current'))).toHaveLength(1);
          // A version that just became current is never also pending (a later explicit move may
          // put another stage on it, as AWS allows).
          const before = versions.find((x) => x.stages.includes('current'))?.versionId;
          const moved = after.find((x) => x.stages.includes('current'))?.versionId;
          if (o.kind === 'move' && o.stage === 'current' && moved !== before) {
            expect(after.find((x) => x.stages.includes('current'))?.stages).toEqual(['current']);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('EnvProvider', () => {
  it('reads PREFIX + NAME (upper case, non-alphanumerics as _) and the __PREVIOUS / __PENDING stages', async () => {
    const env = {
      APP_WEBHOOK_SECRET: 'now',
      APP_WEBHOOK_SECRET__PREVIOUS: 'before',
      APP_BLOB: 'base64:AAEC/w==',
    };
    const p = new EnvProvider({ prefix: 'APP_', env });
    expect((await p.get('webhook-secret')).value.reveal()).toBe('now');
    expect((await p.get('webhook.secret', { stage: 'previous' })).value.reveal()).toBe('before');
    expect([...((await p.get('blob')).value.reveal() as Uint8Array)]).toEqual([0, 1, 2, 255]);
    await expect(p.get('webhook-secret', { stage: 'pending' })).rejects.toMatchObject({
      code: 'ERR_SECRET_NOT_FOUND',
      message: expect.stringContaining('APP_WEBHOOK_SECRET__PENDING'),
    });
    const before = await p.currentVersionId('webhook-secret');
    env.APP_WEBHOOK_SECRET = 'later';
    expect(await p.currentVersionId('webhook-secret')).not.toBe(before);
    expect((await p.listVersions('webhook-secret')).map((v) => v.stages[0])).toEqual([
      'current',
      'previous',
    ]);
  });

  it('an empty variable is absent; a bad base64 value is ERR_SECRET_INVALID', async () => {
    const p = new EnvProvider({ env: { EMPTY: '', BAD: 'base64:%%%' } });
    await expect(p.get('empty')).rejects.toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' });
    await expect(p.get('bad')).rejects.toMatchObject({ code: 'ERR_SECRET_INVALID' });
    expect(() => new EnvProvider({ prefx: 'A' } as never)).toThrow(/did you mean "prefix"/i);
  });

  it('property: the variable name is always [A-Z0-9_]*, keeps the prefix, and ends in the stage suffix', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.constantFrom('current', 'previous', 'pending') as fc.Arbitrary<
          'current' | 'previous' | 'pending'
        >,
        (name, stage) => {
          const v = envVariableName(name, { prefix: 'P_', stage });
          expect(v).toMatch(/^P_[A-Z0-9_]*$/);
          if (stage !== 'current') expect(v.endsWith(`__${stage.toUpperCase()}`)).toBe(true);
        },
      ),
    );
  });
});
