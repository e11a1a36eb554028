import type { ChainHead } from '../internal/line.ts';

/** A signed line ready to store: its sequence number and its text (one JSON object, no newline). */
export interface AuditLine {
  seq: number;
  text: string;
}

/**
 * Where audit lines are stored. `append` is all-or-nothing: on failure nothing of the batch may
 * remain (the log retries the same lines, and a half-written batch would break the chain).
 */
export interface AuditSink {
  /**
   * The last entry stored for `chain`, so a restarted process continues the chain; `undefined`
   * for a new chain. A sink that finds a torn last line (a crash mid-write) removes it here.
   */
  head(chain: string): Promise<ChainHead | undefined>;
  /** Stores the lines, in order, all or nothing. */
  append(chain: string, lines: readonly AuditLine[]): Promise<void>;
  /** Releases files or connections. */
  close?(): Promise<void>;
}
