// Type-level tests of the public API: checked by `tsc` (the check's types step), and run by vitest
// so a broken runtime shape fails too. No sockets: nothing here connects.
import type { Counter, Redacted, Store, Telemetry } from '@portcullis/core';
import {
  type RedisClientLike,
  RedisStore,
  type RedisStoreConnectOptions,
  type RedisStoreOptions,
} from '@portcullis/store-redis';
import { createClient } from 'redis';
import { describe, expect, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('RedisStore is a core Store with connect, close and keyPrefix', () => {
    expectTypeOf<RedisStore>().toExtend<Store>();
    expectTypeOf(RedisStore.connect).returns.toEqualTypeOf<Promise<RedisStore>>();
    expectTypeOf<RedisStore['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<RedisStore['keyPrefix']>().toEqualTypeOf<string>();
    expectTypeOf<RedisStore['increment']>().returns.toEqualTypeOf<Promise<Counter>>();
  });

  it('takes any node-redis v5 client, whatever it was created with', () => {
    const plain = createClient();
    const resp3 = createClient({ RESP: 3 });
    expectTypeOf(plain).toExtend<RedisClientLike>();
    expectTypeOf(resp3).toExtend<RedisClientLike>();
    const store = new RedisStore({ client: plain, keyPrefix: 'app:' });
    expect(store.keyPrefix).toBe('app:');
    // @ts-expect-error a URL belongs to connect(), not to the constructor
    const wrong: RedisStoreOptions = { url: 'redis://127.0.0.1' };
    void wrong;
  });

  it('accepts the URL and password as Redacted, and nothing but milliseconds for timeouts', () => {
    expectTypeOf<RedisStoreConnectOptions['url']>().toEqualTypeOf<string | Redacted<string>>();
    expectTypeOf<RedisStoreConnectOptions['password']>().toEqualTypeOf<
      string | Redacted<string> | undefined
    >();
    expectTypeOf<RedisStoreConnectOptions['commandTimeoutMs']>().toEqualTypeOf<
      number | undefined
    >();
    expectTypeOf<RedisStoreConnectOptions['telemetry']>().toEqualTypeOf<Telemetry | undefined>();
  });
});
