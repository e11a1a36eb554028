import { ManualClock, noopTelemetry, type Telemetry } from '@portcullis/core';

/** Lets pending promise callbacks run (the pipeline hops through a few between steps). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** Advances the clock in steps, flushing between them, so chained sleeps and timers all run. */
export async function advance(clock: ManualClock, ms: number, stepMs = ms): Promise<void> {
  await flush();
  for (let left = ms; left > 0; left -= stepMs) {
    clock.advance(Math.min(stepMs, left));
    await flush();
  }
}

/** A promise's state without waiting for it. */
export async function stateOf(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await flush();
  return state;
}

/** A telemetry that records counters, for assertions. */
export function recordingTelemetry(): Telemetry & {
  counts: Map<string, number>;
  events: string[];
} {
  const counts = new Map<string, number>();
  const events: string[] = [];
  return {
    counts,
    events,
    count(name, value = 1, attributes) {
      counts.set(name, (counts.get(name) ?? 0) + value);
      events.push(`${name} ${JSON.stringify(attributes ?? {})}`);
    },
    record() {},
    span: noopTelemetry.span,
  };
}

export const noJitter = { jitter: 'none' } as const;

export function clockAt(): ManualClock {
  return new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
}
