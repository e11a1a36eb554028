import { randomUUID } from 'node:crypto';
import {
  boundedCall,
  type Cancel,
  type Clock,
  invalidArgument,
  MemoryStore,
  resolveOptions,
  rules,
  type Store,
  systemClock,
  telemetry,
} from '@portcullis/core';
import { isSecretsError, SecretsError } from '../errors/SecretsError.ts';
import { common, DEFAULTS } from '../internal/options.ts';
import { boxValue } from '../internal/values.ts';
import type { SecretStage, SecretVersion, WritableSecretProvider } from '../SecretProvider.ts';
import type { RotationResult, Rotator, RotatorOptions } from './Rotator.ts';

/** What the store keeps about the last rotation of a secret: ids and times, never a value. */
interface RotationRecord {
  token: string;
  versionId: string;
  promotedAt?: number;
}

function resolve(options: RotatorOptions) {
  return resolveOptions<RotatorOptions, typeof DEFAULTS.rotator & { clock: Clock }>(
    'options',
    options,
    { ...DEFAULTS.rotator, clock: systemClock },
    {
      provider: rules.implementing<WritableSecretProvider>(
        'get',
        'putVersion',
        'moveStage',
        'removeStage',
      ),
      name: rules.string(),
      generate: rules.func<RotatorOptions['generate']>(),
      test: rules.optional(rules.func<NonNullable<RotatorOptions['test']>>()),
      graceMs: rules.durationMs(),
      intervalMs: rules.optional(rules.durationMs()),
      store: rules.optional(common.store()),
      clock: common.clock(),
      lockTtlMs: rules.durationMs(),
      stepTimeoutMs: rules.durationMs(),
      checkIntervalMs: rules.durationMs(),
      onError: rules.optional(rules.func<NonNullable<RotatorOptions['onError']>>()),
      telemetry: rules.optional(common.telemetry()),
    },
  );
}

/**
 * A rotation engine for a secret the service owns (a webhook signing secret, an API-key pepper).
 * Each step is idempotent and the state lives in the provider (stages) and a small record in the
 * store, so a crash between any two steps followed by a re-run converges; a `Store` lock keeps two
 * rotators (two processes) from both promoting.
 *
 * @example
 * ```ts
 * import { createRotator, MemoryProvider } from '@portcullis/secrets';
 * import { generateSecret } from '@portcullis/webhooks';
 * const provider = new MemoryProvider({ secrets: { 'webhook-secret': generateSecret() } });
 * const rotator = createRotator({ provider, name: 'webhook-secret', generate: () => generateSecret(), graceMs: 3_600_000 });
 * const result = await rotator.rotate();
 * result.outcome; // 'rotated'
 * rotator.stop();
 * ```
 */
