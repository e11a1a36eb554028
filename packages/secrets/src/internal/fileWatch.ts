import { type FSWatcher, watch } from 'node:fs';
import type { Cancel, Clock } from '@portcullis/core';

/** How a file provider notices changes. */
export interface FileWatchOptions {
  directory: string;
  mode: 'auto' | 'poll' | 'off';
  pollIntervalMs: number;
  settleMs: number;
  clock: Clock;
  /** Checks the tracked secrets and reports those that moved. */
  check: () => Promise<void>;
}

/**
 * Watches a secrets directory: `fs.watch` on the directory itself (not on the files, so a
 * Kubernetes `..data` symlink swap or a rename-into-place is seen and the watch survives it),
 * debounced by `settleMs`, plus polling every `pollIntervalMs` on the clock as a safety net
 * for file systems where `fs.watch` is silent. When `fs.watch` fails (unsupported, the
 * directory removed) polling carries on alone. Returns a function that stops everything.
 */
export function watchDirectory(o: FileWatchOptions): () => void {
  if (o.mode === 'off') return () => {};
  let closed = false;
  let watcher: FSWatcher | undefined;
  let debounce: Cancel | undefined;
  let poll: Cancel | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const run = (): void => {
    if (closed) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = o
      .check()
      .catch(() => {})
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const onEvent = (): void => {
    debounce?.();
    debounce = o.clock.schedule(o.settleMs, run);
  };
  const armPoll = (): void => {
    if (closed) return;
    poll = o.clock.schedule(o.pollIntervalMs, () => {
      run();
      armPoll();
    });
  };
  const stopWatcher = (): void => {
    watcher?.close();
    watcher = undefined;
  };
  if (o.mode === 'auto') {
    try {
      watcher = watch(o.directory, { persistent: false }, onEvent);
      watcher.on('error', () => {
        stopWatcher();
        run();
      });
    } catch {
      watcher = undefined; // unsupported here: polling alone
    }
  }
  armPoll();
  return () => {
    closed = true;
    stopWatcher();
    debounce?.();
    poll?.();
  };
}
