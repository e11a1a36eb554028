import {
  type Clock,
  invalidArgument,
  MemoryStore,
  type Store,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import { type RawBody, rawBody } from '../internal/body.ts';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import { type CryptoChoice, selectBackend } from '../internal/crypto/selectBackend.ts';
import { type HeadersInput, headerReader } from '../internal/headers.ts';
import { findMatch, type Match } from '../internal/match.ts';
import {
  KeyRing,
  type MatchedSecret,
  matchedSecret,
  type PreparedKey,
  type SecretsOption,
} from '../internal/secrets.ts';
import type { ParsedHeaders, Scheme } from '../schemes/Scheme.ts';
import { standard } from '../schemes/standard.ts';

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /** The signature scheme. Default: `standard` (Standard Webhooks / Svix). */
  scheme?: Scheme;
  /**
   * The live secrets: one, a list (current first, previous after it during rotation), or a
   * function that returns them per message. Strings or `Redacted` strings, optionally labelled
   * (`{ label, secret }`). Required.
   */
  secrets: SecretsOption;
  /** How old a signed timestamp may be, in seconds. Default: 300 (5 minutes). */
  toleranceSec?: number;
  /**
   * How far ahead of this clock a signed timestamp may be, in seconds (clock skew). Default: 30.
   * Stripe's and Slack's libraries accept an hour; a timestamp from the future can extend a
   * captured message's life, so this is kept small.
   */
  futureToleranceSec?: number;
  /**
   * Where verified message ids are remembered to refuse replays, for the rest of their tolerance
   * window. Pass a shared store (`RedisStore`) for a fleet, or `false` to turn replay protection
   * off. Default: a `MemoryStore` of 100 000 entries per verifier that refuses writes when full
   * (fail closed: `StoreError` `ERR_STORE_FULL`, status 503, so the sender retries).
   */
  store?: Store | false;
  /** Prefix of replay keys in the store. Default: `'webhooks:replay:'`. */
  replayKeyPrefix?: string;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Crypto implementation: `'node'`, `'webcrypto'` or `'auto'` (node where available). Default: `'auto'`. */
  crypto?: CryptoChoice;
  /** Longest header value read, in characters; longer is `ERR_WEBHOOK_HEADER_MALFORMED`. Default: 4096. */
  maxHeaderLength?: number;
  /** Most signatures read from one message; more is `ERR_WEBHOOK_HEADER_MALFORMED`. Default: 8. */
  maxSignatures?: number;
  /** Where metrics go. Default: `telemetry('@portcullis/webhooks')`. */
  telemetry?: Telemetry;
}

/** One inbound message to verify. */
export interface VerifyInput {
  /** The request headers: a Fetch `Headers` or a record such as `IncomingMessage.headers`. */
  headers: HeadersInput;
  /** The raw body, exactly as received. A parsed object is refused (`ERR_WEBHOOK_BODY_NOT_RAW`). */
  body: RawBody;
  /** The full public URL the request was sent to; needed only by schemes that sign it (Twilio). */
  url?: string;
}

/** What a verified message tells you. */
export interface VerifiedWebhook {
  /** The message id, where the scheme carries one. Check `idSigned` before trusting it. */
  id: string | undefined;
  /** Whether `id` is covered by the signature (Standard Webhooks: yes; GitHub, Shopify: no). */
  idSigned: boolean;
  /** The signed timestamp in Unix seconds, where the scheme signs one. */
  timestamp: number | undefined;
  /** Which configured secret matched: its index and label, never the secret. */
  matchedSecret: MatchedSecret;
  /** The scheme's name. */
  scheme: string;
}

/** Verifies inbound webhooks. Made by {@link createVerifier}. */
export interface Verifier {
  /** The scheme this verifier checks. */
  readonly scheme: Scheme;
  /**
   * Verifies one message: headers, timestamp window, signature against every live secret, then
   * replay. Resolves with what was verified; rejects with a `WebhookError` (or a `StoreError` when
   * the replay store fails).
   */
  verify(input: VerifyInput): Promise<VerifiedWebhook>;
}

function seconds(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(name, 'a non-negative number of seconds', 'value');
  }
  return value;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw invalidArgument(name, 'a positive integer', 'value');
  return value;
}

