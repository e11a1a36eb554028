// Demo scene for @portcullis/ratelimit: a flood of 60 concurrent requests from one client against
// a real HTTP server on 127.0.0.1, held at the limit (a burst of 10, then 10 per second), with the
// IETF RateLimit headers and Retry-After on the answers; then time passes and the quota refills.
// A source allow-list refuses a caller from outside the partner's network.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@portcullis/core';
import { createRateLimiter } from '@portcullis/ratelimit';
import { problemDetails } from '@portcullis/ratelimit/fetch';
import { createSourceFilter } from '@portcullis/ratelimit/source';

/** A flood held at the limit, then refilled; a stranger refused by the allow-list. */
export async function ratelimitScene(say: (line: string) => void): Promise<void> {
  const clock = new ManualClock(Date.parse('2026-01-01T12:00:00Z'));
  const limiter = createRateLimiter({ name: 'partner', limit: 10, windowMs: 1000, clock });
  const server = createServer(async (req, res) => {
    try {
      const decision = await limiter.enforce(`api:${req.socket.remoteAddress}`);
      res.writeHead(200, { ...decision.headers, 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } catch (error) {
      const { status, headers, body } = problemDetails(error);
      res.writeHead(status, headers).end(JSON.stringify(body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    say('limit: a burst of 10, then 10 per second, per client (GCRA)');
    const flood = await Promise.all(Array.from({ length: 60 }, () => fetch(url)));
    const ok = flood.filter((r) => r.status === 200);
    const refused = flood.filter((r) => r.status === 429);
    say(`flood of 60 concurrent requests: ${ok.length} × 200, ${refused.length} × 429`);
    const last = ok.at(-1);
    say(`last allowed:  RateLimit-Policy: ${last?.headers.get('ratelimit-policy')}`);
    say(`               RateLimit: ${last?.headers.get('ratelimit')}`);
    const first = refused[0];
    const problem = (await first?.json()) as { code: string; detail: string };
    say(
      `first refused: 429, Retry-After: ${first?.headers.get('retry-after')}, RateLimit: ${first?.headers.get('ratelimit')}`,
    );
    say(`               ${problem.code}: ${problem.detail}`);
    await Promise.all(flood.map((r) => (r.bodyUsed ? undefined : r.body?.cancel())));

    clock.advance(350); // 3.5 emission intervals of 100 ms
    const after = await Promise.all(Array.from({ length: 5 }, () => fetch(url)));
    say(`350 ms later, 5 more: ${after.map((r) => r.status).join(' ')} (3 slots refilled)`);
    await Promise.all(after.map((r) => r.body?.cancel()));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const sources = createSourceFilter({ allow: ['203.0.113.0/24', '2001:db8::/32'] });
  for (const remoteAddress of ['203.0.113.9', '::ffff:203.0.113.10', '198.51.100.4']) {
    try {
      sources.check({ remoteAddress });
      say(`webhook from ${remoteAddress}: allowed (partner network)`);
    } catch (error) {
      say(`webhook from ${remoteAddress}: ${problemDetails(error).body.code} (403)`);
    }
  }
}
