import type { Clock, Store, Telemetry } from '@portcullis/core';
import type { Scheme } from './schemes/Scheme.ts';
import type {
  CryptoChoice,
  Encoding,
  HeadersInput,
  HmacAlgorithm,
  SecretsOption,
} from './types.ts';

/** Options of `createVerifier`. */
export interface VerifierOptions {
  /** The signature scheme. Default: `schemes.standard` (Standard Webhooks / Svix). */
  scheme?: Scheme;
  /**
   * The live secrets: one, a list (current first, previous after it during rotation), or a
   * function that returns them per message. Strings or `Redacted` strings, optionally labelled
   * (`{ label, secret }`). Required.
   */
  secrets: SecretsOption;
  /** How old a signed timestamp may be, in seconds (0 to 30 days). Default: 300 (5 minutes). */
  toleranceSec?: number;
  /**
   * How far ahead of this clock a signed timestamp may be, in seconds (0 to 1 day; clock skew).
   * Default: 30. Stripe's and Slack's libraries accept an hour; a timestamp from the future can
   * extend a captured message's life, so this is kept small.
   */
  futureToleranceSec?: number;
  /**
   * How far apart the clocks of the replicas that share a replay store may be, in seconds
   * (0 to 1 hour). A replay mark lives `toleranceSec + futureToleranceSec + clockSkewSec`: the
   * whole window in which any of those replicas could accept the message. Default: 30.
   */
  clockSkewSec?: number;
  /**
   * Where verified messages are remembered to refuse replays. Pass a shared store (`RedisStore`)
   * for a fleet, or `false` to turn replay protection off. Default: a `MemoryStore` of 100 000
   * entries per verifier that refuses writes when full (fail closed: `StoreError`
   * `ERR_STORE_FULL`, status 503, so the sender retries).
   */
  store?: Store | false;
  /** Prefix of replay keys in the store. Default: `'webhooks:replay:'`. */
  replayKeyPrefix?: string;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Crypto implementation: `'node'`, `'webcrypto'` or `'auto'` (node where available). Default: `'auto'`. */
  crypto?: CryptoChoice;
  /** Longest header value read, in characters (1 to 1 048 576); longer is `ERR_WEBHOOK_HEADER_MALFORMED`. Default: 4096. */
  maxHeaderLength?: number;
  /** Most signatures read from one message (1 to 64); more is `ERR_WEBHOOK_HEADER_MALFORMED`. Default: 8. */
  maxSignatures?: number;
  /** Where metrics go. Default: `telemetry('@portcullis/webhooks')`. */
  telemetry?: Telemetry;
}

/** Options of `createSigner`. */
export interface SignerOptions {
  /** The signature scheme. Default: `schemes.standard` (Standard Webhooks). */
  scheme?: Scheme;
  /**
   * The signing secrets. With several, every message carries one signature per secret (new and
   * old during a rotation), where the scheme allows several; a `whsk_` key adds a `v1a` (Ed25519)
   * signature. One, a list, or a function returning them. Required.
   */
  secrets: SecretsOption;
  /** Time source for the timestamp. Default: `systemClock`. */
  clock?: Clock;
  /** Crypto implementation: `'node'`, `'webcrypto'` or `'auto'`. Default: `'auto'`. */
  crypto?: CryptoChoice;
  /** Where metrics go (`portcullis.webhooks.sign`). Default: `telemetry('@portcullis/webhooks')`. */
  telemetry?: Telemetry;
}

/**
 * Options of `explain`: the message as your code has it, and the verifier settings it would be
 * checked with (validated by the same rules as `createVerifier`'s).
 */
export interface ExplainOptions {
  /** The scheme you expect. Default: `schemes.standard`. */
  scheme?: Scheme;
  /** The secrets your verifier uses. Required. */
  secrets: SecretsOption;
  /** The request headers. Required. */
  headers: HeadersInput;
  /** The body as your code has it (raw or not: explain says which). */
  body: unknown;
  /** The full URL, for schemes that sign it (Twilio). Default: none. */
  url?: string;
  /** As in `createVerifier`. Default: 300. */
  toleranceSec?: number;
  /** As in `createVerifier`. Default: 30. */
  futureToleranceSec?: number;
  /** As in `createVerifier`. Default: 4096. */
  maxHeaderLength?: number;
  /** As in `createVerifier`. Default: 8. */
  maxSignatures?: number;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Crypto implementation. Default: `'auto'`. */
  crypto?: CryptoChoice;
}

