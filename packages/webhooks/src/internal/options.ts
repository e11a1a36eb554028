// The one place options are checked: a rule per option name, shared by every function that takes
// the option, with its default from `DEFAULTS`. Each resolver returns a complete object.
import {
  type Clock,
  invalidArgument,
  type OptionRules,
  type Rule,
  resolveOptions,
  rules,
  type Store,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import {
  DEFAULTS,
  type ExplainOptions,
  type HmacSchemeOptions,
  type SignerOptions,
  type VerifierOptions,
} from '../options.ts';
import { standard } from '../schemes/standard.ts';
import type { CryptoChoice, Encoding, HmacAlgorithm, SecretsOption } from '../types.ts';
import { type SchemeSpec, specOf } from './scheme.ts';

const clockRule = rules.custom<Clock>((value, path) =>
  value === undefined ? systemClock : rules.implementing<Clock>('now')(value, path),
);
const telemetryRule = rules.custom<Telemetry>((value, path) =>
  value === undefined
    ? telemetry('@portcullis/webhooks')
    : rules.implementing<Telemetry>('count')(value, path),
);
const secretsRule = rules.custom<SecretsOption>((value, path) => {
  if (value === undefined || value === null) {
    throw invalidArgument(path, 'a secret, a list of secrets or a function');
  }
  return value as SecretsOption;
});
const schemeRule = rules.custom<SchemeSpec>((value, path) =>
  specOf(value === undefined ? standard : value, path),
);
const storeRule = rules.custom<Store | false | undefined>((value, path) =>
  value === undefined || value === false
    ? value
    : rules.implementing<Store>('setIfAbsent', 'compareAndDelete')(value, path),
);
const header = rules.custom<string>((value, path) => {
  if (typeof value !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(value)) {
    throw invalidArgument(path, 'an HTTP header name');
  }
  return value.toLowerCase();
});

/** Every option name any function takes, with its type once checked. */
interface AllOptions {
  scheme: SchemeSpec;
  secrets: SecretsOption;
  toleranceSec: number;
  futureToleranceSec: number;
  clockSkewSec: number;
  store: Store | false | undefined;
  replayKeyPrefix: string;
  clock: Clock;
  crypto: CryptoChoice;
  maxHeaderLength: number;
  maxSignatures: number;
  telemetry: Telemetry;
  maxBodyBytes: number;
  publicOrigin: string | undefined;
  headers: unknown;
  body: unknown;
  url: string | undefined;
  name: string;
  signatureHeader: string;
  algorithm: HmacAlgorithm;
  encoding: Encoding;
  signaturePrefix: string;
  signatureSeparator: string | undefined;
  timestampHeader: string | undefined;
  idHeader: string | undefined;
  signedContent: string;
  secretEncoding: 'utf8' | 'base64' | 'hex' | 'whsec';
  bytes: number;
  format: 'whsec' | 'base64' | 'hex';
}

/** The rule for each option name, whichever function takes it. */
const RULES: { readonly [K in keyof AllOptions]: Rule<AllOptions[K]> } = {
  scheme: schemeRule,
  secrets: secretsRule,
  toleranceSec: rules.durationSec({ min: 0, max: 2_592_000 }),
  futureToleranceSec: rules.durationSec({ min: 0, max: 86_400 }),
  clockSkewSec: rules.durationSec({ min: 0, max: 3600 }),
  store: storeRule,
  replayKeyPrefix: rules.string({ allowEmpty: true }),
  clock: clockRule,
  crypto: rules.oneOf(['auto', 'node', 'webcrypto'] as const),
  maxHeaderLength: rules.integer({ min: 1, max: 1_048_576 }),
  maxSignatures: rules.integer({ min: 1, max: 64 }),
  telemetry: telemetryRule,
  maxBodyBytes: rules.integer({ min: 0 }),
  publicOrigin: rules.optional(rules.string()),
  headers: rules.custom<unknown>((value) => value),
  body: rules.custom<unknown>((value) => value),
  url: rules.optional(rules.string({ allowEmpty: true })),
  name: rules.custom<string>((value, path) => {
    if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(value)) {
      throw invalidArgument(path, 'a short identifier (letters, digits, "-", "_")', 'value');
    }
    return value;
  }),
  signatureHeader: header,
  algorithm: rules.oneOf(['sha1', 'sha256', 'sha384', 'sha512'] as const),
  encoding: rules.oneOf(['hex', 'base64', 'base64url'] as const),
  signaturePrefix: rules.string({ allowEmpty: true }),
  signatureSeparator: rules.optional(rules.string()),
  timestampHeader: rules.optional(header),
  idHeader: rules.optional(header),
  signedContent: rules.string(),
  secretEncoding: rules.oneOf(['utf8', 'base64', 'hex', 'whsec'] as const),
  bytes: rules.integer({ min: 24, max: 64 }),
  format: rules.oneOf(['whsec', 'base64', 'hex'] as const),
};

