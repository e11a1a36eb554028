// Every call to a KEK or a subject-key store goes through here: bounded by `kekTimeoutMs` on the
// injected clock, counted, and any failure that is not already an EnvelopeError becomes
// ERR_ENVELOPE_KEK_UNAVAILABLE with a cause reduced to the error's name (no request or key bytes).
import { boundedCall } from '@portcullis/core';
import { EnvelopeError, isEnvelopeError, safeCause } from '../errors/EnvelopeError.ts';
import type { ResolvedEnvelopeOptions } from '../options.ts';

export function callKek<T>(
  options: ResolvedEnvelopeOptions,
  op: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  options.telemetry.count('envelope.kek.calls', 1, { kind: options.kek.kind, op });
  return boundedCall(work, {
    timeoutMs: options.kekTimeoutMs,
    clock: options.clock,
    onTimeout: () =>
      new EnvelopeError(
        'ERR_ENVELOPE_KEK_UNAVAILABLE',
        `The key service (${options.kek.kind}) did not answer ${op} within ${options.kekTimeoutMs} ms.`,
      ),
  }).catch((error: unknown) => {
    options.telemetry.count('envelope.kek.failures', 1, { kind: options.kek.kind, op });
    if (isEnvelopeError(error)) throw error;
    throw new EnvelopeError(
      'ERR_ENVELOPE_KEK_UNAVAILABLE',
      `The key service (${options.kek.kind}) failed ${op}.`,
      { cause: safeCause(error) },
    );
  });
}

/** Whether an error is the transient kind a cached key may ride out. */
export function isUnavailable(error: unknown): boolean {
  return isEnvelopeError(error, 'ERR_ENVELOPE_KEK_UNAVAILABLE');
}
