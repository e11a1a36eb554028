import { isWebhookError, type WebhookErrorCode } from '../errors/WebhookError.ts';
import {
  checkBody,
  checkContextOf,
  checkHeaders,
  checkSignature,
  checkTimestamp,
  signedContent,
} from '../internal/checks.ts';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import {
  detectSchemes,
  mismatchCauses,
  secretHint,
  whitespaceCause,
} from '../internal/explainAdvice.ts';
import { resolveExplainOptions } from '../internal/options.ts';
import type { ParsedHeaders } from '../internal/scheme.ts';
import { KeyRing, matchedSecret, type PreparedKey } from '../internal/secrets.ts';
import type { ExplainOptions } from '../options.ts';
import type { MatchedSecret } from '../types.ts';

/** The check that failed first. */
export type FailedCheck = 'body' | 'secret' | 'headers' | 'timestamp' | 'signature';

/** What {@link explain} found. Safe to print: it never holds a secret or an expected signature. */
export interface Diagnosis {
  /** Whether the message would verify (replay aside: explain never touches a store). */
  ok: boolean;
  /** The scheme checked. */
  scheme: string;
  /** The first check that failed, if any: the one `verify` stops at. */
  failedCheck: FailedCheck | undefined;
  /** The code `verify` would reject with, if any. */
  code: WebhookErrorCode | undefined;
  /** One sentence on the outcome. */
  summary: string;
  /** The likely causes, most likely first, each with what to do. */
  likelyCauses: string[];
  /** Receiver clock minus signed timestamp, in seconds, not rounded (positive: the message is that old). */
  skewSec?: number;
  /** Which secret verified the signature, when one did. */
  matchedSecret?: MatchedSecret;
  /** Built-in schemes whose signature header is present in the request. */
  detectedSchemes: string[];
}

const NOT_RAW =
  'The body is not raw bytes: a framework body parser (express.json(), bodyParser, a Next.js API route) parsed it before verification. Verify the raw body (Express: express.raw({ type: () => true }); Fetch: request.arrayBuffer()) and parse it afterwards.';

/** The body serialised again, for the "it would match by luck" note; undefined when it cannot be. */
function reserialised(body: unknown): string | undefined {
  try {
    return typeof body === 'object' && body !== null ? JSON.stringify(body) : undefined;
  } catch {
    return undefined; // BigInt, a cycle, a throwing toJSON
  }
}

/**
 * Explains why a webhook does or does not verify, for a developer debugging an integration. It
 * runs the verifier's own checks (the same functions, in the same order, with the same limits:
 * body, headers, timestamp, signed content, secrets, signature), so the check it names and the
 * code it gives are those `verify` would reject with; then it adds the likely cause — clock skew
 * of N seconds, a body re-serialised by a parser, the wrong secret or environment, whitespace
 * around a secret, the wrong scheme — without printing secrets or expected signatures. It does
 * not consult or write a replay store.
 *
 * @example
 * ```ts
 * import { explain } from '@portcullis/webhooks';
 * const diagnosis = await explain({
 *   secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
 *   headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,xyz' },
 *   body: '{"type":"ping"}',
 * });
 * console.log(diagnosis.summary, diagnosis.likelyCauses);
 * ```
 */