type Resolved<K extends keyof AllOptions> = Pick<AllOptions, K>;

function resolve<K extends keyof AllOptions>(
  path: string,
  input: unknown,
  keys: readonly K[],
): Resolved<K> {
  const picked = {} as Record<string, unknown>;
  for (const key of keys) picked[key] = RULES[key];
  return resolveOptions(
    path,
    input as Record<string, unknown> | undefined,
    DEFAULTS as unknown as Record<string, unknown>,
    picked as OptionRules<Record<string, unknown>>,
  ) as unknown as Resolved<K>;
}

const VERIFIER_KEYS = [
  'scheme',
  'secrets',
  'toleranceSec',
  'futureToleranceSec',
  'clockSkewSec',
  'store',
  'replayKeyPrefix',
  'clock',
  'crypto',
  'maxHeaderLength',
  'maxSignatures',
  'telemetry',
] as const;
const SIGNER_KEYS = ['scheme', 'secrets', 'clock', 'crypto', 'telemetry'] as const;
const EXPLAIN_KEYS = [
  'scheme',
  'secrets',
  'headers',
  'body',
  'url',
  'toleranceSec',
  'futureToleranceSec',
  'maxHeaderLength',
  'maxSignatures',
  'clock',
  'crypto',
] as const;
const READ_KEYS = ['maxBodyBytes', 'publicOrigin'] as const;
const HMAC_KEYS = [
  'name',
  'signatureHeader',
  'algorithm',
  'encoding',
  'signaturePrefix',
  'signatureSeparator',
  'timestampHeader',
  'idHeader',
  'signedContent',
  'secretEncoding',
] as const;

const SECRET_KEYS = ['bytes', 'format'] as const;

/** `createVerifier`'s options, checked and complete. */
export type ResolvedVerifierOptions = Resolved<(typeof VERIFIER_KEYS)[number]>;
/** `createSigner`'s options, checked and complete. */
export type ResolvedSignerOptions = Resolved<(typeof SIGNER_KEYS)[number]>;
/** `explain`'s options, checked and complete. */
export type ResolvedExplainOptions = Resolved<(typeof EXPLAIN_KEYS)[number]>;
/** `readRequest`'s and `readIncomingMessage`'s options, checked and complete. */
export type ResolvedReadOptions = Resolved<(typeof READ_KEYS)[number]>;
/** `defineHmacScheme`'s options, checked and complete. */
export type ResolvedHmacSchemeOptions = Resolved<(typeof HMAC_KEYS)[number]>;

export function resolveVerifierOptions(input: VerifierOptions): ResolvedVerifierOptions {
  return resolve('options', input ?? null, VERIFIER_KEYS);
}
export function resolveSignerOptions(input: SignerOptions): ResolvedSignerOptions {
  return resolve('options', input ?? null, SIGNER_KEYS);
}
export function resolveExplainOptions(input: ExplainOptions): ResolvedExplainOptions {
  return resolve('options', input ?? null, EXPLAIN_KEYS);
}
export function resolveReadOptions(input: {
  maxBodyBytes?: number;
  publicOrigin?: string;
}): ResolvedReadOptions {
  return resolve('options', input, READ_KEYS);
}
export function resolveHmacSchemeOptions(input: HmacSchemeOptions): ResolvedHmacSchemeOptions {
  return resolve('options', input ?? null, HMAC_KEYS);
}

/** `generateSecret`'s options, checked and complete. */
export type ResolvedSecretOptions = Resolved<(typeof SECRET_KEYS)[number]>;

export function resolveSecretOptions(input: {
  bytes?: number;
  format?: 'whsec' | 'base64' | 'hex';
}): ResolvedSecretOptions {
  return resolve('options', input, SECRET_KEYS);
}
