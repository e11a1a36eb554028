import { ManualClock } from '@portcullis/core';

/** Both crypto paths: every behaviour test runs on each. */
export const BACKENDS = ['node', 'webcrypto'] as const;

/** The secret from the Standard Webhooks / Svix test suites. */
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const OTHER_SECRET = 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** 2026-01-01T00:00:00Z in seconds. */
export const NOW_SEC = 1_767_225_600;

export function clockAt(sec: number = NOW_SEC): ManualClock {
  return new ManualClock(sec * 1000);
}

/** Awaits `promise` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; bound?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
