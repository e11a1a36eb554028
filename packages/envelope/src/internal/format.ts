// The binary envelope, version 1 (big-endian lengths):
//
//   'P' 'E' | version (1) | flags (bit 0: data key wrapped by a subject key)
//   u16 keyId length | keyId (UTF-8)
//   u16 wrapped length | wrapped data key
//   iv (12) | context commitment (16) | ciphertext | GCM tag (16)
//
// The payload's authenticated data is the first four bytes, the commitment (hex) and the
// canonical context, so a rewrap (new keyId and wrapped key) leaves the payload, its IV and its
// tag untouched; the wrapped key is authenticated by the KEK that wrapped it. The commitment
// (SHA-256 of a key derived from the data key and the context) only serves to tell a wrong
// context from an altered payload when authentication fails.
import { EnvelopeError } from '../errors/EnvelopeError.ts';

export const MAGIC_0 = 0x50;
export const MAGIC_1 = 0x45;
export const VERSION = 1;
export const FLAG_SUBJECT = 0x01;
export const IV_BYTES = 12;
export const COMMIT_BYTES = 16;
export const TAG_BYTES = 16;
const MAX_FIELD = 0xffff;

/** The parts of a parsed envelope (views into the input, not copies). */
export interface ParsedEnvelope {
  flags: number;
  keyId: string;
  wrapped: Uint8Array;
  iv: Uint8Array;
  commitment: Uint8Array;
  /** Ciphertext followed by the tag. */
  body: Uint8Array;
  prefix: Uint8Array;
}

const encoder = new TextEncoder();

function malformed(what: string): EnvelopeError {
  return new EnvelopeError('ERR_ENVELOPE_MALFORMED', `The envelope is malformed: ${what}.`);
}

/** The header bytes (magic to wrapped key) for these parts. */
export function encodeHeader(flags: number, keyId: string, wrapped: Uint8Array): Uint8Array {
  const id = encoder.encode(keyId);
  if (id.length > MAX_FIELD || wrapped.length > MAX_FIELD)
    throw new EnvelopeError(
      'ERR_ENVELOPE_WRONG_KEY',
      'The KEK returned a key id or wrapped key too long to store.',
    );
  const out = new Uint8Array(8 + id.length + wrapped.length);
  const view = new DataView(out.buffer);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = VERSION;
  out[3] = flags;
  view.setUint16(4, id.length);
  out.set(id, 6);
  view.setUint16(6 + id.length, wrapped.length);
  out.set(wrapped, 8 + id.length);
  return out;
}

/** Splits an envelope into its parts, refusing anything that is not a whole version-1 envelope. */
export function parseEnvelope(sealed: Uint8Array): ParsedEnvelope {
  if (!(sealed instanceof Uint8Array)) throw malformed('not bytes');
  if (sealed.length < 8 + IV_BYTES + COMMIT_BYTES + TAG_BYTES) throw malformed('too short');
  if (sealed[0] !== MAGIC_0 || sealed[1] !== MAGIC_1) throw malformed('not an envelope');
  if (sealed[2] !== VERSION) throw malformed(`unknown version ${sealed[2]}`);
  const flags = sealed[3] as number;
  if ((flags & ~FLAG_SUBJECT) !== 0) throw malformed('unknown flags');
  const view = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const idLength = view.getUint16(4);
  if (idLength === 0 || 8 + idLength > sealed.length) throw malformed('bad key id length');
  const wrappedAt = 8 + idLength;
  const wrappedLength = view.getUint16(6 + idLength);
  const ivAt = wrappedAt + wrappedLength;
  if (wrappedLength === 0 || ivAt + IV_BYTES + COMMIT_BYTES + TAG_BYTES > sealed.length)
    throw malformed('bad wrapped key length');
  const keyId = Buffer.from(sealed.buffer, sealed.byteOffset + 6, idLength).toString('utf8');
  return {
    flags,
    keyId,
    wrapped: sealed.subarray(wrappedAt, ivAt),
    iv: sealed.subarray(ivAt, ivAt + IV_BYTES),
    commitment: sealed.subarray(ivAt + IV_BYTES, ivAt + IV_BYTES + COMMIT_BYTES),
    body: sealed.subarray(ivAt + IV_BYTES + COMMIT_BYTES),
    prefix: sealed.subarray(0, 4),
  };
}
