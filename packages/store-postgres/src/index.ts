export {
  DEFAULTS,
  PostgresStore,
  type PostgresStoreOptions,
  type StoreQueryable,
} from './PostgresStore.ts';
