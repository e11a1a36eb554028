import { join } from 'node:path';
import {
  type Clock,
  invalidArgument,
  redacted,
  resolveOptions,
  rules,
  systemClock,
} from '@portcullis/core';
import { isSecretsError, SecretsError } from '../errors/SecretsError.ts';
import { watchDirectory } from '../internal/fileWatch.ts';
import { common, DEFAULTS } from '../internal/options.ts';
import { readStableFile } from '../internal/readStableFile.ts';
import { contentVersionId } from '../internal/versionId.ts';
import type {
  SecretProvider,
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
} from '../SecretProvider.ts';

/** Options for {@link FileProvider}. Durations in milliseconds. */
export interface FileProviderOptions {
  /** The directory holding one file per secret, e.g. `'/run/secrets'` or a mounted volume. */
  directory: string;
  /**
   * How changes are noticed once someone subscribes (the cache does): `'auto'` = `fs.watch` on
   * the directory plus polling as a safety net (polling alone if `fs.watch` fails), `'poll'`,
   * or `'off'`. Default: `'auto'`.
   */
  watch?: 'auto' | 'poll' | 'off';
  /** Interval of the polling check. Default: 5000. */
  pollIntervalMs?: number;
  /**
   * A file modified less than this long ago is read again after this long (a writer still
   * writing in place); watch events are debounced by it too. Default: 100.
   */
  settleMs?: number;
  /** Largest file read; a larger one is `ERR_SECRET_INVALID`. Default: 65536. */
  maxBytes?: number;
  /** Drop one trailing `\n` (or `\r\n`) from text secrets, as `echo` into a file adds. Default: true. */
  trimTrailingNewline?: boolean;
  /** Names always returned as bytes. Others are text when they are valid UTF-8. Default: none. */
  binary?: readonly string[];
  /** Time source (settle waits, polling). Default: `systemClock`. */
  clock?: Clock;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const SUFFIX: Record<SecretStage, string> = {
  current: '',
  previous: '.previous',
  pending: '.pending',
};
const STAGES: readonly SecretStage[] = ['current', 'previous', 'pending'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

function checkName(name: string): void {
  if (
    typeof name !== 'string' ||
    !NAME.test(name) ||
    name.includes('..') ||
    /\.(previous|pending)$/.test(name)
  ) {
    // The name is not echoed: a refused name is often a probe (`../…`) or a value pasted by mistake.
    throw new SecretsError(
      'ERR_SECRET_NOT_FOUND',
      'That name is not a valid file secret name (letters, digits, _ . -; no "..", no stage suffix).',
    );
  }
}

/**
 * Secrets from files, one per secret, in the layouts deployments write: Docker/Compose secrets
 * on tmpfs (`/run/secrets/<name>`), a mounted Kubernetes secret (`<name>` → `..data/<name>`,
 * updated by swapping the `..data` symlink), files rendered by a Vault Agent or a CSI driver.
 * Stages: `<name>` is current, `<name>.previous` and `<name>.pending` the others. A file is
 * served only in a state no writer is changing (see the README). Version ids are keyed digests of
 * the content; `createdAt` is the file's mtime. With a subscriber (`watch()`, the cache), changes
 * are seen by `fs.watch` on the directory, with polling as a fallback. `close()` stops watching.
 *
 * @example
 * ```ts
 * import { createSecretsCache, FileProvider } from '@portcullis/secrets';
 * const provider = new FileProvider({ directory: '/run/secrets' });
 * const cache = createSecretsCache(provider);
 * // await cache.get('db-password');
 * await cache.close();
 * provider.close();
 * ```
 */
export class FileProvider implements SecretProvider {
  readonly kind: string = 'file';
  readonly #o: ReturnType<typeof resolveFileOptions>;
  readonly #binary: ReadonlySet<string>;
  readonly #known = new Map<string, string>();
  readonly #listeners = new Set<(name: string) => void>();
  #stopWatch: (() => void) | undefined;

  constructor(options: FileProviderOptions) {
    this.#o = resolveFileOptions(options);
    this.#binary = new Set(this.#o.binary ?? []);
  }

  async get(name: string, selector: SecretSelector = {}): Promise<SecretVersion> {
    checkName(name);
    if (selector.versionId !== undefined) {
      for (const stage of STAGES) {
        const found = await this.#read(name, stage).catch(() => undefined);
        if (found?.versionId === selector.versionId) return found;
      }
      throw new SecretsError(
        'ERR_SECRET_NOT_FOUND',
        `Secret "${name}" (that version) has no file.`,
        { secretName: name },
      );
    }
    const version = await this.#read(name, selector.stage ?? 'current');
    if ((selector.stage ?? 'current') === 'current') this.#known.set(name, version.versionId);
    return version;
  }

  async currentVersionId(name: string): Promise<string> {
    return (await this.get(name)).versionId;
  }

  async listVersions(name: string): Promise<readonly SecretVersionInfo[]> {
    checkName(name);
    const out: SecretVersionInfo[] = [];
    for (const stage of ['pending', 'current', 'previous'] as const) {
      try {
        const { value: _value, ...info } = await this.#read(name, stage);
        out.push(info);
      } catch (error) {
        if (!isSecretsError(error, 'ERR_SECRET_NOT_FOUND')) throw error;
      }
    }
    if (out.length === 0)
      throw new SecretsError('ERR_SECRET_NOT_FOUND', `Secret "${name}" has no file.`, {
        secretName: name,
      });
    return out;
  }

  watch(listener: (name: string) => void): () => void {
    this.#listeners.add(listener);
    this.#stopWatch ??= watchDirectory({
      directory: this.#o.directory,
      mode: this.#o.watch,
      pollIntervalMs: this.#o.pollIntervalMs,
      settleMs: this.#o.settleMs,
      clock: this.#o.clock,
      check: () => this.#check(),
    });
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
    this.#stopWatch?.();
    this.#stopWatch = undefined;
  }

