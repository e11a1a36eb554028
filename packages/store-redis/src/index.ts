export {
  DEFAULTS,
  type DurableWrites,
  type RedisClientLike,
  type RedisClusterLike,
  type RedisSentinelLike,
  type RedisStoreClusterConnectOptions,
  type RedisStoreCommonOptions,
  type RedisStoreConnectOptions,
  type RedisStoreDefaults,
  type RedisStoreFleetConnectOptions,
  type RedisStoreOptions,
  type RedisStoreSentinelConnectOptions,
} from './options.ts';
export { RedisStore } from './RedisStore.ts';
export { toCommandClient } from './toCommandClient.ts';
