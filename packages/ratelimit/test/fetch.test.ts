import { ManualClock } from '@portcullis/core';
import { createRateLimiter } from '@portcullis/ratelimit';
import {
  problemResponse,
  rateLimitRequest,
  withRateLimitHeaders,
} from '@portcullis/ratelimit/fetch';
import { SourceError } from '@portcullis/ratelimit/source';
import { describe, expect, it } from 'vitest';

const limiter = () =>
  createRateLimiter({ limit: 2, windowMs: 10_000, clock: new ManualClock(1_767_225_600_000) });
const request = (id: string) =>
  new Request('https://api.example.com/v1/things', { headers: { 'x-client-id': id } });

describe('rateLimitRequest', () => {
  it('lets requests through with headers, then answers 429 problem details with Retry-After', async () => {
    const options = { limiter: limiter(), key: (r: Request) => r.headers.get('x-client-id') ?? '' };
    const first = await rateLimitRequest(request('c1'), options);
    expect(first.refusal).toBeUndefined();
    const ok = withRateLimitHeaders(new Response('ok'), first.decision);
    expect(ok.headers.get('RateLimit')).toBe('"default";r=1;t=5');
    expect(ok.headers.get('RateLimit-Policy')).toBe('"default";q=2;w=10');
    expect(ok.headers.get('Retry-After')).toBeNull();

    await rateLimitRequest(request('c1'), options);
    const third = await rateLimitRequest(request('c1'), options);
    const refusal = third.refusal as Response;
    expect(refusal.status).toBe(429);
    expect(refusal.headers.get('content-type')).toBe('application/problem+json');
    expect(refusal.headers.get('Retry-After')).toBe('5');
    expect(refusal.headers.get('RateLimit')).toBe('"default";r=0;t=10');
    expect(await refusal.json()).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many requests (rule "default"); retry after 5 s.',
      code: 'ERR_RATE_LIMITED',
    });
    // Another client is counted apart.
    expect((await rateLimitRequest(request('c2'), options)).refusal).toBeUndefined();
  });

  it('an error from the key function is not turned into a refusal', async () => {
    const options = {
      limiter: limiter(),
      key: () => {
        throw new Error('boom');
      },
    };
    await expect(rateLimitRequest(request('c1'), options)).rejects.toThrow('boom');
  });
});

describe('withRateLimitHeaders', () => {
  it('copies a response whose headers are immutable', async () => {
    const decision = await limiter().check('k');
    const frozen = Response.redirect('https://example.com/', 302); // immutable headers
    const out = withRateLimitHeaders(frozen, decision);
    expect(out).not.toBe(frozen);
    expect(out.status).toBe(302);
    expect(out.headers.get('RateLimit')).toBe('"default";r=1;t=5');
  });
});

describe('problemResponse', () => {
  it('a Portcullis error: its status, code and safe message; anything else: a bare 500', async () => {
    const forbidden = problemResponse(new SourceError('ERR_SOURCE_FORBIDDEN', 'Not from here.'));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Not from here.',
      code: 'ERR_SOURCE_FORBIDDEN',
    });
    const secret = new Error('password=hunter2 at db.internal');
    const internal = problemResponse(secret);
    expect(internal.status).toBe(500);
    const text = await internal.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ code: 'ERR_INTERNAL', detail: 'Internal error.' });
  });
});