  /** Re-reads every secret read so far; announces those whose current version moved. */
  async #check(): Promise<void> {
    for (const [name, known] of this.#known) {
      let now: string | undefined;
      try {
        now = (await this.#read(name, 'current')).versionId;
      } catch (error) {
        if (!isSecretsError(error, 'ERR_SECRET_NOT_FOUND')) continue; // mid-write: look again later
      }
      if (now === known) continue;
      if (now === undefined) this.#known.delete(name);
      else this.#known.set(name, now);
      for (const listener of this.#listeners) {
        try {
          listener(name);
        } catch {
          // a subscriber's failure is its own
        }
      }
    }
  }

  async #read(name: string, stage: SecretStage): Promise<SecretVersion> {
    const path = join(this.#o.directory, name + SUFFIX[stage]);
    const file = await readStableFile(path, name, this.#o);
    const versionId = contentVersionId(file.bytes);
    const base = { name, versionId, stages: [stage], createdAt: Math.floor(file.mtimeMs) };
    if (!this.#binary.has(name)) {
      let text: string | undefined;
      try {
        text = utf8.decode(file.bytes);
      } catch {
        text = undefined; // not UTF-8: a binary secret
      }
      if (text !== undefined) {
        if (this.#o.trimTrailingNewline) text = text.replace(/\r?\n$/, '');
        return { ...base, value: redacted(text) };
      }
    }
    return { ...base, value: redacted(file.bytes) };
  }
}

function resolveFileOptions(options: FileProviderOptions) {
  return resolveOptions<FileProviderOptions, typeof DEFAULTS.file & { clock: Clock }>(
    'options',
    options,
    { ...DEFAULTS.file, clock: systemClock },
    {
      directory: rules.string(),
      watch: rules.oneOf(['auto', 'poll', 'off'] as const),
      pollIntervalMs: rules.durationMs({ min: 10 }),
      settleMs: rules.durationMs({ min: 0 }),
      maxBytes: rules.integer(),
      trimTrailingNewline: rules.boolean(),
      binary: rules.optional(
        rules.custom((value, path) => {
          if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
            throw invalidArgument(path, 'an array of names');
          }
          return value as readonly string[];
        }),
      ),
      clock: common.clock(),
    },
  );
}
