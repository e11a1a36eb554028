import { invalidArgument, MemoryStore, type Store } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import {
  checkBody,
  checkContextOf,
  checkHeaders,
  checkSignature,
  checkTimestamp,
  mismatch,
  signedContent,
} from '../internal/checks.ts';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import type { Match } from '../internal/match.ts';
import { resolveVerifierOptions } from '../internal/options.ts';
import type { ParsedHeaders } from '../internal/scheme.ts';
import { KeyRing, matchedSecret, type PreparedKey } from '../internal/secrets.ts';
import { generateId } from '../keys/generateId.ts';
import type { VerifierOptions } from '../options.ts';
import type { Scheme } from '../schemes/Scheme.ts';
import { standard } from '../schemes/standard.ts';
import type { HeadersInput, MatchedSecret, RawBody } from '../types.ts';

/** Entries of the default, per-verifier replay store. */
const DEFAULT_STORE_ENTRIES = 100_000;

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

/**
 * Creates a verifier for inbound webhooks. Checks, in order: the body is raw, the scheme's headers
 * are present and well formed (bounded in length and number of signatures), the signed timestamp
 * is within `toleranceSec` in the past and `futureToleranceSec` in the future, a signature matches
 * one of the live secrets (constant-time), and — only then — that the message was not seen before
 * (the replay store). Every failure is a `WebhookError` with a stable code. Options are checked
 * here: a wrong type, a value out of range or an unknown option is a `TypeError`.
 *
 * A replay mark lives `toleranceSec + futureToleranceSec + clockSkewSec`, so no replica whose
 * clock is within `clockSkewSec` can accept the message again. When the store fails or times out
 * (`StoreError`, 503), the verifier withdraws its mark (`compareAndDelete` of a value unique to
 * this attempt), so the sender's retry is not refused as a replay of a message never processed.
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
  const o = resolveVerifierOptions(options);
  const ctx = checkContextOf(o);
  const { scheme, backend } = ctx;
  const clock = o.clock;
  // The whole window in which any replica (clocks within clockSkewSec) could accept a message.
  const markTtlMs = (o.toleranceSec + o.futureToleranceSec + o.clockSkewSec) * 1000;
  const store: Store | undefined =
    o.store === false
      ? undefined
      : (o.store ??
        new MemoryStore({ maxEntries: DEFAULT_STORE_ENTRIES, whenFull: 'reject', clock }));
  const prefix = `${o.replayKeyPrefix}${scheme.name}:`;
  const t = o.telemetry;
  const ring = new KeyRing(scheme, backend, o.secrets, 'verify');
  // Each mark's value is unique to one attempt, so withdrawing it never removes another's mark.
  const markPrefix = `${generateId()}.`;
  let markSeq = 0;

  // Attribute objects made once: the hot path allocates nothing for telemetry.
  const okAttributes = { scheme: scheme.name, outcome: 'ok' };

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
    const key = prefix + name;
    const mark = markPrefix + (markSeq++).toString(36);
    const s = store as Store;
    return s.setIfAbsent(key, mark, markTtlMs).then(
      (fresh) => {
        if (!fresh)
          throw new WebhookError('ERR_WEBHOOK_REPLAYED', 'This webhook was already received.');
        return result(parsed, match, timestampMs);
      },
      (error: unknown) => {
        // The write may still land (a store that timed out after the command was sent): withdraw
        // it, so the sender's retry is not refused as a replay. Sent now, it queues behind the
        // write on the same connection; errors are the store's to report on the next call.
        Promise.resolve()
          .then(() => s.compareAndDelete(key, mark))
          .catch(() => {});
        throw error;
      },
    );
  }

  function afterKeys(
    parsed: ParsedHeaders,
    parts: readonly Part[],
    keys: PreparedKey[],
    timestampMs: number | undefined,
    input: VerifyInput,
    body: Part,
  ): VerifiedWebhook | Promise<VerifiedWebhook> {
    const match = checkSignature(ctx, keys, parsed, parts, body, input.url);
    if (match instanceof Promise)
      return match.then((m) => afterMatch(parsed, parts, m, timestampMs));
    return afterMatch(parsed, parts, match, timestampMs);
  }

  // Synchronous until something is truly asynchronous (a resolver, Web Crypto, the store), so
  // the Node path costs one settled promise per message.
  function run(input: VerifyInput): VerifiedWebhook | Promise<VerifiedWebhook> {
    if (typeof input !== 'object' || input === null)
      throw invalidArgument('input', 'an object { headers, body }');
    const body = checkBody(input.body);
    const parsed = checkHeaders(ctx, input.headers);
    const timestampMs = checkTimestamp(ctx, parsed);
    const parts = signedContent(ctx, parsed, body, input.url);
    const keys = ring.keys();
    if (keys instanceof Promise)
      return keys.then((k) => afterKeys(parsed, parts, k, timestampMs, input, body));
    return afterKeys(parsed, parts, keys, timestampMs, input, body);
  }

  function verify(input: VerifyInput): Promise<VerifiedWebhook> {
    try {
      const out = run(input);
      return out instanceof Promise ? out.catch(failed) : Promise.resolve(out);
    } catch (error) {
      return failed(error);
    }
  }

  return { scheme: options.scheme ?? standard, verify };
}
