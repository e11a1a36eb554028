// The customer's side: a receiver that verifies each delivery (Standard Webhooks), then processes
// it once per webhook-id through @portcullis/idempotency. Scripted to misbehave for the demo:
// `failFirst` deliveries answer 500 before it recovers, and `gone()` makes it answer 410.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore } from '@portcullis/core';
import { createIdempotency } from '@portcullis/idempotency';
import { createVerifier, readIncomingMessage } from '@portcullis/webhooks';

export interface ExampleReceiver {
  readonly url: string;
  /** How often each event's handler really ran, by webhook-id. */
  readonly processed: Map<string, number>;
  /** Requests received (every attempt, duplicates included). */
  requests: number;
  /** From now on answer `410 Gone`. */
  gone(): void;
  close(): Promise<void>;
}

export async function startExampleReceiver(options: {
  secret: string;
  failFirst?: number;
}): Promise<ExampleReceiver> {
  const verifier = createVerifier({ secrets: options.secret, store: false });
  const idempotency = createIdempotency({ store: new MemoryStore(), ttlMs: 3 * 86_400_000 });
  let failuresLeft = options.failFirst ?? 0;
  let isGone = false;
  const processed = new Map<string, number>();
  const state = { requests: 0 };
  const server = createServer(async (req, res) => {
    state.requests++;
    try {
      if (isGone) return void res.writeHead(410).end();
      const { headers, body } = await readIncomingMessage(req);
      const { id } = await verifier.verify({ headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        return void res.writeHead(500).end(); // a bad deploy: the sender retries
      }
      const hash = createHash('sha256').update(body).digest('base64url');
      const key = id ?? hash; // Standard Webhooks always has an id
      await idempotency.run(`hook:${key}`, hash, async () => {
        processed.set(key, (processed.get(key) ?? 0) + 1);
        return { ok: true };
      });
      res.writeHead(204).end();
    } catch (error) {
      res.writeHead((error as { status?: number }).status ?? 500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    processed,
    get requests() {
      return state.requests;
    },
    set requests(n: number) {
      state.requests = n;
    },
    gone: () => {
      isGone = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
