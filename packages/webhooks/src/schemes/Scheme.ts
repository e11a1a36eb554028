/** Brands a scheme made by this package; only this package can make one. */
declare const SCHEME: unique symbol;

/**
 * A signature scheme: which headers carry what, what content is signed, and how. The same object
 * drives the signer, the verifier and `explain()`. It is opaque: use a built-in one
 * (`schemes.standard`, `stripe`, `github`, `shopify`, `slack`, `twilio`) or declare one with
 * `defineHmacScheme`. An object built by hand is refused with a `TypeError`, so a scheme always
 * has the parsing and id rules this package checks.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.github, secrets: 'my-github-secret' });
 * verifier.scheme.name; // 'github'
 * ```
 */
export interface Scheme {
  /** Short name, used in replay keys and diagnoses (`standard`, `stripe`…). */
  readonly name: string;
  /** Whether the message id is covered by the signature (then it keys replay protection). */
  readonly idSigned: boolean;
  /** Whether the timestamp is covered by the signature (then its age is checked). */
  readonly timestampSigned: boolean;
  /** How many signatures one message may carry (several allow rotation). */
  readonly maxSignatures: number;
  /** Whether the signed content includes the request URL (Twilio). */
  readonly requiresUrl: boolean;
  /** The headers the scheme reads, lower case. */
  readonly headerNames: readonly string[];
  /** What {@link Scheme.isValidId} asks for, as a noun phrase for messages. */
  readonly idRule: string;
  /**
   * Whether `id` is a message id this scheme's verifier accepts; the signer applies the same
   * rule, so it never signs a message its own verifier refuses.
   */
  isValidId(id: string): boolean;
  /** Marks a scheme made by this package. */
  readonly [SCHEME]: true;
}
