// Demo scene for @portcullis/resilience's blast radius: two partners on 127.0.0.1 behind one
// resilientFetch with a breaker per host. The failing one trips its own breaker (no more requests
// reach it); calls to the healthy one carry on untouched. (Recovery: see the payments scene.)
import { createBreakerRegistry, isResilienceError, resilientFetch } from '@portcullis/resilience';
import { serve } from '../peers/http.ts';
import type { Scene } from '../scene.ts';

export const resilienceScene: Scene = {
  name: 'resilience',
  title: '@portcullis/resilience: one partner down does not take the others with it',
  async run({ say, record }) {
    let inventoryHits = 0;
    const inventory = await serve((req, res) => {
      inventoryHits++;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('inventory');
    });
    const shipping = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('shipping');
    });
    const host = new URL(inventory.url).host;
    const breakers = createBreakerRegistry({ consecutiveFailures: 4, breakDurationMs: 300 });
    const client = resilientFetch(fetch, {
      breakers,
      attemptTimeoutMs: 500,
      retry: { maxAttempts: 2, initialDelayMs: 20, jitter: 'none' },
    });
    const get = (url: string): Promise<string> =>
      client(url).then(
        async (r) => {
          await r.body?.cancel();
          return String(r.status);
        },
        (e: unknown) => (isResilienceError(e) ? e.code : String(e)),
      );
    try {
      say('inventory answers 503 to everything; shipping is healthy');
      const rounds: string[] = [];
      let hitsWhileOpen = 0;
      for (let round = 1; round <= 5; round++) {
        const open = breakers.states()[host] === 'open';
        const before = inventoryHits;
        const [inv, ship] = await Promise.all([
          get(`${inventory.url}/stock`),
          get(`${shipping.url}/rates`),
        ]);
        if (open) hitsWhileOpen += inventoryHits - before;
        rounds.push(ship);
        say(`round ${round}: inventory → ${inv}; shipping → ${ship}`);
      }
      record({
        scenario: 'one partner down, another healthy',
        happened: `inventory's breaker ${breakers.states()[host]} (${hitsWhileOpen} requests sent while open); shipping answered ${rounds.join(' ')}`,
        stoppedBy: '@portcullis/resilience breaker per host',
        held:
          breakers.states()[host] === 'open' &&
          hitsWhileOpen === 0 &&
          rounds.every((s) => s === '200'),
      });
    } finally {
      await Promise.all([inventory.close(), shipping.close()]);
    }
  },
};
