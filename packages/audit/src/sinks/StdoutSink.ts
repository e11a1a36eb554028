import type { Writable } from 'node:stream';
import type { ChainHead } from '../internal/line.ts';
import type { AuditLine, AuditSink } from './AuditSink.ts';

/**
 * Writes each line to a stream (standard output by default) for a log pipeline to collect. A
 * stream cannot be read back, so every process starts a new chain: give each run its own
 * `chain` name (e.g. the host and start time) and verify each chain on its own.
 *
 * @example
 * ```ts
 * import { createAuditLog, StdoutSink } from '@portcullis/audit';
 * const audit = createAuditLog({ sink: new StdoutSink(), key: process.env.AUDIT_KEY ?? 'an-audit-key-of-at-least-32-bytes!!', chain: `api-${Date.now()}` });
 * ```
 */
export class StdoutSink implements AuditSink {
  readonly #stream: Writable;

  /** @param stream where lines go. Default: `process.stdout`. */
  constructor(stream: Writable = process.stdout) {
    this.#stream = stream;
  }

  async head(_chain: string): Promise<ChainHead | undefined> {
    return undefined;
  }

  append(_chain: string, lines: readonly AuditLine[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#stream.write(`${lines.map((l) => l.text).join('\n')}\n`, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
}
