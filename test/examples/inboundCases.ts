// The integration cases every inbound example (Express, Fastify, Hono) must pass, over real HTTP
// on 127.0.0.1: rate limit with IETF headers then 429 problem details, source allow-list (403
// before the body is verified), X-Forwarded-For only through trusted hops (a header sent twice
// included), Standard Webhooks verification (401 forged), problem-details bodies without stacks.
import { request } from 'node:http';
import { createRateLimiter, type RateLimiter } from '@portcullis/ratelimit';
import { createSigner, generateSecret } from '@portcullis/webhooks';
import { afterEach, describe, expect, it } from 'vitest';

/** The options all three examples' `createApp` share. */
export interface CommonOptions {
  webhookSecrets: ReturnType<typeof generateSecret>;
  webhookSources: readonly string[];
  trustedProxyHops?: number;
  limiter?: RateLimiter;
  onEvent?: (event: unknown) => void;
}

export interface Started {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Sends one request with raw header lines (so a header can be sent twice, as a client may). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: string[],
  body = '',
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const lines = ['Host', `127.0.0.1:${port}`, ...headers];
    const req = request({ host: '127.0.0.1', port, method, path, headers: lines }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.once('error', reject);
    req.end(body);
  });
}

async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const text = await response.text();
  expect(JSON.parse(text)).toMatchObject({ type: 'about:blank', status, code });
  expect(text).not.toMatch(/stack|at .*\.ts|whsec_/);
}

export function inboundSuite(
  name: string,
  start: (options: CommonOptions) => Promise<Started>,
): void {
  describe(`examples/inbound-${name}`, () => {
    const secret = generateSecret();
    const signer = createSigner({ secrets: secret });
    let running: Started[] = [];
    const launch = async (options: Partial<CommonOptions> = {}) => {
      const s = await start({
        webhookSecrets: secret,
        webhookSources: ['127.0.0.1/32'],
        ...options,
      });
      running.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(running.map((s) => s.close()));
      running = [];
    });

    it('GET /api/hello: RateLimit headers counting down, then 429 problem details with Retry-After', async () => {
      const { url } = await launch({ limiter: createRateLimiter({ limit: 3, windowMs: 60_000 }) });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await fetch(`${url}/api/hello`));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await answers[0]?.json()).toEqual({ hello: '127.0.0.1' });
      expect(answers.map((r) => r.headers.get('ratelimit')?.replace(/;t=\d+$/, ''))).toEqual([
        '"default";r=2',
        '"default";r=1',
        '"default";r=0',
      ]);
      expect(answers[0]?.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
      const refused = await fetch(`${url}/api/hello`);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(19);
      expect(refused.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
      await expectProblem(refused, 429, 'ERR_RATE_LIMITED');
    });

    it('POST /webhooks: genuine 204, forged 401, from outside the allow-list 403 (before verification)', async () => {
      const events: unknown[] = [];
      const body = JSON.stringify({ type: 'invoice.paid', id: 'in_1' });
      const headers = { ...(await signer.sign({ body })), 'content-type': 'application/json' };
      const allowed = await launch({ onEvent: (e) => void events.push(e) });
      const ok = await fetch(`${allowed.url}/webhooks`, { method: 'POST', headers, body });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('ratelimit')).toMatch(/^"default";r=4;t=\d+$/);
      expect(events).toEqual([JSON.parse(body)]);
      const forged = await fetch(`${allowed.url}/webhooks`, {
        method: 'POST',
        headers,
        body: body.replace('in_1', 'in_2'),
      });
      await expectProblem(forged, 401, 'ERR_WEBHOOK_SIGNATURE_MISMATCH');

      const elsewhere = await launch({ webhookSources: ['192.0.2.0/24'] });
      const refused = await fetch(`${elsewhere.url}/webhooks`, { method: 'POST', headers, body });
      await expectProblem(refused, 403, 'ERR_SOURCE_FORBIDDEN');
      expect(events).toHaveLength(1);
    });

    it('without a trusted proxy, X-Forwarded-For is ignored: a forged address gains nothing', async () => {
      const { port } = await launch({ webhookSources: ['203.0.113.0/24'] });
      const body = '{}';
      const signed = await signer.sign({ body });
      const lines = Object.entries(signed).flat();
      const answer = await raw(
        port,
        'POST',
        '/webhooks',
        [...lines, 'X-Forwarded-For', '203.0.113.7'],
        body,
      );
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'ERR_SOURCE_FORBIDDEN' });
    });

    it('behind one trusted proxy: its hop decides, the client-written part does not; a header sent twice is one list', async () => {
      const { port } = await launch({
        webhookSources: ['203.0.113.0/24'],
        trustedProxyHops: 1,
        limiter: createRateLimiter({ limit: 1, windowMs: 60_000 }),
      });
      const body = '{"n":1}';
      const lines = Object.entries(await signer.sign({ body })).flat();
      // The client sent "X-Forwarded-For: 6.6.6.6"; our proxy added a second line with what it saw.
      const twice = ['X-Forwarded-For', '6.6.6.6', 'X-Forwarded-For', '203.0.113.7'];
      const ok = await raw(port, 'POST', '/webhooks', [...lines, ...twice], body);
      expect(ok.status).toBe(204);
      // The reverse: the client forges an allowed address, the proxy records the real one.
      const forged = ['X-Forwarded-For', '203.0.113.7, 198.51.100.1'];
      const refused = await raw(port, 'POST', '/webhooks', [...lines, ...forged], body);
      expect(refused.status).toBe(403);
      // Rate limits are per real client: two addresses behind the proxy are counted apart.
      const a = await raw(port, 'GET', '/api/hello', ['X-Forwarded-For', '198.51.100.1']);
      const b = await raw(port, 'GET', '/api/hello', ['X-Forwarded-For', '1.1.1.1, 198.51.100.2']);
      const a2 = await raw(port, 'GET', '/api/hello', ['X-Forwarded-For', '9.9.9.9, 198.51.100.1']);
      expect([a.status, b.status, a2.status]).toEqual([200, 200, 429]);
      expect(JSON.parse(b.text)).toEqual({ hello: '198.51.100.2' });
      expect(a2.headers['retry-after']).toBeDefined();
      // No X-Forwarded-For at all: the request did not come through the proxy.
      const direct = await raw(port, 'GET', '/api/hello', []);
      expect(direct.status).toBe(403);
      expect(JSON.parse(direct.text)).toMatchObject({ code: 'ERR_SOURCE_ADDRESS_UNKNOWN' });
    });
  });
}