/**
 * Creates a verifier for inbound webhooks. Checks, in order: the body is raw, the scheme's headers
 * are present and well formed (bounded in length and number of signatures), the signed timestamp
 * is within `toleranceSec` in the past and `futureToleranceSec` in the future, a signature matches
 * one of the live secrets (constant-time), and — only then — that the message was not seen before
 * (the replay store). Every failure is a `WebhookError` with a stable code.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@portcullis/webhooks';
 * const verifier = createVerifier({ secrets: process.env.WEBHOOK_SECRET ?? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * // in a handler, with the raw body:
 * // const { id, matchedSecret } = await verifier.verify({ headers: request.headers, body: rawBytes });
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const scheme = options.scheme ?? standard;
  if (typeof scheme !== 'object' || scheme === null || typeof scheme.parse !== 'function') {
    throw invalidArgument('scheme', 'a scheme (e.g. schemes.stripe or defineHmacScheme(...))');
  }
  const backend = selectBackend(options.crypto);
  const toleranceMs = seconds('toleranceSec', options.toleranceSec ?? 300) * 1000;
  const futureMs = seconds('futureToleranceSec', options.futureToleranceSec ?? 30) * 1000;
  const maxHeaderLength = positiveInt('maxHeaderLength', options.maxHeaderLength ?? 4096);
  const maxSignatures = positiveInt('maxSignatures', options.maxSignatures ?? 8);
  const clock = options.clock ?? systemClock;
  const store =
    options.store === false
      ? undefined
      : (options.store ?? new MemoryStore({ maxEntries: 100_000, whenFull: 'reject', clock }));
  const prefix = `${options.replayKeyPrefix ?? 'webhooks:replay:'}${scheme.name}:`;
  const t = options.telemetry ?? telemetry('@portcullis/webhooks');
  const ring = new KeyRing(scheme, backend, options.secrets, 'verify');

  // Attribute objects made once: the hot path allocates nothing for telemetry.
  const okAttributes = { scheme: scheme.name, outcome: 'ok' };
  const mismatch = (): WebhookError =>
    new WebhookError('ERR_WEBHOOK_SIGNATURE_MISMATCH', 'No webhook signature matched.');

  function failed(error: unknown): Promise<never> {
    t.count('portcullis.webhooks.verify', 1, {
      scheme: scheme.name,
      outcome: (error as { code?: string } | null)?.code ?? 'error',
    });
    return Promise.reject(error);
  }

  function result(
    parsed: ParsedHeaders,
    match: Match,
    timestampMs: number | undefined,
  ): VerifiedWebhook {
    t.count('portcullis.webhooks.verify', 1, okAttributes);
    return {
      id: parsed.id,
      idSigned: scheme.idSigned,
      timestamp: timestampMs === undefined ? undefined : timestampMs / 1000,
      matchedSecret: matchedSecret(match.key),
      scheme: scheme.name,
    };
  }

  function afterMatch(
    parsed: ParsedHeaders,
    parts: readonly Part[],
    match: Match | undefined,
    timestampMs: number | undefined,
  ): VerifiedWebhook | Promise<VerifiedWebhook> {
    if (match === undefined) throw mismatch();
    if (store === undefined) return result(parsed, match, timestampMs);
    // Recorded only now, after signature and timestamp verified: unsigned traffic burns nothing.
    // The key names the message, never the signature that matched: a replay that carries only
    // another live secret's signature (rotation) is the same message and must be refused too.
    // Schemes without a signed id are keyed on a digest of the signed content.
    const name = scheme.idSigned ? parsed.id : backend.sha256(parts);
    if (name instanceof Promise) return name.then((n) => remember(n, parsed, match, timestampMs));
    return remember(name, parsed, match, timestampMs);
  }

  function remember(
    name: string | undefined,
    parsed: ParsedHeaders,
    match: Match,
    timestampMs: number | undefined,
  ): Promise<VerifiedWebhook> {
    const ttlMs =
      timestampMs === undefined
        ? toleranceMs + futureMs
        : timestampMs + toleranceMs - clock.now() + 1000;
    return (store as Store).setIfAbsent(prefix + name, '1', Math.max(1000, ttlMs)).then((fresh) => {
      if (!fresh)
        throw new WebhookError('ERR_WEBHOOK_REPLAYED', 'This webhook was already received.');
      return result(parsed, match, timestampMs);
    });
  }

  function afterKeys(
    parsed: ParsedHeaders,
    parts: readonly Part[],
    keys: PreparedKey[],
    timestampMs: number | undefined,
  ): VerifiedWebhook | Promise<VerifiedWebhook> {
    const match = findMatch(backend, scheme, keys, parts, parsed.signatures);
    if (match instanceof Promise)
      return match.then((m) => afterMatch(parsed, parts, m, timestampMs));
    return afterMatch(parsed, parts, match, timestampMs);
  }

  // Synchronous until something is truly asynchronous (a resolver, Web Crypto, the store), so
  // the Node path costs one settled promise per message.
  function run(input: VerifyInput): VerifiedWebhook | Promise<VerifiedWebhook> {
    if (typeof input !== 'object' || input === null)
      throw invalidArgument('input', 'an object { headers, body }');
    const body = rawBody(input.body);
    const parsed = scheme.parse(headerReader(input.headers, maxHeaderLength), maxSignatures);
    let timestampMs: number | undefined;
    if (scheme.timestampSigned && parsed.timestamp !== undefined) {
      timestampMs = Number(parsed.timestamp) * 1000;
      const now = clock.now();
      if (timestampMs < now - toleranceMs) {
        throw new WebhookError(
          'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
          'The webhook timestamp is too old.',
          {
            bound: 'past',
          },
        );
      }
      if (timestampMs > now + futureMs) {
        throw new WebhookError(
          'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
          'The webhook timestamp is in the future.',
          {
            bound: 'future',
          },
        );
      }
    }
    const parts = scheme.content(parsed, body, input.url);
    const keys = ring.keys();
    if (keys instanceof Promise) return keys.then((k) => afterKeys(parsed, parts, k, timestampMs));
    return afterKeys(parsed, parts, keys, timestampMs);
  }

  function verify(input: VerifyInput): Promise<VerifiedWebhook> {
    try {
      const out = run(input);
      return out instanceof Promise ? out.catch(failed) : Promise.resolve(out);
    } catch (error) {
      return failed(error);
    }
  }

  return { scheme, verify };
}
