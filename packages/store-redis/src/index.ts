export {
  type RedisClientLike,
  RedisStore,
  type RedisStoreCommonOptions,
  type RedisStoreConnectOptions,
  type RedisStoreOptions,
} from './RedisStore.ts';
