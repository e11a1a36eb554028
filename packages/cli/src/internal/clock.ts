import { type Clock, systemClock } from '@portcullis/core';
import type { CliIo } from '../io.ts';

/** A clock whose `now` is the I/O's (or fixed at `nowSec`, for `--now`); timers are the system's. */
export function clockFrom(io: CliIo, nowSec?: number): Clock {
  return {
    now: nowSec === undefined ? () => io.now() : () => nowSec * 1000,
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
    schedule: (ms, task) => systemClock.schedule(ms, task),
  };
}
