// The verifier's checks, one function per step, in the order verify() runs them: body, headers,
// timestamp, signed content, secrets, signature. explain() calls these same functions in the same
// order, so a diagnosis can never disagree with a verification.
import { WebhookError } from '../errors/WebhookError.ts';
import type { CryptoChoice } from '../types.ts';
import { rawBody } from './body.ts';
import type { CryptoBackend, Part } from './crypto/CryptoBackend.ts';
import { selectBackend } from './crypto/selectBackend.ts';
import { headerReader } from './headers.ts';
import { findMatch, type Match } from './match.ts';
import type { ParsedHeaders, SchemeSpec } from './scheme.ts';
import type { PreparedKey } from './secrets.ts';

/** What the checks need, resolved once per verifier (or per explain call). */
export interface CheckContext {
  readonly scheme: SchemeSpec;
  readonly backend: CryptoBackend;
  readonly toleranceMs: number;
  readonly futureMs: number;
  readonly maxHeaderLength: number;
  readonly maxSignatures: number;
  readonly now: () => number;
}

/** The context of resolved verifier (or explain) options: the one place it is built. */
export function checkContextOf(o: {
  readonly scheme: SchemeSpec;
  readonly crypto: CryptoChoice;
  readonly toleranceSec: number;
  readonly futureToleranceSec: number;
  readonly maxHeaderLength: number;
  readonly maxSignatures: number;
  readonly clock: { now(): number };
}): CheckContext {
  const clock = o.clock;
  return {
    scheme: o.scheme,
    backend: selectBackend(o.crypto),
    toleranceMs: o.toleranceSec * 1000,
    futureMs: o.futureToleranceSec * 1000,
    maxHeaderLength: o.maxHeaderLength,
    maxSignatures: o.maxSignatures,
    now: () => clock.now(),
  };
}

/** 1. The body is raw (`ERR_WEBHOOK_BODY_NOT_RAW` otherwise). */
export function checkBody(body: unknown): Part {
  return rawBody(body);
}

/** 2. The scheme's headers are present, bounded and well formed. */
export function checkHeaders(c: CheckContext, headers: unknown): ParsedHeaders {
  return c.scheme.parse(
    headerReader(headers as Parameters<typeof headerReader>[0], c.maxHeaderLength),
    c.maxSignatures,
  );
}

/** 3. The signed timestamp is inside the window; returns it in milliseconds (when signed). */
export function checkTimestamp(c: CheckContext, parsed: ParsedHeaders): number | undefined {
  if (!c.scheme.timestampSigned || parsed.timestamp === undefined) return undefined;
  const timestampMs = Number(parsed.timestamp) * 1000;
  const now = c.now();
  if (timestampMs < now - c.toleranceMs) {
    throw new WebhookError(
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      'The webhook timestamp is too old.',
      {
        bound: 'past',
      },
    );
  }
  if (timestampMs > now + c.futureMs) {
    throw new WebhookError(
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      'The webhook timestamp is in the future.',
      { bound: 'future' },
    );
  }
  return timestampMs;
}

/** 4. The content the signature must cover (the URL is checked here, for Twilio). */
export function signedContent(
  c: CheckContext,
  parsed: ParsedHeaders,
  body: Part,
  url: string | undefined,
): readonly Part[] {
  return c.scheme.content(parsed, body, url);
}

/**
 * 6. A signature matches one of `keys` (5., the secrets, come from the key ring): over the
 * signed content first, then over the scheme's alternative spellings of it, if any.
 */
export function checkSignature(
  c: CheckContext,
  keys: readonly PreparedKey[],
  parsed: ParsedHeaders,
  parts: readonly Part[],
  body: Part,
  url: string | undefined,
): Match | undefined | Promise<Match | undefined> {
  const first = findMatch(c.backend, c.scheme, keys, parts, parsed.signatures);
  const alternatives = c.scheme.alternatives;
  if (alternatives === undefined) return first;
  const rest = (): Match | undefined | Promise<Match | undefined> => {
    const list = alternatives.call(c.scheme, parsed, body, url);
    const next = (i: number): Match | undefined | Promise<Match | undefined> => {
      if (i >= list.length) return undefined;
      const m = findMatch(c.backend, c.scheme, keys, list[i] as readonly Part[], parsed.signatures);
      if (m instanceof Promise) return m.then((found) => found ?? next(i + 1));
      return m ?? next(i + 1);
    };
    return next(0);
  };
  if (first instanceof Promise) return first.then((m) => m ?? rest());
  return first ?? rest();
}

/** What verify() rejects with when no signature matched. */
export function mismatch(): WebhookError {
  return new WebhookError('ERR_WEBHOOK_SIGNATURE_MISMATCH', 'No webhook signature matched.');
}
