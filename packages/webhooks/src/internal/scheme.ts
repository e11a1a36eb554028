// What a scheme is inside the package: the public, opaque `Scheme` plus the parsing, content and
// formatting the signer, the verifier and explain() call. Only `defineScheme` makes a `Scheme`, so
// a hand-built object is never mistaken for one.
import { invalidArgument } from '@portcullis/core';
import type { Scheme } from '../schemes/Scheme.ts';
import type { Encoding, HmacAlgorithm } from '../types.ts';
import type { Part } from './crypto/CryptoBackend.ts';
import type { HeaderReader } from './headers.ts';

/** One signature read from (or written to) a header. */
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

/** A scheme with everything the package calls. */
export interface SchemeSpec {
  readonly name: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: Encoding;
  readonly idSigned: boolean;
  readonly timestampSigned: boolean;
  readonly maxSignatures: number;
  readonly requiresUrl: boolean;
  readonly headerNames: readonly string[];
  readonly idRule: string;
  /** Whether the secret is used as its text (then whitespace around it is worth a diagnosis). */
  readonly textSecrets: boolean;
  isValidId(id: string): boolean;
  /** Decodes a configured secret; throws `ERR_WEBHOOK_SECRET_MALFORMED`. */
  decodeSecret(secret: string): KeyMaterial;
  /** Reads the headers; throws only `WebhookError`s. `limit` bounds the signatures read. */
  parse(read: HeaderReader, limit: number): ParsedHeaders;
  /** The content the signature covers, as parts hashed in order (what the signer signs). */
  content(meta: SignedMeta, body: Part, url: string | undefined): readonly Part[];
  /**
   * Further contents a verifier also accepts, tried only when `content` matched nothing: the
   * spellings the provider's own validator accepts too (Twilio: the URL with and without its
   * default port). Default: none.
   */
  alternatives?(
    meta: SignedMeta,
    body: Part,
    url: string | undefined,
  ): readonly (readonly Part[])[];
  /** The headers that carry `signatures` for `meta`. */
  format(meta: SignedMeta, signatures: readonly SignatureCandidate[]): Record<string, string>;
}

const SPECS = new WeakMap<object, SchemeSpec>();

/** Makes the public, frozen `Scheme` for `spec`; the only way a `Scheme` comes to be. */
export function defineScheme(spec: SchemeSpec): Scheme {
  const scheme = Object.freeze({
    name: spec.name,
    idSigned: spec.idSigned,
    timestampSigned: spec.timestampSigned,
    maxSignatures: spec.maxSignatures,
    requiresUrl: spec.requiresUrl,
    headerNames: Object.freeze([...spec.headerNames]),
    idRule: spec.idRule,
    isValidId: (id: string): boolean => spec.isValidId(id),
  });
  SPECS.set(scheme, spec);
  return scheme as unknown as Scheme;
}

/** The spec of a scheme this package made; anything else is misuse (`TypeError`). */
export function specOf(scheme: unknown, path: string): SchemeSpec {
  const spec = typeof scheme === 'object' && scheme !== null ? SPECS.get(scheme) : undefined;
  if (spec === undefined) {
    throw invalidArgument(path, 'a scheme from schemes.* or defineHmacScheme(...)');
  }
  return spec;
}
