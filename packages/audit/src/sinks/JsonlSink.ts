import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { type ChainHead, headOf } from '../internal/line.ts';
import type { AuditLine, AuditSink } from './AuditSink.ts';

/** Options for {@link JsonlSink}. */
export interface JsonlSinkOptions {
  /** The folder the trail's files live in (created if missing, mode 0750). */
  directory: string;
  /** A file is closed and the next one started once it reaches this size. Bytes. Default: 67108864 (64 MiB). */
  maxFileBytes?: number;
  /**
   * `'batch'`: `fdatasync` after every batch, so a written batch survives a power loss;
   * `'never'`: leave it to the OS (a process crash loses nothing written, a power loss may).
   * Default: `'batch'`.
   */
  fsync?: 'batch' | 'never';
}

/** The defaults of {@link JsonlSinkOptions}. */
export const JSONL_DEFAULTS: { readonly maxFileBytes: 67108864; readonly fsync: 'batch' } =
  Object.freeze({
    maxFileBytes: 67_108_864,
    fsync: 'batch',
  });

const FILE = /^(.+)-(\d{6})\.jsonl$/;
const TAIL_BYTES = 64 * 1024;

interface Open {
  handle: FileHandle;
  index: number;
  size: number;
}

async function chainFiles(
  directory: string,
  chain: string,
): Promise<{ name: string; index: number }[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => ({ name, m: FILE.exec(name) }))
    .filter((f) => f.m !== null && f.m[1] === chain)
    .map((f) => ({ name: f.name, index: Number(f.m?.[2]) }))
    .sort((a, b) => a.index - b.index);
}

const fileName = (chain: string, index: number): string =>
  `${chain}-${String(index).padStart(6, '0')}.jsonl`;

/**
 * An append-only JSON Lines trail: `<chain>-000001.jsonl`, `-000002`, … in `directory`, one
 * signed entry a line. Each batch is one `write` (and, by default, one `fdatasync`); a failed write
 * is truncated away so the file holds whole batches only. Rotation starts a new file whose first
 * entry links to the last of the previous one, so the chain runs across files. On start, a torn
 * last line (power loss mid-write) is cut off and the chain continues from the last whole entry.
 *
 * @example
 * ```ts
 * import { JsonlSink } from '@portcullis/audit';
 * const sink = new JsonlSink({ directory: '/var/log/myservice/audit', fsync: 'batch' });
 * ```
 */
export class JsonlSink implements AuditSink {
  readonly #directory: string;
  readonly #maxFileBytes: number;
  readonly #fsync: 'batch' | 'never';
  readonly #open = new Map<string, Open>();

  constructor(options: JsonlSinkOptions) {
    const o = resolveOptions<JsonlSinkOptions, typeof JSONL_DEFAULTS>(
      'options',
      options,
      JSONL_DEFAULTS,
      {
        directory: rules.string(),
        maxFileBytes: rules.integer({ min: 1024 }),
        fsync: rules.oneOf(['batch', 'never']),
      },
    );
    this.#directory = o.directory;
    this.#maxFileBytes = o.maxFileBytes;
    this.#fsync = o.fsync;
  }

  /** Every line of a chain's files, oldest first: the input `verifyAuditChain` takes. */
  static async *readLines(directory: string, chain = 'default'): AsyncGenerator<string> {
    if (typeof directory !== 'string') throw invalidArgument('directory', 'a string');
    for (const file of await chainFiles(directory, chain)) {
      const lines = createInterface({
        input: createReadStream(join(directory, file.name)),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      for await (const line of lines) yield line;
    }
  }

  async head(chain: string): Promise<ChainHead | undefined> {
    await mkdir(this.#directory, { recursive: true, mode: 0o750 });
    const files = await chainFiles(this.#directory, chain);
    for (let i = files.length - 1; i >= 0; i--) {
      const file = files[i] as { name: string; index: number };
      const handle = await open(join(this.#directory, file.name), 'r+');
      try {
        const { size } = await handle.stat();
        const start = Math.max(0, size - TAIL_BYTES);
        const tail = Buffer.alloc(size - start);
        await handle.read(tail, 0, tail.length, start);
        const lastNewline = tail.lastIndexOf(10);
        const whole = lastNewline < 0 ? start : start + lastNewline + 1;
        // A torn last line: a batch that never finished. Cut it off; its entries were never acknowledged.
        if (whole < size) await handle.truncate(whole);
        if (i === files.length - 1)
          this.#open.set(chain, {
            handle: await open(join(this.#directory, file.name), 'a', 0o640),
            index: file.index,
            size: whole,
          });
        if (lastNewline < 0) continue;
        const text = tail.subarray(0, lastNewline).toString('utf8');
        const last = text.slice(text.lastIndexOf('\n') + 1);
        const found = headOf(last);
        if (found !== undefined) return found;
      } finally {
        await handle.close();
      }
    }
    return undefined;
  }

  async append(chain: string, lines: readonly AuditLine[]): Promise<void> {
    let file = this.#open.get(chain);
    if (file === undefined || file.size >= this.#maxFileBytes) {
      const index =
        file === undefined
          ? ((await chainFiles(this.#directory, chain)).at(-1)?.index ?? 0) + (file ? 0 : 1)
          : file.index + 1;
      await file?.handle.close();
      await mkdir(this.#directory, { recursive: true, mode: 0o750 });
      const handle = await open(join(this.#directory, fileName(chain, index)), 'a', 0o640);
      file = { handle, index, size: (await handle.stat()).size };
      this.#open.set(chain, file);
    }
    const data = Buffer.from(`${lines.map((l) => l.text).join('\n')}\n`, 'utf8');
    try {
      await file.handle.write(data);
      if (this.#fsync === 'batch') await file.handle.datasync();
      file.size += data.length;
    } catch (error) {
      // All or nothing: cut back whatever part of the batch reached the file.
      await file.handle.truncate(file.size).catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const file of this.#open.values()) await file.handle.close();
    this.#open.clear();
  }
}