/** How a custom HMAC scheme is declared (`defineHmacScheme`). */
export interface HmacSchemeOptions {
  /** Short name for replay keys and diagnoses, e.g. `'acme'`. Required. */
  name: string;
  /** The header holding the signature, e.g. `'x-acme-signature'` (any case). Required. */
  signatureHeader: string;
  /** HMAC hash. Default: `'sha256'`. */
  algorithm?: HmacAlgorithm;
  /** How the signature is written. Default: `'hex'` (lower case). */
  encoding?: Encoding;
  /** Text before the signature in the header, e.g. `'sha256='`. Default: `''`. */
  signaturePrefix?: string;
  /**
   * When set, the header may hold several signatures separated by this string (each with the
   * prefix), so senders can rotate secrets. Default: one signature per header.
   */
  signatureSeparator?: string;
  /** The header holding the timestamp in Unix seconds. Must appear as `{timestamp}` in `signedContent`. Default: none. */
  timestampHeader?: string;
  /**
   * The header holding the message id. Signed (and the replay key) when `signedContent` has
   * `{id}`; then the id must be 1–256 visible ASCII characters without `.` (Standard Webhooks'
   * rule) nor the characters the template puts right next to `{id}`, so it cannot move bytes
   * between itself and its neighbours: otherwise `ERR_WEBHOOK_HEADER_MALFORMED`. Default: none.
   */
  idHeader?: string;
  /**
   * What is signed: a template over `{id}`, `{timestamp}` and `{body}` (exactly once), e.g.
   * `'{timestamp}.{body}'`. Any two of them must be separated by text (`'{id}{body}'` is
   * ambiguous), and the text next to `{timestamp}` must not start or end with a digit.
   * Default: `'{body}'`.
   */
  signedContent?: string;
  /**
   * How configured secrets turn into key bytes: their UTF-8 text, or decoded from base64, hex, or
   * `whsec_`-prefixed base64. Default: `'utf8'`.
   */
  secretEncoding?: 'utf8' | 'base64' | 'hex' | 'whsec';
}

/** The type of {@link DEFAULTS}. */
export interface WebhookDefaults {
  /** `createVerifier`, `explain`: how old a signed timestamp may be, in seconds. */
  readonly toleranceSec: number;
  /** `createVerifier`, `explain`: how far ahead of this clock a timestamp may be, in seconds. */
  readonly futureToleranceSec: number;
  /** `createVerifier`: how far the clocks of replicas sharing a replay store may differ, in seconds. */
  readonly clockSkewSec: number;
  /** `createVerifier`: prefix of replay keys in the store. */
  readonly replayKeyPrefix: string;
  /** `createSigner`, `createVerifier`, `explain`: the crypto implementation. */
  readonly crypto: CryptoChoice;
  /** `createVerifier`, `explain`: longest header value read, in characters. */
  readonly maxHeaderLength: number;
  /** `createVerifier`, `explain`: most signatures read from one message. */
  readonly maxSignatures: number;
  /** `readRequest`, `readIncomingMessage`: largest body read, in bytes. */
  readonly maxBodyBytes: number;
  /** `defineHmacScheme`: the HMAC hash. */
  readonly algorithm: HmacAlgorithm;
  /** `defineHmacScheme`: how the signature is written. */
  readonly encoding: Encoding;
  /** `defineHmacScheme`: text before the signature in the header. */
  readonly signaturePrefix: string;
  /** `defineHmacScheme`: what is signed. */
  readonly signedContent: string;
  /** `defineHmacScheme`: how secrets turn into key bytes. */
  readonly secretEncoding: 'utf8' | 'base64' | 'hex' | 'whsec';
  /** `generateSecret`: random bytes in the secret. */
  readonly bytes: number;
  /** `generateSecret`: how the bytes are written. */
  readonly format: 'whsec' | 'base64' | 'hex';
}

/**
 * Every default of this package, in one place: the options of `createVerifier`, `createSigner`,
 * `explain`, `readRequest`/`readIncomingMessage`, `defineHmacScheme` and `generateSecret` take theirs from here
 * (the README's defaults tables are tested against it). Frozen.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/webhooks';
 * DEFAULTS.toleranceSec; // 300
 * ```
 */
export const DEFAULTS: WebhookDefaults = Object.freeze({
  toleranceSec: 300,
  futureToleranceSec: 30,
  clockSkewSec: 30,
  replayKeyPrefix: 'webhooks:replay:',
  crypto: 'auto',
  maxHeaderLength: 4096,
  maxSignatures: 8,
  maxBodyBytes: 1_048_576,
  algorithm: 'sha256',
  encoding: 'hex',
  signaturePrefix: '',
  signedContent: '{body}',
  secretEncoding: 'utf8',
  bytes: 32,
  format: 'whsec',
});
