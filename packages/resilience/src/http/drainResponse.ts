import type { Clock } from '@portcullis/core';

/**
 * Reads and drops the body of a response nobody will read (a failed attempt, a losing hedge),
 * so its connection goes back to the pool. Stops after `maxBytes` or `timeoutMs` and cancels the
 * rest, which closes that connection instead of leaking it. Never throws.
 */
export function drainResponse(
  response: Response,
  clock: Clock,
  maxBytes: number,
  timeoutMs: number,
): void {
  const body = response.body;
  if (body === null || response.bodyUsed) return;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return;
  }
  const stop = (): void => {
    reader.cancel().catch(() => {});
  };
  const cancelTimer = clock.schedule(timeoutMs, stop);
  let read = 0;
  const pump = (): Promise<void> =>
    reader.read().then(({ done, value }) => {
      if (done) return cancelTimer();
      read += value.byteLength;
      if (read > maxBytes) {
        cancelTimer();
        return stop();
      }
      return pump();
    });
  pump().catch(() => cancelTimer());
}
