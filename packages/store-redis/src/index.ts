export {
  DEFAULTS,
  type RedisClientLike,
  type RedisStoreCommonOptions,
  type RedisStoreConnectOptions,
  type RedisStoreDefaults,
  type RedisStoreOptions,
} from './options.ts';
export { RedisStore } from './RedisStore.ts';
