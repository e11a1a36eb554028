// examples/fleet-redis, run as its start script runs it: two replica processes sharing one real
// Redis make ONE token request for all their API calls, and a webhook accepted by one replica is
// refused when replayed to the other. Once with the redis-server the example starts itself, once
// with REDIS_URL pointing at the harness's Redis (whose keys then show the example used it).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';

const run = promisify(execFile);
const dir = new URL('../../examples/fleet-redis/', import.meta.url);

function example(args: string[], env: Record<string, string> = {}) {
  const { REDIS_URL: _ignored, ...inherited } = process.env;
  return run(process.execPath, ['--conditions=@portcullis/source', 'src/main.ts', ...args], {
    cwd: dir,
    env: { ...inherited, ...env },
    timeout: 45_000,
  });
}

describe('examples/fleet-redis', () => {
  let redis: RedisPeer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('one command: starts its own Redis, one token request for both processes, the replay refused', async () => {
    const { stdout, stderr } = await example([]);
    expect(stderr).toBe('');
    expect(stdout).toContain('Redis: a redis-server started for this run');
    expect(stdout).toContain(
      'token requests to the authorization server: 1 (serving 20 calls in 2 processes)',
    );
    expect(stdout).toContain('webhook to replica 1: accepted (204)');
    expect(stdout).toContain(
      'same webhook replayed to replica 2: refused (409 ERR_WEBHOOK_REPLAYED)',
    );
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^ok: /);
  });

  it('with REDIS_URL: uses that Redis (the fleet token and the replay nonce are in it), --json summary', async () => {
    const { stdout } = await example(['--json'], { REDIS_URL: redis.url });
    expect(JSON.parse(stdout)).toEqual({
      tokenRequests: 1,
      apiCalls: 20,
      processes: 2,
      first: { status: 204 },
      replay: { status: 409, code: 'ERR_WEBHOOK_REPLAYED' },
      held: true,
    });
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys('fleet-redis:*');
      expect(keys.length).toBeGreaterThanOrEqual(2); // a token record and a replay record at least
    } finally {
      await client.close();
    }
  });
});
