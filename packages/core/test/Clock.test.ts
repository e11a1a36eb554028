import { ManualClock, systemClock } from '@portcullis/core';
import { describe, expect, it, vi } from 'vitest';

describe('ManualClock', () => {
  it('moves only when told, running due sleeps and tasks in time order', async () => {
    const clock = new ManualClock(1_000);
    const order: string[] = [];
    void clock.sleep(300).then(() => order.push(`sleep@${clock.now()}`));
    clock.schedule(100, () => order.push(`task@${clock.now()}`));
    clock.schedule(500, () => order.push('late'));
    expect(clock.now()).toBe(1_000);
    expect(clock.pending).toBe(3);

    clock.advance(300);
    await Promise.resolve();
    expect(order).toEqual(['task@1100', 'sleep@1300']);
    expect(clock.now()).toBe(1_300);
    expect(clock.pending).toBe(1);
  });

  it('cancels scheduled tasks and aborted sleeps', async () => {
    const clock = new ManualClock();
    let ran = false;
    const cancel = clock.schedule(10, () => {
      ran = true;
    });
    cancel();
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    clock.advance(20);
    expect(ran).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('set() jumps without running anything', () => {
    const clock = new ManualClock();
    let ran = false;
    clock.schedule(10, () => {
      ran = true;
    });
    clock.set(100);
    expect(clock.now()).toBe(100);
    expect(ran).toBe(false);
  });
});

describe('systemClock', () => {
  it('tells the time and sleeps', async () => {
    const before = Date.now();
    expect(Math.abs(systemClock.now() - before)).toBeLessThan(1_000);
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
  });

  it('rejects a sleep that is aborted, before or during', async () => {
    await expect(systemClock.sleep(10_000, AbortSignal.abort(new Error('early')))).rejects.toThrow(
      'early',
    );
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error('late'));
    await expect(sleeping).rejects.toThrow('late');
  });

  it('runs a scheduled task, and not one that was cancelled', async () => {
    let cancelledRan = false;
    systemClock.schedule(1, () => {
      cancelledRan = true;
    })();
    await new Promise<void>((resolve) => systemClock.schedule(1, resolve));
    await systemClock.sleep(5);
    expect(cancelledRan).toBe(false);
  });

  it('waits out delays longer than setTimeout can hold instead of firing at once', async () => {
    vi.useFakeTimers();
    try {
      const day = 86_400_000;
      let ran = false;
      systemClock.schedule(30 * day, () => {
        ran = true;
      });
      const slept = vi.fn();
      void systemClock.sleep(40 * day).then(slept);
      await vi.advanceTimersByTimeAsync(25 * day);
      expect(ran).toBe(false);
      await vi.advanceTimersByTimeAsync(5 * day);
      expect(ran).toBe(true);
      expect(slept).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(10 * day);
      expect(slept).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });
});
