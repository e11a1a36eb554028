import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBreakerRegistry, isResilienceError, resilientFetch } from '@portcullis/resilience';

/** A loopback partner answering `status`; counts the requests that reached it. */
async function partner(
  status: () => number,
): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(status(), { 'content-type': 'text/plain' }).end('partner says hi');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, server };
}

/** A failing partner trips its breaker; calls to another partner carry on untouched. */
export async function resilienceScene(say: (line: string) => void): Promise<void> {
  let paymentsStatus = 503;
  const payments = await partner(() => paymentsStatus);
  const shipping = await partner(() => 200);
  const breakers = createBreakerRegistry({
    consecutiveFailures: 4,
    breakDurationMs: 400,
    onTransition: (t) =>
      say(
        `  breaker ${t.key === new URL(payments.url).host ? 'payments' : 'shipping'}: ${t.from} → ${t.to}`,
      ),
  });
  const client = resilientFetch(fetch, {
    breakers,
    attemptTimeoutMs: 500,
    breaker: { samplingWindowMs: 1000 },
    retry: { maxAttempts: 2, initialDelayMs: 20, jitter: 'none' },
  });
  try {
    say('payments answers 503 to everything; shipping is healthy');
    for (let round = 1; round <= 4; round++) {
      const pay = await client(`${payments.url}/charge`).then(
        async (r) => `${r.status} (${await r.text()}), after 2 attempts`,
        (e: unknown) =>
          isResilienceError(e)
            ? `${e.code}, half-opens in ${(e.retryAt ?? 0) - Date.now()} ms`
            : String(e),
      );
      const ship = await client(`${shipping.url}/rates`).then((r) => r.text().then(() => r.status));
      say(`round ${round}: payments → ${pay}; shipping → ${ship}`);
    }
    say(
      `requests that reached payments: ${payments.hits()} (the open breaker sent none); shipping: ${shipping.hits()}`,
    );
    paymentsStatus = 200;
    await new Promise((r) => setTimeout(r, 450));
    const back = await client(`${payments.url}/charge`);
    await back.text();
    say(
      `payments recovered: the half-open probe got ${back.status}; breaker is ${breakers.states()[new URL(payments.url).host]}`,
    );
  } finally {
    payments.server.closeAllConnections();
    shipping.server.closeAllConnections();
    payments.server.close();
    shipping.server.close();
  }
}
