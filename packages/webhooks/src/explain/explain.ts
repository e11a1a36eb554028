import { type Clock, invalidArgument, systemClock } from '@portcullis/core';
import { isWebhookError, type WebhookErrorCode } from '../errors/WebhookError.ts';
import { rawBody } from '../internal/body.ts';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import { type CryptoChoice, selectBackend } from '../internal/crypto/selectBackend.ts';
import { altKeys, bodyVariants, tryMatch } from '../internal/explainVariants.ts';
import { type HeadersInput, headerReader } from '../internal/headers.ts';
import {
  KeyRing,
  type MatchedSecret,
  matchedSecret,
  type PreparedKey,
  type SecretsOption,
} from '../internal/secrets.ts';
import { github } from '../schemes/github.ts';
import type { ParsedHeaders, Scheme } from '../schemes/Scheme.ts';
import { shopify } from '../schemes/shopify.ts';
import { slack } from '../schemes/slack.ts';
import { standard } from '../schemes/standard.ts';
import { stripe } from '../schemes/stripe.ts';
import { twilio } from '../schemes/twilio.ts';

const BUILT_IN: readonly Scheme[] = [standard, stripe, github, shopify, slack, twilio];

/** Options of {@link explain}: what a verifier would be given, plus its settings. */
export interface ExplainOptions {
  /** The scheme you expect. Default: `standard`. */
  scheme?: Scheme;
  /** The secrets your verifier uses. */
  secrets: SecretsOption;
  /** The request headers. */
  headers: HeadersInput;
  /** The body as your code has it (raw or not: explain says which). */
  body: unknown;
  /** The full URL, for schemes that sign it (Twilio). */
  url?: string;
  /** As in `createVerifier`. Default: 300. */
  toleranceSec?: number;
  /** As in `createVerifier`. Default: 30. */
  futureToleranceSec?: number;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Crypto implementation. Default: `'auto'`. */
  crypto?: CryptoChoice;
}

/** The check that failed first. */
export type FailedCheck = 'body' | 'secret' | 'headers' | 'timestamp' | 'signature';

/** What {@link explain} found. Safe to print: it never holds a secret or an expected signature. */
export interface Diagnosis {
  /** Whether the message would verify (replay aside: explain never touches a store). */
  ok: boolean;
  /** The scheme checked. */
  scheme: string;
  /** The first check that failed, if any. */
  failedCheck: FailedCheck | undefined;
  /** The code `verify` would reject with, if any. */
  code: WebhookErrorCode | undefined;
  /** One sentence on the outcome. */
  summary: string;
  /** The likely causes, most likely first, each with what to do. */
  likelyCauses: string[];
  /** Receiver clock minus signed timestamp, in seconds (positive: the message is that old). */
  skewSec?: number;
  /** Which secret verified the signature, when one did. */
  matchedSecret?: MatchedSecret;
  /** Built-in schemes whose signature header is present in the request. */
  detectedSchemes: string[];
}

