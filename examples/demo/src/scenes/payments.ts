// Demo scene for @portcullis/resilience with @portcullis/oauth: our service charges orders through
// a third-party "payments" API on 127.0.0.1 that requires our OAuth tokens and misbehaves on cue:
// it answers 429 with Retry-After, hangs after taking a charge, fails now and then, and goes down.
// The client waits as asked, cuts hung attempts and retries them under one Idempotency-Key (the
// charge is taken once), opens its breaker when the service is down (orders are kept as "payment
// pending" instead of failing), and settles them when the service recovers.
import type { ServerResponse } from 'node:http';
import { redacted } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import { createBreakerRegistry, isResilienceError, resilientFetch } from '@portcullis/resilience';
import { SCOPE, startOAuthServer, startProtectedApi } from '../peers/authorization.ts';
import type { Scene } from '../scene.ts';

const RESOURCE = 'https://api.payments.test';
type Mode = 'ok' | 'throttle-once' | 'hang-once' | 'flaky' | 'down';

export const paymentsScene: Scene = {
  name: 'payments',
  title: '@portcullis/resilience: the payment service throttles, hangs, fails and goes down',
  async run({ say, record }) {
    const as = await startOAuthServer(RESOURCE);
    let mode: Mode = 'ok';
    let requests = 0;
    const attempts = new Map<string, number>(); // Idempotency-Key → requests that carried it
    const taken = new Set<string>(); // keys whose charge was taken (once each: the API is idempotent)
    let hungKey = '';
    const api = await startProtectedApi(as.issuer, RESOURCE, (req, res: ServerResponse) => {
      requests++;
      req.resume();
      const key = String(req.headers['idempotency-key'] ?? '');
      const json = (status: number, body: object, headers: Record<string, string> = {}) =>
        res
          .writeHead(status, { 'content-type': 'application/json', ...headers })
          .end(JSON.stringify(body));
      if (mode === 'down' || (mode === 'flaky' && requests % 3 === 0))
        return json(503, { error: 'unavailable' });
      if (mode === 'throttle-once') {
        mode = 'ok';
        return json(429, { error: 'slow down' }, { 'retry-after': '1' });
      }
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      taken.add(key);
      if (mode === 'hang-once') {
        mode = 'ok';
        hungKey = key;
        return; // the charge is taken, the answer never comes
      }
      json(200, { status: 'succeeded' });
    });
    const tokens = createTokenProvider({
      issuer: as.issuer,
      clientId: as.secretClient.clientId,
      clientAuth: { method: 'client_secret_basic', secret: redacted(as.secretClient.secret) },
      scope: SCOPE,
      resource: RESOURCE,
      allowInsecureHttp: true, // the demo's loopback server only
    });
    const host = new URL(api.url).host;
    const breakers = createBreakerRegistry({
      consecutiveFailures: 4,
      breakDurationMs: 500,
      onTransition: (t) => say(`breaker for payments: ${t.from} → ${t.to}`),
    });
    const payments = resilientFetch(tokens.fetch, {
      breakers,
      attemptTimeoutMs: 400,
      retry: { maxAttempts: 3, initialDelayMs: 20, jitter: 'none' },
      addIdempotencyKey: true, // a retried POST carries the same key: the charge is taken once
    });
    const pending: string[] = []; // orders accepted while payments is down
    /** Charges one order: 'paid', or 'pending' when payments cannot be reached (never an error to the customer). */
    const charge = async (order: string): Promise<'paid' | 'pending'> => {
      try {
        const response = await payments(`${api.url}/charges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ order, amount: 4200 }),
        });
        await response.body?.cancel();
        if (response.ok) return 'paid';
      } catch (error) {
        if (!isResilienceError(error)) throw error;
      }
      pending.push(order);
      return 'pending';
    };
    try {
      say(`authorization server at ${as.issuer}; payments API (requires our tokens) at ${api.url}`);
      mode = 'throttle-once';
      let started = performance.now();
      const throttled = await charge('order-1');
      const waitedMs = Math.round(performance.now() - started);
      record({
        scenario: 'payment service answers 429 with Retry-After',
        happened: `waited ${(waitedMs / 1000).toFixed(1)} s as asked, then ${throttled}`,
        stoppedBy: '@portcullis/resilience retry (Retry-After)',
        held: throttled === 'paid' && waitedMs >= 950,
      });

      mode = 'hang-once';
      const takenBefore = taken.size;
      started = performance.now();
      const hung = await charge('order-2');
      const tookMs = Math.round(performance.now() - started);
      const sent = attempts.get(hungKey) ?? 0;
      const charged = taken.size - takenBefore;
      record({
        scenario: 'payment service hangs after taking a charge',
        happened: `attempt cut at 400 ms, retried → ${hung} in ${tookMs} ms; ${sent} requests under one Idempotency-Key, ${charged} charge taken`,
        stoppedBy: '@portcullis/resilience timeout + retry',
        held: hung === 'paid' && sent === 2 && charged === 1 && tookMs < 2_000,
      });

      mode = 'flaky';
      const flaky = [];
      for (let i = 0; i < 12; i++) flaky.push(await charge(`order-f${i}`));
      const paid = flaky.filter((r) => r === 'paid').length;
      record({
        scenario: 'payment service fails 1 request in 3',
        happened: `12 charges → ${paid} paid, retried past every 503`,
        stoppedBy: '@portcullis/resilience retry',
        held: paid === 12,
      });

      mode = 'down';
      const outage = [];
      let reachedWhileOpen = 0;
      for (let i = 0; i < 8; i++) {
        const seen = requests;
        const wasOpen = breakers.states()[host] === 'open';
        outage.push(await charge(`order-d${i}`));
        if (wasOpen) reachedWhileOpen += requests - seen;
      }
      const opened = breakers.states()[host] === 'open';
      say(`orders taken during the outage: ${outage.join(', ')}`);
      record({
        scenario: 'payment service down',
        happened: `breaker ${opened ? 'opened' : 'did not open'}; ${outage.filter((o) => o === 'pending').length} of 8 orders kept as "payment pending", ${reachedWhileOpen} requests sent while open`,
        stoppedBy: '@portcullis/resilience circuit breaker + fallback',
        held: opened && outage.every((o) => o === 'pending') && reachedWhileOpen === 0,
      });

      mode = 'ok';
      await new Promise((r) => setTimeout(r, 550)); // the break duration
      const queued = pending.splice(0);
      const settled = [];
      for (const order of queued) settled.push(await charge(order));
      const state = breakers.states()[host];
      record({
        scenario: 'payment service recovers',
        happened: `half-open probe succeeded, breaker ${state}; ${settled.filter((s) => s === 'paid').length} of ${queued.length} pending orders settled`,
        stoppedBy: '@portcullis/resilience circuit breaker',
        held: state === 'closed' && settled.every((s) => s === 'paid'),
      });

      const tokenRequests = as.tokenRequests();
      record({
        scenario: 'token requests per payment API call',
        happened: `${requests} API calls, ${tokenRequests} token request${tokenRequests === 1 ? '' : 's'}`,
        stoppedBy: '@portcullis/oauth token cache',
        held: tokenRequests === 1,
      });
    } finally {
      tokens.close();
      await Promise.all([api.close(), as.close()]);
    }
  },
};
