import type { Counter, Redacted, Store } from '@portcullis/core';
import type {
  ProviderCallOptions,
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
  WritableSecretProvider,
} from '@portcullis/secrets';

/** The error a simulated crash throws. */
export class Crash extends Error {
  override name = 'Crash';
}

/**
 * Counts every provider and store operation of a "process"; operation number `crashAt` runs to
 * completion and then the process dies: it and every later operation throw, so nothing after it
 * happens (not even the lock release in a `finally`).
 */
export class Crasher {
  count = 0;
  crashAt = Number.POSITIVE_INFINITY;
  crashed = false;
  readonly log: string[] = [];

  async op<T>(label: string, run: () => Promise<T>): Promise<T> {
    if (this.crashed) throw new Crash('the process is gone');
    this.count++;
    this.log.push(label);
    const crashNow = this.count === this.crashAt;
    const result = run();
    if (!crashNow) return result;
    await result.catch(() => {}); // the operation lands (or fails) either way; then the process dies
    this.crashed = true;
    throw new Crash(`crashed after ${label}`);
  }
}

export class CrashingProvider implements WritableSecretProvider {
  readonly kind = 'crashing';
  readonly moves: string[] = [];
  readonly inner: WritableSecretProvider;
  readonly crasher: Crasher;
  constructor(inner: WritableSecretProvider, crasher: Crasher) {
    this.inner = inner;
    this.crasher = crasher;
  }
  get(name: string, selector?: SecretSelector, _o?: ProviderCallOptions): Promise<SecretVersion> {
    return this.crasher.op(`get ${selector?.stage ?? selector?.versionId ?? 'current'}`, () =>
      this.inner.get(name, selector),
    );
  }
  listVersions(name: string): Promise<readonly SecretVersionInfo[]> {
    return this.crasher.op('list', () =>
      (this.inner.listVersions as NonNullable<WritableSecretProvider['listVersions']>)(name),
    );
  }
  putVersion(
    name: string,
    value: Redacted<string> | Redacted<Uint8Array>,
    o: { token: string; stage: SecretStage },
  ): Promise<string> {
    return this.crasher.op('putVersion', () =>
      this.inner.putVersion(name, value, { token: o.token, stage: o.stage }),
    );
  }
  moveStage(name: string, stage: SecretStage, versionId: string): Promise<void> {
    return this.crasher.op(`moveStage ${stage}`, async () => {
      this.moves.push(`${stage}:${versionId}`);
      await this.inner.moveStage(name, stage, versionId);
    });
  }
  removeStage(name: string, stage: SecretStage, versionId: string): Promise<void> {
    return this.crasher.op(`removeStage ${stage}`, () =>
      (this.inner.removeStage as NonNullable<WritableSecretProvider['removeStage']>)(
        name,
        stage,
        versionId,
      ),
    );
  }
}

export class CrashingStore implements Store {
  readonly inner: Store;
  readonly crasher: Crasher;
  constructor(inner: Store, crasher: Crasher) {
    this.inner = inner;
    this.crasher = crasher;
  }
  get(key: string): Promise<string | undefined> {
    return this.crasher.op('store.get', () => this.inner.get(key));
  }
  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.crasher.op('store.set', () => this.inner.set(key, value, ttlMs));
  }
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.crasher.op('store.setIfAbsent', () => this.inner.setIfAbsent(key, value, ttlMs));
  }
  increment(key: string, ttlMs: number, by?: number): Promise<Counter> {
    return this.crasher.op('store.increment', () => this.inner.increment(key, ttlMs, by));
  }
  delete(key: string): Promise<boolean> {
    return this.crasher.op('store.delete', () => this.inner.delete(key));
  }
  compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.crasher.op('store.compareAndDelete', () =>
      this.inner.compareAndDelete(key, expected),
    );
  }
}
