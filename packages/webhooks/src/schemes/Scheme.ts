import type { HmacAlgorithm, Part } from '../internal/crypto/CryptoBackend.ts';
import type { Encoding } from '../internal/encoding.ts';
import type { HeaderReader } from '../internal/headers.ts';

/** One signature read from (or written to) a header: an HMAC as encoded text, or an Ed25519 signature in base64. */
export interface SignatureCandidate {
  kind: 'hmac' | 'ed25519';
  /** As written in the header, without its prefix (`v1,`, `sha256=`…). */
  value: string;
}

/** The signed metadata of one message, as the header strings were sent. */
export interface SignedMeta {
  /** The message id, where the scheme has one. */
  id: string | undefined;
  /** The timestamp in Unix seconds, as its decimal digits, where the scheme has one. */
  timestamp: string | undefined;
}

/** What a scheme reads from the headers of one message. */
export interface ParsedHeaders extends SignedMeta {
  signatures: SignatureCandidate[];
}

/** A secret decoded for a scheme. */
export type KeyMaterial =
  | { kind: 'hmac'; bytes: Uint8Array }
  | { kind: 'ed25519-public'; bytes: Uint8Array }
  | { kind: 'ed25519-private'; bytes: Uint8Array };

/**
 * A signature scheme: which headers carry what, what content is signed, and how. The same object
 * drives the signer and the verifier. Use the built-in ones ({@link standard}, `stripe`, `github`,
 * `shopify`, `slack`, `twilio`) or declare one with `defineHmacScheme`; implementing this interface
 * by hand is possible but rarely needed.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.github, secrets: 'my-github-secret' });
 * ```
 */
export interface Scheme {
  /** Short name, used in replay keys and diagnoses (`standard`, `stripe`…). */
  readonly name: string;
  /** The HMAC hash. */
  readonly algorithm: HmacAlgorithm;
  /** How HMAC signatures are written in the header. */
  readonly encoding: Encoding;
  /** Whether the message id is covered by the signature (then it keys replay protection). */
  readonly idSigned: boolean;
  /** Whether the timestamp is covered by the signature (then its age is checked). */
  readonly timestampSigned: boolean;
  /** How many signatures one message may carry (several allow rotation). */
  readonly maxSignatures: number;
  /** Whether the signed content includes the request URL (Twilio). */
  readonly requiresUrl: boolean;
  /** The headers the scheme reads, lower case, for diagnoses. */
  readonly headerNames: readonly string[];
  /**
   * Whether `id` is a message id this scheme's verifier accepts. `createSigner` applies the same
   * function, so it never signs a message its own verifier refuses. Set by {@link standard} and
   * `defineHmacScheme` (whose rule also forbids the characters the template puts next to `{id}`).
   * Default when absent: Standard Webhooks' rule (1–256 visible ASCII characters without `.`).
   */
  isValidId?(id: string): boolean;
  /**
   * What {@link Scheme.isValidId} asks for, as a noun phrase for error messages, e.g.
   * `'1–256 visible ASCII characters without ".", ":"'`. Default: Standard Webhooks' rule.
   */
  readonly idRule?: string;
  /** Decodes a configured secret; throws `ERR_WEBHOOK_SECRET_MALFORMED`. */
  decodeSecret(secret: string): KeyMaterial;
  /** Reads the headers; throws only `WebhookError`s. `limit` bounds the signatures read. */
  parse(read: HeaderReader, limit: number): ParsedHeaders;
  /** The content the signature covers, as parts hashed in order. */
  content(meta: SignedMeta, body: Part, url: string | undefined): readonly Part[];
  /** The headers that carry `signatures` for `meta`. */
  format(meta: SignedMeta, signatures: readonly SignatureCandidate[]): Record<string, string>;
}
