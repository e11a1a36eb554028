import type { Telemetry, TelemetryAttributes } from '@portcullis/core';
import {
  type ProviderCallOptions,
  type SecretProvider,
  type SecretSelector,
  SecretsError,
  type SecretVersion,
} from '@portcullis/secrets';

/** Lets pending promise callbacks (and setImmediate-deferred work) run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r));
}

/** A provider wrapper that counts calls and fails or hangs on demand. */
export class FaultyProvider implements SecretProvider {
  readonly kind = 'faulty';
  readonly calls = { get: 0, currentVersionId: 0 };
  /** When set, every call rejects with it (a fresh copy each time). */
  failure: (() => Error) | undefined;
  /** When true, calls never settle (until aborted). */
  hang = false;
  readonly #inner: SecretProvider;

  constructor(inner: SecretProvider, { versionIds = true } = {}) {
    this.#inner = inner;
    if (versionIds) {
      this.currentVersionId = async (name, options) => {
        this.calls.currentVersionId++;
        await this.#fault(options);
        return (inner.currentVersionId as NonNullable<SecretProvider['currentVersionId']>).call(
          inner,
          name,
        );
      };
    }
  }

  currentVersionId?: NonNullable<SecretProvider['currentVersionId']>;

  async get(
    name: string,
    selector?: SecretSelector,
    options?: ProviderCallOptions,
  ): Promise<SecretVersion> {
    this.calls.get++;
    await this.#fault(options);
    return this.#inner.get(name, selector);
  }

  async #fault(options: ProviderCallOptions | undefined): Promise<void> {
    if (this.hang) {
      await new Promise((_, reject) =>
        options?.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
      );
    }
    if (this.failure) throw this.failure();
  }
}

export const unavailable = (): SecretsError =>
  new SecretsError('ERR_SECRET_PROVIDER_UNAVAILABLE', 'The backend answered 503.');
export const throttled =
  (retryAfterMs?: number): (() => SecretsError) =>
  () =>
    new SecretsError(
      'ERR_SECRET_THROTTLED',
      'The backend throttled us.',
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
export const denied = (): SecretsError =>
  new SecretsError('ERR_SECRET_ACCESS_DENIED', 'The backend answered 403.');

/** A Telemetry that records every call, for assertions and for the leak scan. */
export class RecordingTelemetry implements Telemetry {
  readonly events: {
    kind: string;
    name: string;
    value?: number;
    attributes?: TelemetryAttributes;
  }[] = [];
  count(name: string, value = 1, attributes?: TelemetryAttributes): void {
    this.events.push({ kind: 'count', name, value, ...(attributes ? { attributes } : {}) });
  }
  record(name: string, value: number, attributes?: TelemetryAttributes): void {
    this.events.push({ kind: 'record', name, value, ...(attributes ? { attributes } : {}) });
  }
  span<T>(name: string, fn: () => Promise<T>, attributes?: TelemetryAttributes): Promise<T> {
    this.events.push({ kind: 'span', name, ...(attributes ? { attributes } : {}) });
    return fn();
  }
  total(name: string, outcome?: string): number {
    return this.events
      .filter(
        (e) => e.name === name && (outcome === undefined || e.attributes?.outcome === outcome),
      )
      .reduce((sum, e) => sum + (e.value ?? 0), 0);
  }
}
