import { isPortcullisError, type Telemetry } from '@portcullis/core';
import { type RedisClientLike, RedisStore } from '@portcullis/store-redis';
import { describe, expect, it } from 'vitest';

// Unit tests: a fake client records the commands the store sends; no sockets.

/** Named like node-redis's server error class, which the store recognises by name. */
class ErrorReply extends Error {}

type Handler = (args: readonly string[], signal: AbortSignal | undefined) => Promise<unknown>;

function fakeClient(handler: Handler = async () => 'OK'): RedisClientLike & {
  sent: string[][];
} {
  const sent: string[][] = [];
  return {
    sent,
    sendCommand(args, options) {
      sent.push([...args]);
      return handler(args, options?.abortSignal);
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the operation to reject');
}

describe('RedisStore commands', () => {
  it('prefixes every key (default `portcullis:`) and sends SET … PX, SET … PX … NX, GET, DEL', async () => {
    const client = fakeClient(async (args) => (args[0] === 'DEL' ? 1 : 'OK'));
    const store = new RedisStore({ client });
    await store.set('k', 'v', 1000);
    await store.setIfAbsent('n', 'v', 2000);
    await store.get('k');
    await store.delete('k');
    expect(client.sent).toEqual([
      ['SET', 'portcullis:k', 'v', 'PX', '1000'],
      ['SET', 'portcullis:n', 'v', 'PX', '2000', 'NX'],
      ['GET', 'portcullis:k'],
      ['DEL', 'portcullis:k'],
    ]);
  });

  it('reads a SET NX reply: OK is a win, null is a loss', async () => {
    let reply: unknown = 'OK';
    const store = new RedisStore({ client: fakeClient(async () => reply), keyPrefix: '' });
    expect(await store.setIfAbsent('k', 'v', 10)).toBe(true);
    reply = null;
    expect(await store.setIfAbsent('k', 'v', 10)).toBe(false);
  });

  it('runs increment and compareAndDelete by EVALSHA, falling back to EVAL on NOSCRIPT', async () => {
    let loaded = false;
    const client = fakeClient(async (args) => {
      if (args[0] === 'EVALSHA' && !loaded) throw new ErrorReply('NOSCRIPT No matching script.');
      loaded = true;
      return args[4] === 'owner' ? 1 : ['3', 900];
    });
    const counted: string[] = [];
    const telemetry: Telemetry = {
      count: (name) => counted.push(name),
      record: () => {},
      span: (_n, fn) => fn(),
    };
    const store = new RedisStore({ client, keyPrefix: 'app:', telemetry });
    expect(await store.increment('c', 1000, 3)).toEqual({ value: 3, ttlMs: 900 });
    expect(await store.increment('c', 1000)).toEqual({ value: 3, ttlMs: 900 });
    expect(await store.compareAndDelete('lock', 'owner')).toBe(true);
    const [first, second, third] = client.sent;
    expect(first?.slice(0, 1)).toEqual(['EVALSHA']);
    expect(first?.[1]).toMatch(/^[0-9a-f]{40}$/);
    expect(first?.slice(2)).toEqual(['1', 'app:c', '3', '1000']);
    expect(second?.[0]).toBe('EVAL');
    expect(second?.[1]).toContain("redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])");
    expect(second?.slice(2)).toEqual(['1', 'app:c', '3', '1000']);
    expect(third?.[0]).toBe('EVALSHA');
    expect(client.sent.at(-1)?.slice(2)).toEqual(['1', 'app:lock', 'owner']);
    // A NOSCRIPT that the fallback handles is not an error worth counting.
    expect(counted).toEqual([]);
  });

  it('decodes byte-string replies as UTF-8', async () => {
    const store = new RedisStore({ client: fakeClient(async () => Buffer.from('ключ ✓')) });
    expect(await store.get('k')).toBe('ключ ✓');
  });

  it('refuses a reply of the wrong shape with ERR_STORE_CORRUPT', async () => {
    const store = new RedisStore({ client: fakeClient(async () => ({ odd: true })) });
    expect((await failure(store.get('k'))).code).toBe('ERR_STORE_CORRUPT');
    expect((await failure(store.increment('k', 10))).code).toBe('ERR_STORE_CORRUPT');
    expect((await failure(store.delete('k'))).code).toBe('ERR_STORE_CORRUPT');
  });

  it('rounds TTLs up to whole milliseconds and caps them at the largest safe integer', async () => {
    const client = fakeClient();
    const store = new RedisStore({ client });
    await store.set('a', 'v', 0.2);
    await store.set('b', 'v', 1e300);
    expect(client.sent.map((args) => args[4])).toEqual(['1', String(Number.MAX_SAFE_INTEGER)]);
  });
});

describe('RedisStore failures', () => {
  it('rejects after commandTimeoutMs with ERR_STORE_UNAVAILABLE and withdraws the command', async () => {
    let seen: AbortSignal | undefined;
    const client = fakeClient((_args, signal) => {
      seen = signal;
      return new Promise(() => {}); // never answers
    });
    const store = new RedisStore({ client, commandTimeoutMs: 20 });
    const error = await failure(store.setIfAbsent('k', 'v', 1000));
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    expect(error.message).toBe('Redis did not answer within 20 ms.');
    expect(seen?.aborted).toBe(true);
  });

  it('turns a connection failure into ERR_STORE_UNAVAILABLE, keeping the cause out of toJSON', async () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.1:6379');
    const store = new RedisStore({
      client: fakeClient(async () => {
        throw cause;
      }),
    });
    const error = await failure(store.get('k'));
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    expect(error.name).toBe('StoreError');
    expect(error.message).toBe('Redis cannot be reached.');
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('ECONNREFUSED');
  });

  it('names only the code of a server error reply, never the rest of its text', async () => {
    const store = new RedisStore({
      client: fakeClient(async () => {
        throw new ErrorReply("OOM command not allowed when used memory > 'maxmemory'. key=secret");
      }),
    });
    const error = await failure(store.set('k', 'v', 10));
    expect(error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(error.message).toBe('Redis refused the operation (OOM).');
  });

  it('reads WRONGTYPE and the scripts’ own refusal as ERR_STORE_CORRUPT', async () => {
    let reply = 'WRONGTYPE Operation against a key holding the wrong kind of value';
    const store = new RedisStore({
      client: fakeClient(async () => {
        throw new ErrorReply(reply);
      }),
    });
    expect((await failure(store.get('k'))).code).toBe('ERR_STORE_CORRUPT');
    reply = 'ERR PORTCULLIS_CORRUPT not a counter script: abc, on @user_script:5.';
    expect((await failure(store.increment('k', 10))).code).toBe('ERR_STORE_CORRUPT');
    reply = 'PORTCULLIS_CORRUPT not a counter';
    expect((await failure(store.increment('k', 10))).code).toBe('ERR_STORE_CORRUPT');
  });

  it('counts failures in telemetry by operation and code', async () => {
    const counted: unknown[] = [];
    const telemetry: Telemetry = {
      count: (name, value, attributes) => counted.push([name, value, attributes]),
      record: () => {},
      span: (_n, fn) => fn(),
    };
    const store = new RedisStore({
      client: fakeClient(async () => {
        throw new Error('Socket closed unexpectedly');
      }),
      telemetry,
    });
    await failure(store.delete('k'));
    expect(counted).toEqual([
      ['portcullis.store_redis.errors', 1, { operation: 'delete', code: 'ERR_STORE_UNAVAILABLE' }],
    ]);
  });
});

describe('RedisStore misuse', () => {
  it('requires a client with sendCommand', () => {
    for (const options of [undefined, {}, { client: {} }, { client: { sendCommand: 1 } }]) {
      expect(() => new RedisStore(options as never)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    }
  });

  it('validates keyPrefix and commandTimeoutMs', () => {
    const client = fakeClient();
    expect(() => new RedisStore({ client, keyPrefix: 1 as never })).toThrow(TypeError);
    for (const commandTimeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => new RedisStore({ client, commandTimeoutMs: commandTimeoutMs as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    }
    expect(() => new RedisStore({ client, commandTimeoutMs: '100' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it('rejects bad arguments before sending anything', async () => {
    const client = fakeClient();
    const store = new RedisStore({ client });
    await expect(store.set('k', 'v', 0)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(store.increment('k', 10, 0.5)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(store.get(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(client.sent).toEqual([]);
  });

  it('refuses strings with a lone surrogate, which UTF-8 cannot carry (two keys would become one)', async () => {
    const client = fakeClient();
    const store = new RedisStore({ client });
    for (const call of [
      () => store.get('nonce:\uD800'),
      () => store.set('k', 'a\uDC00b', 10),
      () => store.setIfAbsent('\uDFFF', 'v', 10),
      () => store.compareAndDelete('k', '\uD83D'),
    ]) {
      await expect(call()).rejects.toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    expect(client.sent).toEqual([]);
    await store.set('🔑', '✓ 🔐', 10); // paired surrogates are fine
    expect(client.sent).toEqual([['SET', 'portcullis:🔑', '✓ 🔐', 'PX', '10']]);
    expect(() => new RedisStore({ client, keyPrefix: '\uD800:' })).toThrow(TypeError);
  });

  it('connect() refuses a URL that is not redis:// or rediss:// without quoting it', async () => {
    for (const url of [
      'http://:hunter2-secret@127.0.0.1:6379',
      'not a url hunter2-secret',
      'redis://:hunter2-secret@127.0.0.1:6379/not-a-db',
    ]) {
      const error = await failure(RedisStore.connect({ url }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
      expect(error.message).not.toContain('hunter2');
    }
    await expect(RedisStore.connect({ url: 42 as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await expect(RedisStore.connect(null as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('connect() validates its timeouts before connecting', async () => {
    const url = 'redis://127.0.0.1:1';
    for (const options of [
      { url, connectTimeoutMs: 0 },
      { url, commandTimeoutMs: -5 },
      { url, maxReconnectDelayMs: 0.5 },
      { url, keyPrefix: null as never },
    ]) {
      await expect(RedisStore.connect(options)).rejects.toBeInstanceOf(TypeError);
    }
  });
});
