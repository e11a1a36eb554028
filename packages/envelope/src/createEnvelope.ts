import { invalidArgument } from '@portcullis/core';
import { EnvelopeError } from './errors/EnvelopeError.ts';
import { callKek } from './internal/bounded.ts';
import { canonicalContext, mergeContext, pickContext } from './internal/context.ts';
import { DataKeys } from './internal/dataKeys.ts';
import {
  COMMIT_BYTES,
  encodeHeader,
  FLAG_SUBJECT,
  IV_BYTES,
  parseEnvelope,
  TAG_BYTES,
} from './internal/format.ts';
import { gcmDecrypt, gcmEncryptInto, nextIv } from './internal/gcm.ts';
import { commitment, commits } from './internal/material.ts';
import { checkContext, type EnvelopeOptions, resolveEnvelopeOptions } from './options.ts';
import type { Envelope, EnvelopeContext, EnvelopeHeader } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const PREFIXES = ['PE\u0001\u0000', 'PE\u0001\u0001'];

/**
 * The payload's authenticated data: magic, version and flags, the context commitment in hex, then
 * the canonical context (UTF-8).
 */
function aadFor(flags: number, commitHex: string, context: string): Buffer {
  return Buffer.from((PREFIXES[flags] as string) + commitHex + context, 'utf8');
}

function bytes(value: unknown, path: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(path, 'a Uint8Array');
  return value;
}

/**
 * Creates an envelope: payload encryption with a data key per message or per batch (see
 * `dataKeyMaxUses`), wrapped by a key-encryption key (AWS KMS, Azure Key Vault, or a local
 * keyring) whose id is stored beside the ciphertext, every envelope bound to its context.
 * Unwrapped keys are cached in memory only, bounded in count and age; a KMS outage is ridden on
 * cached keys for `outageGraceMs`. The result satisfies the `PayloadCipher` contract
 * (`seal`/`open`) that `@portcullis/webhook-sender` takes.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { createEnvelope, KeyringKek } from '@portcullis/envelope';
 *
 * const envelope = createEnvelope({ kek: new KeyringKek({ keys: [{ id: 'kek-2026', key: randomBytes(32) }] }) });
 * const context = { tenant: 'acme', table: 'orders', id: '1842' };
 * const stored = await envelope.encrypt('{"card":"4242…"}', context);
 * await envelope.decryptText(stored, context); // '{"card":"4242…"}'
 * await envelope.decryptText(stored, { ...context, tenant: 'globex' }).catch((e) => e.code); // 'ERR_ENVELOPE_CONTEXT_MISMATCH'
 * ```
 */
