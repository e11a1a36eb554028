// The one place RedisStore's options are checked: a rule per option, defaults from DEFAULTS.
import {
  type Clock,
  telemetry as coreTelemetry,
  invalidArgument,
  type OptionRules,
  type Redacted,
  type Rule,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
} from '@portcullis/core';
import {
  DEFAULTS,
  type RedisClientLike,
  type RedisStoreConnectOptions,
  type RedisStoreOptions,
} from '../options.ts';

// A lone surrogate has no UTF-8 form: Redis would store U+FFFD instead, and two different keys
// would become one (a false "replay", a shared lock). Refused instead.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Refuses a value that is not a well-formed string (`TypeError`). */
export function checkString(value: unknown, name = 'key'): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(name, 'a string');
  if (LONE_SURROGATE.test(value)) {
    throw invalidArgument(name, 'a well-formed string (no lone surrogates)', 'value');
  }
}

const secretText = rules.custom<string | Redacted<string> | undefined>((value) => value as never);

/** Every option name of both constructors, with its type once checked. */
interface AllOptions {
  keyPrefix: string;
  commandTimeoutMs: number;
  telemetry: Telemetry;
  clock: Clock;
  client: RedisClientLike;
  url: string | Redacted<string> | undefined;
  password: string | Redacted<string> | undefined;
  username: string | Redacted<string> | undefined;
  connectTimeoutMs: number;
  maxReconnectDelayMs: number;
}

const RULES: { readonly [K in keyof AllOptions]: Rule<AllOptions[K]> } = {
  keyPrefix: rules.custom<string>((value, path) => {
    checkString(value, path);
    return value;
  }),
  commandTimeoutMs: rules.durationMs(),
  telemetry: rules.custom<Telemetry>((value, path) =>
    value === undefined
      ? coreTelemetry('@portcullis/store-redis')
      : rules.implementing<Telemetry>('count')(value, path),
  ),
  clock: rules.custom<Clock>((value, path) =>
    value === undefined ? systemClock : rules.implementing<Clock>('now', 'schedule')(value, path),
  ),
  client: rules.custom<RedisClientLike>((value, path) => {
    if (typeof (value as Partial<RedisClientLike> | undefined)?.sendCommand !== 'function') {
      throw invalidArgument(path, 'a node-redis client');
    }
    return value as RedisClientLike;
  }),
  // Checked (and never echoed) by openClient: a URL may carry a password.
  url: secretText,
  password: secretText,
  username: secretText,
  connectTimeoutMs: rules.durationMs(),
  maxReconnectDelayMs: rules.durationMs(),
};

const COMMON = ['keyPrefix', 'commandTimeoutMs', 'telemetry', 'clock'] as const;
type Pick2<K extends keyof AllOptions> = Pick<AllOptions, K>;
type Common = (typeof COMMON)[number];

/** `new RedisStore(...)`'s options, checked and complete. */
export type ResolvedStoreOptions = Pick2<Common | 'client'>;
/** `RedisStore.connect`'s options, checked and complete. */
export type ResolvedConnectOptions = Pick2<
  Common | 'url' | 'password' | 'username' | 'connectTimeoutMs' | 'maxReconnectDelayMs'
>;

function resolve<R>(input: unknown, keys: readonly (keyof AllOptions)[]): R {
  const picked: Record<string, unknown> = {};
  for (const key of keys) picked[key] = RULES[key];
  return resolveOptions(
    'options',
    (input ?? null) as Record<string, unknown>,
    DEFAULTS as unknown as Record<string, unknown>,
    picked as OptionRules<Record<string, unknown>>,
  ) as R;
}

/** Checks `new RedisStore(...)`'s options; a bad or unknown one is a `TypeError`. */
export function resolveStoreOptions(input: RedisStoreOptions): ResolvedStoreOptions {
  return resolve(input, [...COMMON, 'client']);
}

/** Checks `RedisStore.connect`'s options, before any connection is made. */
export function resolveConnectOptions(input: RedisStoreConnectOptions): ResolvedConnectOptions {
  return resolve(input, [
    ...COMMON,
    'url',
    'password',
    'username',
    'connectTimeoutMs',
    'maxReconnectDelayMs',
  ]);
}