export function createRotator(options: RotatorOptions): Rotator {
  const o = resolve(options);
  const { provider, name, clock } = o;
  const store: Store = o.store ?? new MemoryStore({ clock });
  // Checked present by the options rule above.
  const removeStage = (
    provider.removeStage as NonNullable<WritableSecretProvider['removeStage']>
  ).bind(provider);
  const t = o.telemetry ?? telemetry('@portcullis/secrets');
  const lockKey = `secrets:rotation-lock:${name}`;
  const recordKey = `secrets:rotation:${name}`;
  const recordTtlMs = 2 * o.graceMs + o.lockTtlMs + 2 * (o.intervalMs ?? 0);
  const timers = new Set<Cancel>();
  let stopped = false;

  const step = <T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> =>
    boundedCall(work, {
      timeoutMs: o.stepTimeoutMs,
      clock,
      onTimeout: () =>
        new SecretsError(
          'ERR_SECRET_PROVIDER_UNAVAILABLE',
          `Rotation of "${name}": ${what} did not finish within ${o.stepTimeoutMs} ms.`,
          { secretName: name },
        ),
    });

  const read = async (stage: SecretStage): Promise<SecretVersion | undefined> => {
    try {
      return await step(`reading ${stage}`, (signal) => provider.get(name, { stage }, { signal }));
    } catch (error) {
      if (isSecretsError(error, 'ERR_SECRET_NOT_FOUND')) return undefined;
      throw error;
    }
  };
  const readRecord = async (): Promise<RotationRecord | undefined> => {
    const text = await step('reading the rotation record', () => store.get(recordKey));
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as RotationRecord;
      return typeof parsed?.token === 'string' && typeof parsed.versionId === 'string'
        ? parsed
        : undefined;
    } catch {
      return undefined;
    }
  };
  const writeRecord = (record: RotationRecord): Promise<void> =>
    step('writing the rotation record', () =>
      store.set(recordKey, JSON.stringify(record), recordTtlMs),
    );

  const failed = (why: string, error?: unknown): SecretsError => {
    const label =
      typeof (error as { name?: unknown })?.name === 'string' ? ` (${(error as Error).name})` : '';
    // No `cause`: the hook is user code and its error may quote the value it tested.
    return new SecretsError(
      'ERR_SECRET_ROTATION_FAILED',
      `Rotation of "${name}": ${why}${label}.`,
      { secretName: name },
    );
  };

  async function locked<T>(work: (owner: string) => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const got = await step('taking the rotation lock', () =>
      store.setIfAbsent(lockKey, owner, o.lockTtlMs),
    );
    if (!got) {
      throw new SecretsError(
        'ERR_SECRET_ROTATION_IN_PROGRESS',
        `Secret "${name}" is being rotated by another rotator.`,
        { secretName: name },
      );
    }
    try {
      return await work(owner);
    } finally {
      await store.compareAndDelete(lockKey, owner).catch(() => {}); // else it expires after lockTtlMs
    }
  }

  function scheduleRetire(promotedAt: number): void {
    if (stopped) return;
    const cancel = clock.schedule(Math.max(0, promotedAt + o.graceMs - clock.now()), () => {
      timers.delete(cancel);
      retire().catch(report);
    });
    timers.add(cancel);
  }

  function report(error: unknown): void {
    t.count('portcullis.secrets.rotation_failed', 1, {
      code: String((error as { code?: unknown })?.code ?? 'unknown'),
    });
    try {
      o.onError?.(error);
    } catch {
      // a failing error handler must not break the schedule
    }
  }

  async function rotate(options: { token?: string } = {}): Promise<RotationResult> {
    const token = options.token ?? randomUUID();
    if (typeof token !== 'string' || token.length === 0)
      throw invalidArgument('options.token', 'a non-empty string');
    return locked(async (owner) => {
      const current = await read('current');
      const record = await readRecord();
      if (record?.token === token && current?.versionId === record.versionId) {
        const promotedAt = record.promotedAt ?? clock.now();
        if (record.promotedAt === undefined) await writeRecord({ ...record, promotedAt });
        scheduleRetire(promotedAt);
        return {
          outcome: 'already-done',
          versionId: record.versionId,
          previousVersionId: (await read('previous'))?.versionId,
          token,
        };
      }
      const pending = await read('pending');
      let target: { versionId: string; value: SecretVersion['value'] };
      if (pending !== undefined && pending.versionId !== current?.versionId) {
        target = pending; // a crashed run's version: finish it rather than make another
      } else {
        const value = boxValue(await o.generate(), 'generate()');
        const versionId = await step('storing the pending version', (signal) =>
          provider.putVersion(name, value, { token, stage: 'pending', signal }),
        );
        target = { versionId, value };
      }
      await writeRecord({ token, versionId: target.versionId });
      if (o.test !== undefined) {
        let ok: unknown;
        try {
          ok = await o.test({ name, versionId: target.versionId, value: target.value });
        } catch (error) {
          await discard(target.versionId);
          throw failed('the test hook refused the new version', error);
        }
        if (ok === false) {
          await discard(target.versionId);
          throw failed('the test hook refused the new version');
        }
      }
      const holder = await step('checking the rotation lock', () => store.get(lockKey));
      if (holder !== owner) {
        throw new SecretsError(
          'ERR_SECRET_ROTATION_IN_PROGRESS',
          `Rotation of "${name}": the lock expired before promotion (lockTtlMs too short?).`,
          { secretName: name },
        );
      }
      await step('promoting the new version', (signal) =>
        provider.moveStage(name, 'current', target.versionId, { signal }),
      );
      const promotedAt = clock.now();
      await writeRecord({ token, versionId: target.versionId, promotedAt });
      t.count('portcullis.secrets.rotated', 1, { provider: provider.kind });
      scheduleRetire(promotedAt);
      return {
        outcome: 'rotated',
        versionId: target.versionId,
        previousVersionId: current?.versionId,
        token,
      };
    });
  }

  async function discard(versionId: string): Promise<void> {
    await step('removing the refused version', (signal) =>
      removeStage(name, 'pending', versionId, { signal }),
    ).catch(() => {});
  }

  async function retire(): Promise<boolean> {
    return locked(async () => {
      const current = await read('current');
      const previous = await read('previous');
      if (current === undefined || previous === undefined) return false;
      const record = await readRecord();
      let promotedAt = record?.versionId === current.versionId ? record.promotedAt : undefined;
      if (promotedAt === undefined) {
        // No record of this promotion (made elsewhere, or the record was lost): the grace starts now.
        promotedAt = clock.now();
        await writeRecord({
          token: record?.versionId === current.versionId ? record.token : 'observed',
          versionId: current.versionId,
          promotedAt,
        });
      }
      if (clock.now() < promotedAt + o.graceMs) {
        scheduleRetire(promotedAt);
        return false;
      }
      await step('retiring the previous version', (signal) =>
        removeStage(name, 'previous', previous.versionId, { signal }),
      );
      t.count('portcullis.secrets.retired', 1, { provider: provider.kind });
      return true;
    });
  }

  async function runDue(): Promise<RotationResult | undefined> {
    if (o.intervalMs === undefined) throw invalidArgument('options.intervalMs', 'set for runDue()');
    const interval = o.intervalMs;
    await retire();
    const current = await read('current');
    const pending = await read('pending');
    const record = await readRecord();
    const since =
      record?.versionId === current?.versionId && record?.promotedAt !== undefined
        ? record.promotedAt
        : (current?.createdAt ?? 0);
    const resume = pending !== undefined && pending.versionId !== current?.versionId;
    if (!resume && current !== undefined && clock.now() - since < interval) return undefined;
    return rotate({ token: `scheduled-${Math.floor(clock.now() / interval)}` });
  }

  function start(): void {
    if (o.intervalMs === undefined) throw invalidArgument('options.intervalMs', 'set for start()');
    stopped = false;
    const tick = (): void => {
      if (stopped) return;
      runDue()
        .catch((error: unknown) => {
          if (!isSecretsError(error, 'ERR_SECRET_ROTATION_IN_PROGRESS')) report(error);
        })
        .finally(() => {
          if (stopped) return;
          const cancel = clock.schedule(o.checkIntervalMs, () => {
            timers.delete(cancel);
            tick();
          });
          timers.add(cancel);
        });
    };
    tick();
  }

  function stop(): void {
    stopped = true;
    for (const cancel of timers) cancel();
    timers.clear();
  }

  return { rotate, retire, runDue, start, stop };
}