export function createEnvelope(options: EnvelopeOptions): Envelope {
  const o = resolveEnvelopeOptions(options);
  const keys = new DataKeys(o);

  // Everything taken from the caller's context before the first await: what the KEK binds and
  // what the payload binds are the same snapshot.
  const prepare = (context: unknown) => {
    const full = mergeContext(o.context, checkContext(context, 'context'));
    return {
      ctx: canonicalContext(full),
      keyContext: pickContext(full, o.keyContext),
      subject: Object.hasOwn(full, 'subject') ? full.subject : undefined,
    };
  };

  const seal = async (plaintext: Uint8Array, context: EnvelopeContext): Promise<Uint8Array> => {
    bytes(plaintext, 'plaintext');
    const { ctx, keyContext, subject } = prepare(context);
    const partition = keys.partition(keyContext, subject);
    const key = keys.current(partition) ?? (await keys.forSeal(partition, keyContext, subject));
    const header = key.header;
    const out = Buffer.allocUnsafeSlow(
      header.length + IV_BYTES + COMMIT_BYTES + plaintext.length + TAG_BYTES,
    );
    out.set(header, 0);
    const iv = nextIv();
    out.set(iv, header.length);
    const commit = commitment(key.commitKey, ctx);
    out.write(commit, header.length + IV_BYTES, COMMIT_BYTES, 'hex');
    gcmEncryptInto(
      key.key,
      iv,
      plaintext,
      aadFor(header[3] as number, commit, ctx),
      out,
      header.length + IV_BYTES + COMMIT_BYTES,
    );
    // A plain Uint8Array over the buffer's own (unpooled) memory.
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  };

  const open = async (sealed: Uint8Array, context: EnvelopeContext): Promise<Uint8Array> => {
    const parsed = parseEnvelope(bytes(sealed, 'sealed'));
    const { ctx, keyContext, subject } = prepare(context);
    const key =
      keys.lastFor(parsed.flags, parsed.keyId, parsed.wrapped, keyContext) ??
      (await keys.forOpen(parsed.flags, parsed.keyId, parsed.wrapped, keyContext, subject));
    try {
      const commit = Buffer.from(
        parsed.commitment.buffer,
        parsed.commitment.byteOffset,
        COMMIT_BYTES,
      ).toString('hex');
      return gcmDecrypt(key.key, parsed.iv, parsed.body, aadFor(parsed.flags, commit, ctx));
    } catch (error) {
      // Authentication failed: the commitment tells a wrong context from an altered payload.
      if (!commits(key.commitKey, ctx, parsed.commitment)) {
        throw new EnvelopeError(
          'ERR_ENVELOPE_CONTEXT_MISMATCH',
          'The envelope was sealed for another context (row, tenant or purpose).',
          { keyId: parsed.keyId },
        );
      }
      throw error;
    }
  };

  const fromText = (text: unknown): Uint8Array => {
    if (typeof text !== 'string') throw invalidArgument('envelope', 'a string');
    if (!/^[A-Za-z0-9_-]*$/.test(text))
      throw new EnvelopeError(
        'ERR_ENVELOPE_MALFORMED',
        'The envelope is malformed: not base64url text.',
      );
    return new Uint8Array(Buffer.from(text, 'base64url'));
  };

  return {
    seal,
    open,
    async encrypt(plaintext, context) {
      const input =
        typeof plaintext === 'string' ? encoder.encode(plaintext) : bytes(plaintext, 'plaintext');
      return Buffer.from(await seal(input, context)).toString('base64url');
    },
    decrypt: async (envelope, context) => open(fromText(envelope), context),
    async decryptText(envelope, context) {
      const plain = await open(fromText(envelope), context);
      try {
        return decoder.decode(plain);
      } catch {
        throw new EnvelopeError(
          'ERR_ENVELOPE_MALFORMED',
          'The decrypted payload is not UTF-8 text.',
        );
      }
    },
    async rewrap(sealed, context) {
      const parsed = parseEnvelope(bytes(sealed, 'sealed'));
      if ((parsed.flags & FLAG_SUBJECT) !== 0) return sealed.slice();
      const { keyContext } = prepare(context);
      const key = await keys.forOpen(
        parsed.flags,
        parsed.keyId,
        parsed.wrapped,
        keyContext,
        undefined,
      );
      const { keyId, wrapped } = await callKek(o, 'wrap', (signal) =>
        o.kek.wrap(key.raw, keyContext, { signal }),
      );
      const header = encodeHeader(parsed.flags, keyId, wrapped);
      const tail = sealed.subarray(sealed.length - parsed.body.length - IV_BYTES - COMMIT_BYTES);
      const out = new Uint8Array(header.length + tail.length);
      out.set(header, 0);
      out.set(tail, header.length);
      return out;
    },
    async rewrapSubjectKey(subject) {
      if (keys.subjects === undefined)
        throw invalidArgument('options.subjects', 'a SubjectKeyStore (none is configured)');
      await keys.subjects.rewrap(subject);
    },
    async shred(subject) {
      if (typeof subject !== 'string' || subject.length === 0)
        throw invalidArgument('subject', 'a non-empty string');
      if (keys.subjects === undefined)
        throw invalidArgument('options.subjects', 'a SubjectKeyStore (none is configured)');
      keys.forgetSubject(subject);
      await keys.subjects.shred(subject);
      keys.forgetSubject(subject);
    },
    describe(sealed): EnvelopeHeader {
      const parsed = parseEnvelope(bytes(sealed, 'sealed'));
      return {
        version: 1,
        keyId: parsed.keyId,
        subjectKey: (parsed.flags & FLAG_SUBJECT) !== 0,
        payloadBytes: parsed.body.length - TAG_BYTES,
      };
    },
  };
}
