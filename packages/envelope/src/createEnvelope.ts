import { randomBytes } from 'node:crypto';
import { invalidArgument } from '@portcullis/core';
import { aes256Gcm } from './aes256Gcm.ts';
import { EnvelopeError } from './errors/EnvelopeError.ts';
import { callKek } from './internal/bounded.ts';
import { contextBytes, mergeContext, pickContext } from './internal/context.ts';
import { DataKeys } from './internal/dataKeys.ts';
import {
  COMMIT_BYTES,
  encodeHeader,
  FLAG_SUBJECT,
  IV_BYTES,
  parseEnvelope,
  TAG_BYTES,
} from './internal/format.ts';
import { commitment, commits } from './internal/material.ts';
import { checkContext, type EnvelopeOptions, resolveEnvelopeOptions } from './options.ts';
import type { Envelope, EnvelopeContext, EnvelopeHeader } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

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

  const prepare = (context: unknown) => {
    const full = mergeContext(o.context, checkContext(context, 'context'));
    return { full, keyContext: pickContext(full, o.keyContext), subject: full.subject };
  };

  const seal = async (plaintext: Uint8Array, context: EnvelopeContext): Promise<Uint8Array> => {
    bytes(plaintext, 'plaintext');
    const { full, keyContext, subject } = prepare(context);
    const key = await keys.forSeal(keyContext, subject);
    const header = encodeHeader(key.flags, key.keyId, key.wrapped);
    const ctx = contextBytes(full);
    const aad = new Uint8Array(4 + ctx.length);
    aad.set(header.subarray(0, 4), 0);
    aad.set(ctx, 4);
    const iv = randomBytes(IV_BYTES);
    const body = aes256Gcm.encrypt(key.key, iv, plaintext, aad);
    const out = new Uint8Array(header.length + IV_BYTES + COMMIT_BYTES + body.length);
    out.set(header, 0);
    out.set(iv, header.length);
    out.set(commitment(key.commitKey, ctx), header.length + IV_BYTES);
    out.set(body, header.length + IV_BYTES + COMMIT_BYTES);
    return out;
  };

  const open = async (sealed: Uint8Array, context: EnvelopeContext): Promise<Uint8Array> => {
    const parsed = parseEnvelope(bytes(sealed, 'sealed'));
    const { full, keyContext, subject } = prepare(context);
    const key = await keys.forOpen(parsed.flags, parsed.keyId, parsed.wrapped, keyContext, subject);
    const ctx = contextBytes(full);
    if (!commits(key.commitKey, ctx, parsed.commitment)) {
      throw new EnvelopeError(
        'ERR_ENVELOPE_CONTEXT_MISMATCH',
        'The envelope was sealed for another context (row, tenant or purpose).',
        { keyId: parsed.keyId },
      );
    }
    const aad = new Uint8Array(4 + ctx.length);
    aad.set(parsed.prefix, 0);
    aad.set(ctx, 4);
    return aes256Gcm.decrypt(key.key, parsed.iv, parsed.body, aad);
  };

  const fromText = (text: unknown): Uint8Array => {
    if (typeof text !== 'string') throw invalidArgument('envelope', 'a string');
    if (!/^[A-Za-z0-9_-]*$/.test(text))
      throw new EnvelopeError('ERR_ENVELOPE_MALFORMED', 'The envelope is malformed: not base64url text.');
    return new Uint8Array(Buffer.from(text, 'base64url'));
  };

  return {
    seal,
    open,
    async encrypt(plaintext, context) {
      const input = typeof plaintext === 'string' ? encoder.encode(plaintext) : bytes(plaintext, 'plaintext');
      return Buffer.from(await seal(input, context)).toString('base64url');
    },
    decrypt: async (envelope, context) => open(fromText(envelope), context),
    async decryptText(envelope, context) {
      const plain = await open(fromText(envelope), context);
      try {
        return decoder.decode(plain);
      } catch {
        throw new EnvelopeError('ERR_ENVELOPE_MALFORMED', 'The decrypted payload is not UTF-8 text.');
      }
    },
    async rewrap(sealed, context) {
      const parsed = parseEnvelope(bytes(sealed, 'sealed'));
      if ((parsed.flags & FLAG_SUBJECT) !== 0) return sealed.slice();
      const { keyContext } = prepare(context);
      const key = await keys.forOpen(parsed.flags, parsed.keyId, parsed.wrapped, keyContext, undefined);
      const { keyId, wrapped } = await callKek(o, 'wrap', (signal) => o.kek.wrap(key.raw, keyContext, { signal }));
      const header = encodeHeader(parsed.flags, keyId, wrapped);
      const tail = sealed.subarray(sealed.length - parsed.body.length - IV_BYTES - COMMIT_BYTES);
      const out = new Uint8Array(header.length + tail.length);
      out.set(header, 0);
      out.set(tail, header.length);
      return out;
    },
    async rewrapSubjectKey(subject) {
      if (keys.subjects === undefined) throw invalidArgument('options.subjects', 'a SubjectKeyStore (none is configured)');
      await keys.subjects.rewrap(subject);
    },
    async shred(subject) {
      if (typeof subject !== 'string' || subject.length === 0) throw invalidArgument('subject', 'a non-empty string');
      if (keys.subjects === undefined) throw invalidArgument('options.subjects', 'a SubjectKeyStore (none is configured)');
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