/**
 * Explains why a webhook does or does not verify, for a developer debugging an integration: which
 * check fails and the likely cause — clock skew of N seconds, a body re-serialised by a parser,
 * the wrong secret or environment, the wrong scheme — without printing secrets or expected
 * signatures. It tries the body and secret variants that usually explain a mismatch. It does
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
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const scheme = options.scheme ?? standard;
  const backend = selectBackend(options.crypto);
  const clock = options.clock ?? systemClock;
  const toleranceSec = options.toleranceSec ?? 300;
  const futureSec = options.futureToleranceSec ?? 30;
  const read = headerReader(options.headers, 65_536);
  const detectedSchemes = BUILT_IN.filter((s) => {
    try {
      return s.headerNames.some((h) => read(h) !== undefined);
    } catch {
      return true;
    }
  }).map((s) => s.name);
  const base = { scheme: scheme.name, detectedSchemes };
  const failed = (
    failedCheck: FailedCheck,
    code: WebhookErrorCode,
    summary: string,
    likelyCauses: string[],
    extra: Partial<Diagnosis> = {},
  ): Diagnosis => ({
    ok: false,
    ...base,
    failedCheck,
    code,
    summary,
    likelyCauses,
    ...extra,
  });

  // 1. The body.
  let body: Part;
  let bodyProblem: string | undefined;
  try {
    body = rawBody(options.body);
  } catch {
    bodyProblem =
      'The body is not raw bytes: a framework body parser (express.json(), bodyParser, a Next.js API route) parsed it before verification. Verify the raw body (express.raw({ type: "*/*" }), request.arrayBuffer()) and parse it afterwards.';
    if (typeof options.body !== 'object' || options.body === null) {
      return failed('body', 'ERR_WEBHOOK_BODY_NOT_RAW', 'The body is missing or not raw.', [
        bodyProblem,
      ]);
    }
    body = JSON.stringify(options.body);
  }

  // 2. The secrets.
  let keys: PreparedKey[];
  try {
    const ring = new KeyRing(scheme, backend, options.secrets, 'verify');
    keys = await ring.keys();
    for (const k of keys) await k.handle;
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    const hint =
      scheme.name === 'standard'
        ? 'Standard Webhooks secrets are "whsec_" followed by base64 of at least 24 bytes (copy the whole value); "whpk_" public keys verify v1a signatures.'
        : `Check the ${scheme.name} secret: copy it whole from the provider's dashboard, without quotes or whitespace.`;
    return failed('secret', error.code, error.message, [hint]);
  }

  // 3. The headers.
  let parsed: ParsedHeaders;
  try {
    parsed = scheme.parse(read, 16);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    const others = detectedSchemes.filter((n) => n !== scheme.name);
    const causes = others.length
      ? [`Wrong scheme: the headers look like ${others.join(' or ')}'s. Use schemes.${others[0]}.`]
      : [
          `The ${error.header ?? 'signature'} header did not arrive: a proxy or framework may drop or rename it, or the request was not sent by the provider.`,
        ];
    return failed('headers', error.code, error.message, causes);
  }

  // 3b. What the URL says (Twilio's unsupported JSON variant is refused before any signature).
  if (scheme.requiresUrl && typeof options.url === 'string' && options.url !== '') {
    try {
      scheme.content(parsed, body, options.url);
    } catch (error) {
      if (!isWebhookError(error)) throw error;
      return failed('headers', error.code, error.message, [
        "Twilio signs JSON webhooks over the URL alone (bodySHA256 in the query); this package verifies only Twilio's form-encoded webhooks.",
      ]);
    }
  }

  // 4. The timestamp (reported, then the signature is still checked for a fuller picture).
  let skewSec: number | undefined;
  let timeCause: string | undefined;
  if (scheme.timestampSigned && parsed.timestamp !== undefined) {
    skewSec = Math.round(clock.now() / 1000 - Number(parsed.timestamp));
    if (skewSec > toleranceSec) {
      timeCause =
        skewSec > toleranceSec + 3600
          ? `The message was signed ${skewSec} s ago: it is an old message replayed or re-sent from a log, or one of the clocks is badly wrong.`
          : `Clock skew or delay of ${skewSec} s (tolerance ${toleranceSec} s): the message was queued or retried late, or the receiver's clock is behind; check NTP on both sides.`;
    } else if (-skewSec > futureSec) {
      timeCause = `Clock skew of ${-skewSec} s: the timestamp is ahead of this clock (tolerance ${futureSec} s). The sender's clock runs fast or this one runs slow; check NTP.`;
    }
  }

  // 5. The signature.
  const key = await tryMatch(backend, scheme, keys, parsed, body, options.url);
  if (key !== undefined) {
    const matched = matchedSecret(key);
    if (bodyProblem !== undefined) {
      return failed(
        'body',
        'ERR_WEBHOOK_BODY_NOT_RAW',
        'The body is not raw; serialised again it happens to match, but that is luck.',
        [bodyProblem],
        { matchedSecret: matched },
      );
    }
    if (timeCause !== undefined) {
      return failed(
        'timestamp',
        'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
        'The signature is valid but the timestamp is outside the tolerance.',
        [timeCause],
        { skewSec: skewSec as number, matchedSecret: matched },
      );
    }
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
      ...(skewSec === undefined ? {} : { skewSec }),
      matchedSecret: matched,
    };
  }

  const causes: string[] = [];
  if (bodyProblem !== undefined) causes.push(bodyProblem);
  if (parsed.signatures.length === 0) {
    causes.push(
      `The signature header carries no signature this scheme reads (${scheme.name === 'standard' ? 'v1 or v1a' : 'expected format'}).`,
    );
  }
  for (const variant of bodyVariants(body)) {
    if ((await tryMatch(backend, scheme, keys, parsed, variant.body, options.url)) !== undefined) {
      causes.push(
        `The body was changed after signing: ${variant.why}. Verify the exact bytes received.`,
      );
      break;
    }
  }
  if (scheme.requiresUrl && options.url !== undefined) {
    const u = options.url;
    const urls = [
      u.replace(/^http:/, 'https:'),
      u.replace(/^https:/, 'http:'),
      u.endsWith('/') ? u.slice(0, -1) : `${u}/`,
    ];
    for (const url of urls) {
      if (url !== u && (await tryMatch(backend, scheme, keys, parsed, body, url)) !== undefined) {
        causes.push(
          'The URL differs from the one the sender signed (scheme, port or trailing slash): behind a proxy, rebuild the public URL.',
        );
        break;
      }
    }
  }
  if (
    (await tryMatch(
      backend,
      scheme,
      await altKeys(backend, scheme, options.secrets),
      parsed,
      body,
      options.url,
    )) !== undefined
  ) {
    causes.push(
      `The right secret, read the wrong way: for ${scheme.name} it must be ${scheme.name === 'standard' ? 'base64-decoded after the whsec_ prefix' : 'used as its exact text'}. Use the matching scheme.`,
    );
  }
  const others = detectedSchemes.filter((n) => n !== scheme.name);
  if (others.length)
    causes.push(`The request also carries ${others.join(', ')} headers: is this the right scheme?`);
  causes.push(
    "The secret does not match the one the sender used: another environment (test vs live), another endpoint, or a secret rotated out. Copy the endpoint's current secret again.",
  );
  if (timeCause !== undefined) {
    // verify() checks the timestamp first, so that is the code it rejects with.
    return failed(
      'timestamp',
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      'The timestamp is outside the tolerance, and no signature matched either.',
      [timeCause, ...causes],
      { skewSec: skewSec as number },
    );
  }
  return failed(
    'signature',
    'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    'No signature matched any configured secret.',
    causes,
    skewSec === undefined ? {} : { skewSec },
  );
}
