// Demo scene for @portcullis/ratelimit: a flood of 60 concurrent requests from one client against
// a real HTTP server on 127.0.0.1, held at the limit (a burst of 10, then 10 per second), with the
// IETF RateLimit headers and Retry-After on the answers; then time passes and the quota refills.
// A source allow-list refuses a caller from outside the partner's network.
import { ManualClock } from '@portcullis/core';
import { createRateLimiter } from '@portcullis/ratelimit';
import { problemDetails } from '@portcullis/ratelimit/fetch';
import { createSourceFilter } from '@portcullis/ratelimit/source';
import { serve } from '../peers/http.ts';
import type { Scene } from '../scene.ts';

export const ratelimitScene: Scene = {
  name: 'ratelimit',
  title: '@portcullis/ratelimit: a request flood held at the limit, headers and all',
  async run({ say, record }) {
    const clock = new ManualClock(Date.parse('2026-01-01T12:00:00Z'));
    const limiter = createRateLimiter({ name: 'partner', limit: 10, windowMs: 1000, clock });
    const server = await serve(async (req, res) => {
      try {
        const decision = await limiter.enforce(`api:${req.socket.remoteAddress}`);
        res.writeHead(200, { ...decision.headers, 'content-type': 'application/json' });
        res.end('{"ok":true}');
      } catch (error) {
        const { status, headers, body } = problemDetails(error);
        res.writeHead(status, headers).end(JSON.stringify(body));
      }
    });
    try {
      say('limit: a burst of 10, then 10 per second, per client (GCRA)');
      const flood = await Promise.all(Array.from({ length: 60 }, () => fetch(server.url)));
      const ok = flood.filter((r) => r.status === 200);
      const refused = flood.filter((r) => r.status === 429);
      const last = ok.at(-1);
      const first = refused[0];
      const problem = (await first?.json()) as { code: string } | undefined;
      say(
        `last allowed:  RateLimit-Policy: ${last?.headers.get('ratelimit-policy')}, RateLimit: ${last?.headers.get('ratelimit')}`,
      );
      say(
        `first refused: Retry-After: ${first?.headers.get('retry-after')}, RateLimit: ${first?.headers.get('ratelimit')}, ${problem?.code}`,
      );
      await Promise.all(flood.map((r) => (r.bodyUsed ? undefined : r.body?.cancel())));
      const headersRight =
        flood.every((r) => r.headers.get('ratelimit-policy') === '"partner";q=10;w=1') &&
        refused.every((r) => Number(r.headers.get('retry-after')) >= 1) &&
        ok.some((r) => /;r=0;/.test(r.headers.get('ratelimit') ?? ''));
      record({
        scenario: 'request flood from one partner',
        happened: `60 concurrent → ${ok.length} × 200, ${refused.length} × 429 ${problem?.code}; RateLimit, RateLimit-Policy, Retry-After ${headersRight ? 'correct' : 'WRONG'}`,
        stoppedBy: '@portcullis/ratelimit',
        held: ok.length === 10 && refused.length === 50 && headersRight,
      });

      clock.advance(350); // 3.5 emission intervals of 100 ms
      const after = await Promise.all(Array.from({ length: 5 }, () => fetch(server.url)));
      await Promise.all(after.map((r) => r.body?.cancel()));
      const statuses = after.map((r) => r.status);
      record({
        scenario: 'the flood goes on after the limit refills',
        happened: `350 ms later, 5 more → ${statuses.join(' ')} (3 slots refilled, no more)`,
        stoppedBy: '@portcullis/ratelimit',
        held: statuses.filter((s) => s === 200).length === 3,
      });
    } finally {
      await server.close();
    }

    const sources = createSourceFilter({ allow: ['203.0.113.0/24', '2001:db8::/32'] });
    sources.check({ remoteAddress: '::ffff:203.0.113.10' });
    say('a webhook from ::ffff:203.0.113.10 (partner network, IPv4-mapped): allowed');
    let happened = 'allowed';
    try {
      sources.check({ remoteAddress: '198.51.100.4' });
    } catch (error) {
      happened = `refused: ${problemDetails(error).status} ${problemDetails(error).body.code}`;
    }
    record({
      scenario: "a webhook from outside the partner's network",
      happened: `198.51.100.4 → ${happened}`,
      stoppedBy: '@portcullis/ratelimit source allow-list',
      held: happened.includes('ERR_SOURCE_FORBIDDEN'),
    });
  },
};
