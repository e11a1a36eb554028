import {
  type Clock,
  exponentialBackoffMs,
  invalidArgument,
  type Redacted,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import type { SecretsError } from '../errors/SecretsError.ts';
import { closedError, staleError, tooOld } from '../internal/cacheErrors.ts';
import { type ResolvedCacheOptions, resolveCacheOptions } from '../internal/cacheOptions.ts';
import { activeList, applyFetched, type Entry, type Fetched, newEntry } from '../internal/entry.ts';
import { fetchSecret } from '../internal/fetchSecret.ts';
import { JsonSecrets } from '../internal/json.ts';
import { asBytes, asText } from '../internal/values.ts';
import type { SecretProvider, SecretVersion } from '../SecretProvider.ts';
import type {
  ActiveSecretsResolver,
  CachedSecret,
  JsonSchema,
  SecretChange,
  SecretReadOptions,
  SecretsCache,
  SecretsCacheOptions,
} from './SecretsCache.ts';

class Cache implements SecretsCache {
  readonly #provider: SecretProvider;
  readonly #o: ResolvedCacheOptions;
  readonly #clock: Clock;
  readonly #t: Telemetry;
  readonly #entries = new Map<string, Entry>();
  readonly #first = new Map<string, Promise<Entry>>();
  readonly #forcing = new WeakMap<Entry, Promise<Entry>>();
  readonly #listeners = new Map<string, Set<(change: SecretChange) => void>>();
  readonly #json = new JsonSecrets();
  readonly #unwatch: (() => void) | undefined;
  #closed = false;

  constructor(provider: SecretProvider, options: SecretsCacheOptions | undefined) {
    if (typeof provider?.get !== 'function') throw invalidArgument('provider', 'a SecretProvider');
    this.#provider = provider;
    this.#o = resolveCacheOptions(options);
    this.#clock = this.#o.clock;
    this.#t = this.#o.telemetry ?? telemetry('@portcullis/secrets');
    this.#unwatch = provider.watch?.((name) => {
      const entry = this.#entries.get(name);
      if (entry !== undefined) this.#background(entry, true);
    });
  }

  get(name: string, options?: SecretReadOptions): Promise<Redacted<string>> {
    const entry = this.#fresh(name, options);
    if (entry === undefined)
      return this.#read(name, options, false).then((e) => asText(name, e.version.value));
    try {
      return Promise.resolve(asText(name, entry.version.value));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getBytes(name: string, options?: SecretReadOptions): Promise<Redacted<Uint8Array>> {
    const entry = this.#fresh(name, options);
    if (entry === undefined)
      return this.#read(name, options, false).then((e) => asBytes(e.version.value));
    return Promise.resolve(asBytes(entry.version.value));
  }

  /** The hot path: an entry inside its lifetime, read without an `await`. */
  #fresh(name: string, options: SecretReadOptions | undefined): Entry | undefined {
    if (options !== undefined || this.#closed) return undefined;
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    const now = this.#clock.now();
    if (now >= entry.expiresAt) return undefined;
    entry.readSinceRefresh = true;
    if (now >= entry.refreshAt) this.#background(entry, false);
    return entry;
  }

  async getVersion(name: string, options?: SecretReadOptions): Promise<CachedSecret> {
    const entry = await this.#read(name, options, false);
    const now = this.#clock.now();
    return {
      ...entry.version,
      fetchedAt: entry.fetchedAt,
      ageMs: now - entry.fetchedAt,
      stale: now >= entry.expiresAt,
    };
  }

  async getJson<T>(name: string, schema: JsonSchema<T>, options?: SecretReadOptions): Promise<T> {
    if (typeof schema?.safeParse !== 'function')
      throw invalidArgument('schema', 'a zod schema (with safeParse)');
    const version = (await this.#read(name, options, false)).version;
    return this.#json.parse(name, version, schema);
  }

  activeSecrets(name: string): ActiveSecretsResolver {
    return async () => {
      const entry = await this.#read(name, undefined, true);
      return activeList(entry, this.#clock.now());
    };
  }

  secretSource(name: string): () => Promise<Redacted<string>> {
    return () => this.get(name);
  }

  onChange(name: string, listener: (change: SecretChange) => void): () => void {
    if (typeof listener !== 'function') throw invalidArgument('listener', 'a function');
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unwatch?.();
    const pending: Promise<unknown>[] = [...this.#first.values()];
    for (const entry of this.#entries.values()) {
      entry.cancelTimer?.();
      if (entry.inflight) pending.push(entry.inflight);
    }
    await Promise.allSettled(pending);
  }

  async #read(
    name: string,
    options: SecretReadOptions | undefined,
    wantsPrevious: boolean,
  ): Promise<Entry> {
    if (typeof name !== 'string' || name.length === 0)
      throw invalidArgument('name', 'a non-empty string');
    if (this.#closed) throw closedError(name);
    const entry = this.#entries.get(name);
    if (entry === undefined) return this.#firstFetch(name, wantsPrevious);
    entry.readSinceRefresh = true;
    if (wantsPrevious && !entry.wantsPrevious) {
      entry.wantsPrevious = true;
      return this.#refresh(entry); // learn the previous version once; later refreshes keep it fresh
    }
    const now = this.#clock.now();
    if (options?.forceRefresh === true) return this.#forced(entry, now);
    const maxAge = options?.maxAgeMs;
    if (maxAge !== undefined && now - entry.fetchedAt > maxAge) {
      await this.#refresh(entry).catch((error: SecretsError) => {
        if (!error.transient) throw error; // 401/403/404 stay what they are
        throw tooOld(name, error);
      });
      return entry;
    }
    if (now < entry.expiresAt) {
      if (now >= entry.refreshAt) this.#background(entry, false);
      return entry;
    }
    return this.#awaitOrStale(entry, now);
  }

  async #awaitOrStale(entry: Entry, now: number): Promise<Entry> {
    if (entry.inflight === undefined && now < entry.retryAt) return this.#stale(entry, now);
    try {
      return await this.#refresh(entry);
    } catch (error) {
      if ((error as SecretsError).transient) return this.#stale(entry, this.#clock.now());
      throw error;
    }
  }

  /** Last-known-good: the held value while within `maxStaleMs`, else `ERR_SECRET_STALE`. */
  #stale(entry: Entry, now: number): Entry {
    const age = now - entry.fetchedAt;
    if (age <= this.#o.maxStaleMs) {
      this.#t.count('portcullis.secrets.stale_served', 1, { provider: this.#provider.kind });
      return entry;
    }
    throw staleError(entry, this.#provider.kind, age, this.#o.maxStaleMs);
  }

  #forced(entry: Entry, now: number): Promise<Entry> {
    if (entry.inflight !== undefined) return entry.inflight;
    const waiting = this.#forcing.get(entry);
    if (waiting !== undefined) return waiting; // join the forced refresh that is waiting out its jitter
    if (now - Math.max(entry.lastForcedAt, entry.fetchedAt) < this.#o.forceRefreshIntervalMs) {
      return Promise.resolve(entry);
    }
    entry.lastForcedAt = now;
    const jitter = Math.floor(this.#o.random() * this.#o.forceRefreshJitterMs);
    const forced = (jitter > 0 ? this.#clock.sleep(jitter) : Promise.resolve())
      .then(() => this.#awaitOrStale(entry, this.#clock.now()))
      .finally(() => this.#forcing.delete(entry));
    this.#forcing.set(entry, forced);
    return forced;
  }

  #firstFetch(name: string, wantsPrevious: boolean): Promise<Entry> {
    const flying = this.#first.get(name);
    if (flying !== undefined) return flying;
    const started = this.#clock.now();
    const flight = fetchSecret(this.#provider, name, undefined, wantsPrevious, {
      clock: this.#clock,
      timeoutMs: this.#o.fetchTimeoutMs,
    })
      .then(
        (fetched) => {
          const entry = newEntry(name, fetched.version as SecretVersion, wantsPrevious);
          this.#apply(entry, fetched, started);
          if (!this.#closed) this.#entries.set(name, entry);
          return entry;
        },
        (error: unknown) => {
          this.#count('error', error);
          throw error; // a failed first fetch is not cached: the next read asks again
        },
      )
      .finally(() => this.#first.delete(name));
    this.#first.set(name, flight);
    return flight;
  }

  /** One refresh of an entry, shared by everyone who asks while it runs (single flight). */
  #refresh(entry: Entry): Promise<Entry> {
    if (entry.inflight !== undefined) return entry.inflight;
    const started = this.#clock.now();
    const flight = fetchSecret(this.#provider, entry.name, entry.version, entry.wantsPrevious, {
      clock: this.#clock,
      timeoutMs: this.#o.fetchTimeoutMs,
    })
      .then(
        (fetched) => {
          this.#apply(entry, fetched, started);
          return entry;
        },
        (error: SecretsError) => {
          this.#count(error.transient ? 'transient' : 'error', error);
          if (!error.transient) {
            // 401/403/404/invalid: surface at once; the value is no longer served.
            entry.cancelTimer?.();
            if (this.#entries.get(entry.name) === entry) this.#entries.delete(entry.name);
            throw error;
          }
          entry.failures++;
          entry.lastError = error;
          const backoff = exponentialBackoffMs(
            entry.failures,
            { initialMs: this.#o.retryInitialMs, maxMs: this.#o.retryMaxMs, jitter: 'full' },
            this.#o.random,
          );
          const wait = Math.max(backoff, error.retryAfterMs ?? 0);
          entry.retryAt = this.#clock.now() + wait;
          this.#arm(entry, wait);
          throw error;
        },
      )
      .finally(() => {
        entry.inflight = undefined;
      });
    entry.inflight = flight;
    return flight;
  }

  #background(entry: Entry, now: boolean): void {
    if (this.#closed || entry.inflight !== undefined) return;
    if (!now && this.#clock.now() < entry.retryAt) return;
    this.#refresh(entry).catch(() => {}); // recorded on the entry; readers see it
  }

  #apply(entry: Entry, fetched: Fetched, started: number): void {
    const now = this.#clock.now();
    this.#t.record('portcullis.secrets.fetch_ms', now - started, { provider: this.#provider.kind });
    const { moved, before } = applyFetched(entry, fetched, now, this.#o);
    this.#arm(entry, entry.refreshAt - now);
    this.#count(fetched.version === undefined ? 'unchanged' : 'ok');
    if (moved) this.#emit(entry, before);
  }

  /** The background refresh timer: fires while the secret is read or has listeners. */
  #arm(entry: Entry, delayMs: number): void {
    entry.cancelTimer?.();
    if (this.#closed) return;
    entry.cancelTimer = this.#clock.schedule(Math.max(0, Math.ceil(delayMs)), () => {
      entry.cancelTimer = undefined;
      const wanted = entry.readSinceRefresh || (this.#listeners.get(entry.name)?.size ?? 0) > 0;
      if (wanted && this.#entries.get(entry.name) === entry) this.#background(entry, true);
    });
  }

  #emit(entry: Entry, previousVersionId: string): void {
    this.#t.count('portcullis.secrets.changed', 1, { provider: this.#provider.kind });
    const change: SecretChange = { name: entry.name, version: entry.version, previousVersionId };
    for (const listener of this.#listeners.get(entry.name) ?? []) {
      try {
        listener(change);
      } catch {
        this.#t.count('portcullis.secrets.listener_failed', 1, { provider: this.#provider.kind });
      }
    }
  }

  #count(outcome: string, error?: unknown): void {
    const attributes: Record<string, string> = { provider: this.#provider.kind, outcome };
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') attributes.code = code;
    this.#t.count('portcullis.secrets.fetch', 1, attributes);
  }
}

/**
 * A cache in front of any {@link SecretProvider}: each entry lives a lifetime drawn from
 * `[ttlMs/2, ttlMs]` and is refreshed in the background ahead of it (single flight per secret,
 * checking `currentVersionId` first where the provider has it). While the provider fails with a
 * transient error the last good value is served, up to `maxStaleMs`, then `ERR_SECRET_STALE`;
 * `401`/`403`/`404` surface at once; a failed first fetch is not cached.
 *
 * @example
 * ```ts
 * import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
 * const cache = createSecretsCache(new MemoryProvider({ secrets: { 'db-password': 'pw' } }), { ttlMs: 60_000 });
 * const password = await cache.get('db-password');
 * password.reveal(); // 'pw'
 * await cache.close();
 * ```
 */
export function createSecretsCache(
  provider: SecretProvider,
  options?: SecretsCacheOptions,
): SecretsCache {
  return new Cache(provider, options);
}