export async function explain(options: ExplainOptions): Promise<Diagnosis> {
  const o = resolveExplainOptions(options);
  const ctx = checkContextOf(o);
  const { scheme, backend } = ctx;
  const clock = o.clock;
  const detectedSchemes = detectSchemes(o.headers);
  const base = { scheme: scheme.name, detectedSchemes };
  const failed = (
    failedCheck: FailedCheck,
    code: WebhookErrorCode,
    summary: string,
    likelyCauses: string[],
    extra: Partial<Diagnosis> = {},
  ): Diagnosis => ({ ok: false, ...base, failedCheck, code, summary, likelyCauses, ...extra });
  const url = o.url;

  // 0. The secrets, as createVerifier decodes a static list (before any message).
  let ring: KeyRing;
  try {
    ring = new KeyRing(scheme, backend, o.secrets, 'verify');
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return failed('secret', error.code, error.message, await secretHint(scheme, o.secrets));
  }

  // 1. The body. verify() stops here; the rest only adds to the picture.
  let body: Part;
  let notRaw: WebhookErrorCode | undefined;
  try {
    body = checkBody(o.body);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    notRaw = error.code;
    const text = reserialised(o.body);
    if (text === undefined) {
      return failed('body', error.code, 'The body is missing or not raw.', [NOT_RAW]);
    }
    body = text;
  }

  // 2. The headers.
  let parsed: ParsedHeaders;
  try {
    parsed = checkHeaders(ctx, o.headers);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    if (notRaw !== undefined)
      return failed('body', notRaw, 'The body is missing or not raw.', [NOT_RAW]);
    const others = detectedSchemes.filter((n) => n !== scheme.name);
    const causes = others.length
      ? [`Wrong scheme: the headers look like ${others.join(' or ')}'s. Use schemes.${others[0]}.`]
      : error.code === 'ERR_WEBHOOK_HEADER_MALFORMED'
        ? [
            `The ${error.header ?? 'signature'} header ${error.message.replace(/^The \S+ header /, '').replace(/\.$/, '')}: a proxy may have joined or padded it, or the request was not sent by the provider.`,
          ]
        : [
            `The ${error.header ?? 'signature'} header did not arrive: a proxy or framework may drop or rename it, or the request was not sent by the provider.`,
          ];
    return failed('headers', error.code, error.message, causes);
  }

  // 3. The timestamp: the verdict is verify()'s; the signature is still checked for the picture.
  let skewSec: number | undefined;
  let timeCause: string | undefined;
  if (scheme.timestampSigned && parsed.timestamp !== undefined) {
    skewSec = (clock.now() - Number(parsed.timestamp) * 1000) / 1000;
    try {
      checkTimestamp(ctx, parsed);
    } catch (error) {
      if (!isWebhookError(error)) throw error;
      timeCause =
        error.bound === 'past'
          ? skewSec > o.toleranceSec + 3600
            ? `The message was signed ${skewSec} s ago: it is an old message replayed or re-sent from a log, or one of the clocks is badly wrong.`
            : `Clock skew or delay of ${skewSec} s (tolerance ${o.toleranceSec} s): the message was queued or retried late, or the receiver's clock is behind; check NTP on both sides.`
          : `Clock skew of ${-skewSec} s: the timestamp is ahead of this clock (tolerance ${o.futureToleranceSec} s). The sender's clock runs fast or this one runs slow; check NTP.`;
    }
  }
  const timeExtra = skewSec === undefined ? {} : { skewSec };

  // 4. The signed content (Twilio's unsupported JSON variant is refused here).
  let parts: readonly Part[];
  try {
    parts = signedContent(ctx, parsed, body, url);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    if (notRaw !== undefined)
      return failed('body', notRaw, 'The body is missing or not raw.', [NOT_RAW]);
    if (timeCause !== undefined) {
      return failed(
        'timestamp',
        'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
        'The timestamp is outside the tolerance.',
        [timeCause],
        timeExtra,
      );
    }
    return failed('headers', error.code, error.message, [
      "Twilio signs JSON webhooks over the URL alone (bodySHA256 in the query); this package verifies only Twilio's form-encoded webhooks.",
    ]);
  }

  // 5. The secrets (a resolver is called per message, here as in verify()).
  let keys: PreparedKey[];
  try {
    keys = await ring.keys();
    for (const k of keys) await k.handle;
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    if (notRaw !== undefined)
      return failed('body', notRaw, 'The body is missing or not raw.', [NOT_RAW]);
    if (timeCause !== undefined) {
      return failed(
        'timestamp',
        'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
        'The timestamp is outside the tolerance.',
        [timeCause],
        timeExtra,
      );
    }
    return failed('secret', error.code, error.message, await secretHint(scheme, o.secrets));
  }

  // 6. The signature.
  const match = await checkSignature(ctx, keys, parsed, parts, body, url);
  if (match !== undefined) {
    const matched = matchedSecret(match.key);
    if (notRaw !== undefined) {
      return failed(
        'body',
        notRaw,
        'The body is not raw; serialised again it happens to match, but that is luck.',
        [NOT_RAW],
        { matchedSecret: matched },
      );
    }
    if (timeCause !== undefined) {
      return failed(
        'timestamp',
        'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
        'The signature is valid but the timestamp is outside the tolerance.',
        [timeCause],
        { ...timeExtra, matchedSecret: matched },
      );
    }
    const key = match.key;
    const rotated =
      key.index > 0
        ? [
            `It matched secret #${key.index}${key.label ? ` (${key.label})` : ''}, not the first: finish the rotation on the sender.`,
          ]
        : [];
    return {
      ok: true,
      ...base,
      failedCheck: undefined,
      code: undefined,
      summary: 'The webhook verifies.',
      likelyCauses: rotated,
      ...timeExtra,
      matchedSecret: matched,
    };
  }

  const causes = await mismatchCauses(ctx, o.secrets, keys, parsed, body, url, detectedSchemes);
  const spaced = await whitespaceCause(scheme, o.secrets);
  if (spaced !== undefined) causes.unshift(spaced);
  if (notRaw !== undefined) {
    return failed('body', notRaw, 'The body is not raw bytes.', [NOT_RAW, ...causes]);
  }
  if (timeCause !== undefined) {
    // verify() checks the timestamp first, so that is the code it rejects with.
    return failed(
      'timestamp',
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      'The timestamp is outside the tolerance, and no signature matched either.',
      [timeCause, ...causes],
      timeExtra,
    );
  }
  return failed(
    'signature',
    'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    'No signature matched any configured secret.',
    causes,
    timeExtra,
  );
}
