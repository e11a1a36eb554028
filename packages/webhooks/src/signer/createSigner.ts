import { invalidArgument } from '@portcullis/core';
import { rawBody } from '../internal/body.ts';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import { selectBackend } from '../internal/crypto/selectBackend.ts';
import { encode } from '../internal/encoding.ts';
import { resolveSignerOptions } from '../internal/options.ts';
import type { SignatureCandidate, SignedMeta } from '../internal/scheme.ts';
import { schemeIdSource } from '../internal/schemeIds.ts';
import { KeyRing, type PreparedKey } from '../internal/secrets.ts';
import type { SignerOptions } from '../options.ts';
import type { Scheme } from '../schemes/Scheme.ts';
import { standard } from '../schemes/standard.ts';
import type { RawBody } from '../types.ts';

/** One outbound message to sign. */
export interface SignInput {
  /** The body, exactly as it will be sent. */
  body: RawBody;
  /**
   * The message id (kept across retries): 1–256 visible ASCII characters without `.`, nor (for a
   * `defineHmacScheme` template) the characters next to `{id}` — the scheme's `isValidId`, the
   * rule its verifier applies; another id is a `TypeError`. Default: a new {@link generateId} value,
   * or, when the scheme forbids one of its characters (`_`, `-`…), 128 random bits as 32
   * characters the scheme allows (lower-case hex unless a hex digit is forbidden), after `msg_`
   * when that is allowed. With a hand-written `isValidId` that refuses such ids too, `sign()`
   * without an id is a `TypeError`.
   */
  id?: string;
  /** The timestamp in Unix seconds (new on each attempt). Default: now. */
  timestamp?: number;
  /** The full URL the request goes to, for schemes that sign it (Twilio). */
  url?: string;
}

/** Signs outbound webhooks. Made by {@link createSigner}. */
export interface Signer {
  /** The scheme this signer writes. */
  readonly scheme: Scheme;
  /** The headers to send with `body`: lower-case names, ready for `fetch`. */
  sign(input: SignInput): Promise<Record<string, string>>;
}

/**
 * Creates a signer for outbound webhooks. The headers it returns are what the receiver's
 * verifier (ours, or the provider's own library for provider schemes) checks.
 *
 * @example
 * ```ts
 * import { createSigner } from '@portcullis/webhooks';
 * const signer = createSigner({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * const body = JSON.stringify({ type: 'invoice.paid' });
 * const headers = await signer.sign({ body });
 * // await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 * ```
 */
export function createSigner(options: SignerOptions): Signer {
  const o = resolveSignerOptions(options);
  const scheme = o.scheme;
  const backend = selectBackend(o.crypto);
  const clock = o.clock;
  const ring = new KeyRing(scheme, backend, o.secrets, 'sign');
  const t = o.telemetry;
  const attributes = { scheme: scheme.name };
  const needsId = scheme.idSigned || scheme.headerNames.length > 1;
  // Default ids the scheme's own rule accepts (a template may forbid `_` or `-` next to `{id}`).
  // `undefined` when the rule refuses every id this can make (a hand-written `isValidId`): then
  // each `sign()` needs an explicit id.
  const newId = needsId ? schemeIdSource((id) => scheme.isValidId(id)) : undefined;
  const defaultId = (): string | undefined => {
    if (!needsId) return undefined;
    const id = newId?.();
    if (id === undefined) {
      throw invalidArgument(
        'id',
        `given: the ${scheme.name} scheme's id rule refuses generated ids, so pass an id (${scheme.idRule})`,
        'value',
      );
    }
    return id;
  };

  function signWith(
    keys: readonly PreparedKey[],
    meta: SignedMeta,
    parts: readonly Part[],
  ): Record<string, string> | Promise<Record<string, string>> {
    if (keys.length > scheme.maxSignatures) {
      throw invalidArgument(
        'secrets',
        `at most ${scheme.maxSignatures} secret(s) for the ${scheme.name} scheme`,
        'value',
      );
    }
    const values: (string | Promise<string>)[] = keys.map((key) => {
      if (key.kind === 'hmac')
        return backend.hmac(key.handle, scheme.algorithm, parts, scheme.encoding);
      const sig = backend.ed25519Sign(key.handle, parts);
      return sig instanceof Promise ? sig.then((b) => encode(b, 'base64')) : encode(sig, 'base64');
    });
    const done = (encoded: readonly string[]): Record<string, string> => {
      t.count('portcullis.webhooks.sign', 1, attributes);
      return scheme.format(
        meta,
        encoded.map(
          (value, i): SignatureCandidate => ({
            kind: keys[i]?.kind === 'hmac' ? 'hmac' : 'ed25519',
            value,
          }),
        ),
      );
    };
    // Node: every value is already a string, so no promise is made per signature.
    if (values.every((v) => typeof v === 'string')) return done(values as string[]);
    return Promise.all(values).then(done);
  }

  function run(input: SignInput): Record<string, string> | Promise<Record<string, string>> {
    if (typeof input !== 'object' || input === null)
      throw invalidArgument('input', 'an object { body }');
    const body = rawBody(input.body);
    const id = input.id ?? defaultId();
    // The scheme's own id rule (what its verifier accepts), so no signed message is refused there.
    if (id !== undefined && (typeof id !== 'string' || !scheme.isValidId(id))) {
      throw invalidArgument('id', scheme.idRule, 'value');
    }
    const ts = input.timestamp ?? Math.floor(clock.now() / 1000);
    if (!Number.isSafeInteger(ts) || ts < 0)
      throw invalidArgument('timestamp', 'Unix seconds (a non-negative integer)', 'value');
    const meta: SignedMeta = { id, timestamp: scheme.timestampSigned ? String(ts) : undefined };
    const parts = scheme.content(meta, body, input.url);
    const keys = ring.keys();
    return keys instanceof Promise
      ? keys.then((k) => signWith(k, meta, parts))
      : signWith(keys, meta, parts);
  }

  function sign(input: SignInput): Promise<Record<string, string>> {
    try {
      const out = run(input);
      return out instanceof Promise ? out : Promise.resolve(out);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return { scheme: options.scheme ?? standard, sign };
}
