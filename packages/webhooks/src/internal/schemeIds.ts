import { generateId } from '../keys/generateId.ts';
import { isMessageId } from './messageId.ts';

/** Every character {@link generateId} can write (`msg_` then base64url). */
const GENERATED_CHARS = 'msg_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Characters for the fallback ids, lower-case hex first, in order of preference. */
const FALLBACK_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** How many ids are drawn before giving up (a scheme with a non-character rule may refuse some). */
const ATTEMPTS = 8;

/**
 * A source of new message ids that `isValidId` (a scheme's id rule) accepts, or `undefined` when
 * none can be made. Uses {@link generateId} when the rule allows all its characters; otherwise
 * 128 random bits written as 32 characters of an alphabet of 16 the rule allows (lower-case hex
 * unless the template puts a hex digit next to `{id}`), after `msg_` when that is allowed. Each
 * call draws at most {@link ATTEMPTS} ids and returns `undefined` if the rule refused them all.
 */
export function schemeIdSource(
  isValidId: ((id: string) => boolean) | undefined,
): (() => string | undefined) | undefined {
  const valid = isValidId ?? ((id: string) => isMessageId(id));
  let make: () => string;
  if (valid(GENERATED_CHARS)) {
    make = generateId;
  } else {
    // Each character is tried at the fallback's full length, so a rule that also fixes the
    // length (`/^[0-9a-f]{32}$/`) is read right.
    const alphabet = [...FALLBACK_CHARS].filter((c) => valid(c.repeat(32))).slice(0, 16);
    if (alphabet.length < 16) return undefined;
    const prefix = valid(`msg_${(alphabet[0] as string).repeat(32)}`) ? 'msg_' : '';
    make = () => {
      let id = prefix;
      for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(16))) {
        id += (alphabet[byte >> 4] as string) + (alphabet[byte & 15] as string);
      }
      return id;
    };
  }
  // A rule that refuses a sample id is not a per-character rule this can satisfy.
  if (!valid(make())) return undefined;
  return () => {
    for (let i = 0; i < ATTEMPTS; i++) {
      const id = make();
      if (valid(id)) return id;
    }
    return undefined;
  };
}
