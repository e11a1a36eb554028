import { invalidArgument, reveal, type SecretInput } from '@portcullis/core';
import type {
  LabelledSecret,
  MatchedSecret,
  SecretEntry,
  SecretResolver,
  SecretsOption,
} from '../types.ts';
import type { CryptoBackend } from './crypto/CryptoBackend.ts';
import type { KeyMaterial, SchemeSpec as Scheme } from './scheme.ts';
import { secretMalformed } from './secretErrors.ts';

/** A secret turned into a key handle for one backend. */
export interface PreparedKey {
  index: number;
  label: string | undefined;
  kind: KeyMaterial['kind'];
  handle: unknown;
  /** What `verify` reports for this key, made once. */
  matched: MatchedSecret;
}

type Purpose = 'sign' | 'verify';

function entries(value: SecretEntry | readonly SecretEntry[]): readonly SecretEntry[] {
  return Array.isArray(value) ? (value as readonly SecretEntry[]) : [value as SecretEntry];
}

function unbox(entry: SecretEntry): { secret: string; label: string | undefined } {
  const labelled = typeof entry === 'object' && entry !== null && 'secret' in entry;
  const secret = reveal(labelled ? (entry as LabelledSecret).secret : (entry as SecretInput));
  const label = labelled ? (entry as LabelledSecret).label : undefined;
  if (typeof secret !== 'string') throw invalidArgument('secrets', 'strings or Redacted strings');
  if (label !== undefined && typeof label !== 'string')
    throw invalidArgument('secrets[].label', 'a string');
  return { secret, label };
}

function prepare(
  scheme: Scheme,
  backend: CryptoBackend,
  purpose: Purpose,
  secret: string,
): PreparedKey {
  const material = scheme.decodeSecret(secret);
  if (purpose === 'verify' && material.kind === 'ed25519-private') {
    throw secretMalformed(
      scheme.name,
      'a whsk_ secret key signs; verify with its whpk_ public key',
    );
  }
  if (purpose === 'sign' && material.kind === 'ed25519-public') {
    throw secretMalformed(
      scheme.name,
      'a whpk_ public key can only verify; sign with the whsk_ secret key',
    );
  }
  let handle: unknown;
  try {
    handle =
      material.kind === 'hmac'
        ? backend.hmacKey(material.bytes, scheme.algorithm)
        : material.kind === 'ed25519-public'
          ? backend.ed25519PublicKey(material.bytes)
          : backend.ed25519PrivateKey(material.bytes);
  } catch (error) {
    throw secretMalformed(scheme.name, 'the key cannot be imported', error);
  }
  if (handle instanceof Promise) {
    const wrapped = handle.catch((error: unknown) => {
      throw secretMalformed(scheme.name, 'the key cannot be imported', error);
    });
    wrapped.catch(() => {}); // Reported where it is awaited; never an unhandled rejection.
    handle = wrapped;
  }
  return { index: 0, label: undefined, kind: material.kind, handle, matched: { index: 0 } };
}

const MAX_CACHED = 64;

/**
 * The secrets of one signer or verifier, as key handles made once per secret. A static list is
 * decoded up front (a malformed secret fails at construction); a resolver's secrets are decoded
 * on first sight and cached by value.
 */
export class KeyRing {
  readonly #static: PreparedKey[] | undefined;
  readonly #resolve: SecretResolver | undefined;
  readonly #cache = new Map<string, PreparedKey>();
  readonly #scheme: Scheme;
  readonly #backend: CryptoBackend;
  readonly #purpose: Purpose;

  constructor(scheme: Scheme, backend: CryptoBackend, secrets: SecretsOption, purpose: Purpose) {
    this.#scheme = scheme;
    this.#backend = backend;
    this.#purpose = purpose;
    if (typeof secrets === 'function') {
      this.#resolve = secrets as SecretResolver;
      return;
    }
    if (secrets === undefined || secrets === null)
      throw invalidArgument('secrets', 'a secret, a list of secrets or a function');
    this.#static = this.#build(entries(secrets as SecretEntry | readonly SecretEntry[]));
    if (this.#static.length === 0) throw invalidArgument('secrets', 'at least one secret', 'value');
  }

  /** The keys, current first. Synchronous for a static list. */
  keys(): PreparedKey[] | Promise<PreparedKey[]> {
    if (this.#static !== undefined) return this.#static;
    return this.#resolved();
  }

  async #resolved(): Promise<PreparedKey[]> {
    const resolved = await (this.#resolve as SecretResolver)();
    const keys = this.#build(entries(resolved));
    if (keys.length === 0)
      throw secretMalformed(this.#scheme.name, 'the resolver returned no secret');
    return keys;
  }

  #build(list: readonly SecretEntry[]): PreparedKey[] {
    return list.map((entry, index) => {
      const { secret, label } = unbox(entry);
      let key = this.#cache.get(secret);
      if (key === undefined) {
        key = prepare(this.#scheme, this.#backend, this.#purpose, secret);
        if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
        this.#cache.set(secret, key);
      }
      const matched = Object.freeze(label === undefined ? { index } : { index, label });
      return { ...key, index, label, matched };
    });
  }
}

/** The public view of a prepared key: index and label, never the secret. */
export function matchedSecret(key: PreparedKey): MatchedSecret {
  return key.matched;
}

/** The configured secrets as text with their labels (for `explain`, which tries variants). */
export async function listSecrets(
  secrets: SecretsOption,
): Promise<{ secret: string; label: string | undefined }[]> {
  const resolved = typeof secrets === 'function' ? await (secrets as SecretResolver)() : secrets;
  return entries(resolved as SecretEntry | readonly SecretEntry[]).map(unbox);
}
