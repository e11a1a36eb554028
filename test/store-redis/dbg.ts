import { RedisStore } from '@portcullis/store-redis';
import { startRedisCluster } from '../harness/redisCluster.ts';

const c = await startRedisCluster();
const store = await RedisStore.connectCluster({
  urls: c.urls,
  keyPrefix: 'x:',
  commandTimeoutMs: 400,
});
const r = await Promise.allSettled(
  Array.from({ length: 20 }, (_, i) => store.setIfAbsent(`k${i}`, 'v', 60000)),
);
console.log(
  r.map((x) =>
    x.status === 'fulfilled'
      ? 'ok'
      : (x.reason as Error).message + ' / ' + String((x.reason as any).cause?.message),
  ),
);
await store.close();
await c.stop();
