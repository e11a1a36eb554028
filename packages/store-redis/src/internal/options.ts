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
  type DurableWrites,
  type RedisClientLike,
  type RedisClusterLike,
  type RedisSentinelLike,
  type RedisStoreClusterConnectOptions,
  type RedisStoreConnectOptions,
  type RedisStoreOptions,
  type RedisStoreSentinelConnectOptions,
} from '../options.ts';
import type { OpenFleetOptions } from './openFleet.ts';

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

function nodeRedis<T>(what: string): Rule<T | undefined> {
  return rules.optional(
    rules.custom<T>((value, path) => {
      if (typeof (value as { sendCommand?: unknown } | null)?.sendCommand !== 'function') {
        throw invalidArgument(path, what);
      }
      return value as T;
    }),
  );
}

// The URLs themselves are checked (and never echoed) where they are opened: they may carry a password.
const urlList = rules.custom<ReadonlyArray<string | Redacted<string>>>((value, path) => {
  if (!Array.isArray(value)) throw invalidArgument(path, 'an array of URLs');
  if (value.length === 0) throw invalidArgument(path, 'a non-empty array of URLs', 'value');
  return [...value] as ReadonlyArray<string | Redacted<string>>;
});

const secretText = rules.custom<string | Redacted<string> | undefined>((value) => value as never);

/** Every option name of both constructors, with its type once checked. */
interface AllOptions {
  keyPrefix: string;
  commandTimeoutMs: number;
  telemetry: Telemetry;
  clock: Clock;
  durableWrites: DurableWrites | undefined;
  client: RedisClientLike | undefined;
  cluster: RedisClusterLike | undefined;
  sentinel: RedisSentinelLike | undefined;
  urls: ReadonlyArray<string | Redacted<string>>;
  sentinels: ReadonlyArray<string | Redacted<string>>;
  masterName: string;
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
  durableWrites: rules.optional(
    rules.object<DurableWrites, Record<string, never>>(
      {},
      { replicas: rules.integer({ min: 1, max: 1000 }), timeoutMs: rules.durationMs() },
    ),
  ),
  client: nodeRedis<RedisClientLike>('a node-redis client'),
  cluster: nodeRedis<RedisClusterLike>('a node-redis cluster client'),
  sentinel: nodeRedis<RedisSentinelLike>('a node-redis Sentinel client'),
  urls: urlList,
  sentinels: urlList,
  masterName: rules.string(),
  // Checked (and never echoed) by openClient: a URL may carry a password.
  url: secretText,
  password: secretText,
  username: secretText,
  connectTimeoutMs: rules.durationMs(),
  maxReconnectDelayMs: rules.durationMs(),
};

const COMMON = ['keyPrefix', 'commandTimeoutMs', 'telemetry', 'clock', 'durableWrites'] as const;
const FLEET = [
  'keyPrefix',
  'commandTimeoutMs',
  'telemetry',
  'clock',
  'durableWrites',
  'password',
  'username',
  'connectTimeoutMs',
  'maxReconnectDelayMs',
] as const;
type Pick2<K extends keyof AllOptions> = Pick<AllOptions, K>;
type Common = (typeof COMMON)[number];

/** `new RedisStore(...)`'s options, checked and complete. */
export type ResolvedStoreOptions = Pick2<Common | 'client' | 'cluster' | 'sentinel'>;
type Fleet = (typeof FLEET)[number];
/** `RedisStore.connectCluster`'s options, checked and complete. */
export type ResolvedClusterOptions = Pick2<Fleet | 'urls'>;
/** `RedisStore.connectSentinel`'s options, checked and complete. */
export type ResolvedSentinelOptions = Pick2<Fleet | 'sentinels' | 'masterName'>;
/** `RedisStore.connect`'s options, checked and complete. */
export type ResolvedConnectOptions = Pick2<
  Common | 'url' | 'password' | 'username' | 'connectTimeoutMs' | 'maxReconnectDelayMs'
>;

function resolve<R>(input: unknown, keys: readonly (keyof AllOptions)[]): R {
  const picked: Record<string, unknown> = {};
  for (const key of keys) picked[key] = RULES[key];
  const out = resolveOptions(
    'options',
    (input ?? null) as Record<string, unknown>,
    DEFAULTS as unknown as Record<string, unknown>,
    picked as OptionRules<Record<string, unknown>>,
  ) as Partial<AllOptions>;
  // WAIT must give up before the command does, or a slow replica reads as a dead primary.
  if (out.durableWrites !== undefined && out.commandTimeoutMs !== undefined) {
    if (out.durableWrites.timeoutMs >= out.commandTimeoutMs) {
      throw invalidArgument(
        'options.durableWrites.timeoutMs',
        'less than options.commandTimeoutMs',
        'value',
      );
    }
  }
  return out as R;
}

/** Checks `new RedisStore(...)`'s options; a bad or unknown one is a `TypeError`. */
export function resolveStoreOptions(input: RedisStoreOptions): ResolvedStoreOptions {
  const o = resolve<ResolvedStoreOptions>(input, [...COMMON, 'client', 'cluster', 'sentinel']);
  const given = [o.client, o.cluster, o.sentinel].filter((c) => c !== undefined).length;
  if (given !== 1) {
    throw invalidArgument(
      'options.client',
      'exactly one of options.client, options.cluster, options.sentinel',
      given === 0 ? 'type' : 'value',
    );
  }
  return o;
}

/** Checks `RedisStore.connectCluster`'s options, before any connection is made. */
export function resolveClusterOptions(
  input: RedisStoreClusterConnectOptions,
): ResolvedClusterOptions {
  return resolve(input, [...FLEET, 'urls']);
}

/** Checks `RedisStore.connectSentinel`'s options, before any connection is made. */
export function resolveSentinelOptions(
  input: RedisStoreSentinelConnectOptions,
): ResolvedSentinelOptions {
  return resolve(input, [...FLEET, 'sentinels', 'masterName']);
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

/** The options every constructor passes on to `new RedisStore`. */
export function storeOptions(o: {
  keyPrefix: string;
  commandTimeoutMs: number;
  telemetry: Telemetry;
  clock: Clock;
  durableWrites: DurableWrites | undefined;
}): Omit<RedisStoreOptions, 'client'> {
  return {
    keyPrefix: o.keyPrefix,
    commandTimeoutMs: o.commandTimeoutMs,
    telemetry: o.telemetry,
    clock: o.clock,
    ...(o.durableWrites === undefined ? {} : { durableWrites: o.durableWrites }),
  };
}

/** What the cluster and Sentinel openers need, from resolved options. */
export function fleetOptions(
  o: Omit<OpenFleetOptions, 'closeTimeoutMs'> & { commandTimeoutMs: number },
): OpenFleetOptions {
  return {
    password: o.password,
    username: o.username,
    connectTimeoutMs: o.connectTimeoutMs,
    maxReconnectDelayMs: o.maxReconnectDelayMs,
    closeTimeoutMs: o.commandTimeoutMs,
    telemetry: o.telemetry,
  };
}
