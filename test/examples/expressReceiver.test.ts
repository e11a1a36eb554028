// examples/express-receiver, run for real: its Express app on 127.0.0.1, webhooks signed by our
// signer (Standard Webhooks) and by the `stripe` library (Stripe), two live secrets, the memory
// and the Redis replay stores, and the server started as a program the way `pnpm start` does.
import { execFile } from 'node:child_process';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { reveal } from '@portcullis/core';
import { createSigner, generateSecret } from '@portcullis/webhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ReceivedEvent } from '../../examples/express-receiver/src/app.ts';
import { replayStore } from '../../examples/express-receiver/src/server.ts';
import { freePort, waitFor } from '../harness/ports.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { startProgram } from '../harness/worker.ts';

const stripe = new Stripe('sk_test_not_used_no_network');
const standardCurrent = generateSecret();
const standardPrevious = generateSecret();
const stripeCurrent = reveal(generateSecret());
const stripePrevious = reveal(generateSecret());
const options = {
  standardSecrets: [
    { label: 'current', secret: standardCurrent },
    { label: 'previous', secret: standardPrevious },
  ],
  stripeSecrets: [
    { label: 'current', secret: stripeCurrent },
    { label: 'previous', secret: stripePrevious },
  ],
};

async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const post = (url: string, headers: Record<string, string>, body: string) =>
  fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });

async function expectRefusal(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  const text = await response.text();
  const json = JSON.parse(text) as Record<string, unknown>;
  expect(json).toMatchObject({ code, status });
  expect(Object.keys(json).sort()).toEqual(['code', 'message', 'name', 'status']);
  expect(text).not.toMatch(/stack|at .*\.ts|whsec_/);
}

describe('with the memory store', () => {
  const received: ReceivedEvent[] = [];
  let url: string;
  let server: Server;
  beforeAll(async () => {
    ({ url, server } = await listen(
      createApp({ ...options, onEvent: (e) => void received.push(e) }),
    ));
  });
  afterAll(() => close(server));

  it('Standard Webhooks: genuine 204, tampered 401, replay 409, old secret still accepted', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });
    const headers = await createSigner({ secrets: standardCurrent }).sign({ body });
    const endpoint = `${url}/webhooks/standard`;

    expect((await post(endpoint, headers, body)).status).toBe(204);
    expect(received.at(-1)).toEqual({
      source: 'standard',
      id: headers['webhook-id'],
      matchedSecret: { index: 0, label: 'current' },
      event: JSON.parse(body),
    });

    const tampered = await post(endpoint, headers, body.replace('in_1', 'in_2'));
    await expectRefusal(tampered, 401, 'ERR_WEBHOOK_SIGNATURE_MISMATCH');
    await expectRefusal(await post(endpoint, headers, body), 409, 'ERR_WEBHOOK_REPLAYED');

    // The same message (same id) carrying only the old secret's signature is still a replay.
    const sameId = await createSigner({ secrets: standardPrevious }).sign({
      id: headers['webhook-id']!,
      body,
    });
    await expectRefusal(await post(endpoint, sameId, body), 409, 'ERR_WEBHOOK_REPLAYED');

    const old = await createSigner({ secrets: standardPrevious }).sign({ body });
    expect((await post(endpoint, old, body)).status).toBe(204);
    expect(received.at(-1)?.matchedSecret).toEqual({ index: 1, label: 'previous' });

    const stranger = await createSigner({ secrets: generateSecret() }).sign({ body });
    await expectRefusal(
      await post(endpoint, stranger, body),
      401,
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
    await expectRefusal(await post(endpoint, {}, body), 400, 'ERR_WEBHOOK_HEADER_MISSING');
    expect(received).toHaveLength(2);
  });

  it('Stripe, signed by the stripe library: genuine 204, tampered 401, replay 409, old secret accepted', async () => {
    const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' });
    const endpoint = `${url}/webhooks/stripe`;
    const timestamp = Math.floor(Date.now() / 1000); // one signing moment for the whole test
    const sign = (secret: string, payload = body) => ({
      'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
    });
    const before = received.length;

    const headers = sign(stripeCurrent);
    expect((await post(endpoint, headers, body)).status).toBe(204);
    expect(received.at(-1)).toMatchObject({ source: 'stripe', event: { id: 'evt_1' } });

    const tampered = await post(endpoint, headers, body.replace('evt_1', 'evt_2'));
    await expectRefusal(tampered, 401, 'ERR_WEBHOOK_SIGNATURE_MISMATCH');
    await expectRefusal(await post(endpoint, headers, body), 409, 'ERR_WEBHOOK_REPLAYED');
    // The same message carrying only the old secret's signature is still the same message.
    await expectRefusal(
      await post(endpoint, sign(stripePrevious), body),
      409,
      'ERR_WEBHOOK_REPLAYED',
    );

    // A new event signed with the old secret (a sender not yet rotated) is accepted.
    const next = JSON.stringify({ id: 'evt_2', type: 'payment_intent.succeeded' });
    expect((await post(endpoint, sign(stripePrevious, next), next)).status).toBe(204);
    expect(received.at(-1)).toMatchObject({
      event: { id: 'evt_2' },
      matchedSecret: { index: 1, label: 'previous' },
    });
    expect(received.length - before).toBe(2);
  });

  it('verifies a genuine delivery sent without a Content-Type header (204)', async () => {
    const body = JSON.stringify({ type: 'no.content.type' });
    const headers = await createSigner({ secrets: standardCurrent }).sign({ body });
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/webhooks/standard', method: 'POST', headers },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.once('error', reject);
      req.end(body); // node:http adds Content-Length (or chunked encoding), never a Content-Type
    });
    expect(status).toBe(204);
    expect(received.at(-1)?.event).toEqual({ type: 'no.content.type' });
  });

  it('refuses a body over the limit (413) and a signed body that is not JSON (400), without a stack', async () => {
    const big = 'x'.repeat(300 * 1024);
    const headers = await createSigner({ secrets: standardCurrent }).sign({ body: big });
    const tooLarge = await post(`${url}/webhooks/standard`, headers, big);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.text()).not.toMatch(/stack|at .*\.(ts|js)/);

    const notJson = 'not json';
    const signed = await createSigner({ secrets: standardCurrent }).sign({ body: notJson });
    const answer = await post(`${url}/webhooks/standard`, signed, notJson);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      code: 'ERR_BODY_NOT_JSON',
      message: 'The body is not JSON.',
    });
  });
});

describe('two replicas sharing a Redis replay store (REDIS_URL set)', () => {
  let redis: RedisPeer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('a webhook replayed to the other replica is refused there (409)', async () => {
    const storeA = await replayStore(redis.url);
    const storeB = await replayStore(redis.url);
    const a = await listen(createApp({ ...options, store: storeA }));
    const b = await listen(createApp({ ...options, store: storeB }));
    try {
      const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_9' } });
      const headers = await createSigner({ secrets: standardCurrent }).sign({ body });
      expect((await post(`${a.url}/webhooks/standard`, headers, body)).status).toBe(204);
      await expectRefusal(
        await post(`${b.url}/webhooks/standard`, headers, body),
        409,
        'ERR_WEBHOOK_REPLAYED',
      );

      const stripeBody = JSON.stringify({ id: 'evt_9' });
      const stripeHeaders = {
        'stripe-signature': stripe.webhooks.generateTestHeaderString({
          payload: stripeBody,
          secret: stripeCurrent,
        }),
      };
      expect((await post(`${b.url}/webhooks/stripe`, stripeHeaders, stripeBody)).status).toBe(204);
      await expectRefusal(
        await post(`${a.url}/webhooks/stripe`, stripeHeaders, stripeBody),
        409,
        'ERR_WEBHOOK_REPLAYED',
      );
    } finally {
      await Promise.all([close(a.server), close(b.server)]);
      await Promise.all([storeA.close?.(), storeB.close?.()]);
    }
  });
});

it('src/server.ts runs as a program with secrets from the environment; src/send.ts tries it', async () => {
  const port = await freePort();
  const dir = new URL('../../examples/express-receiver/', import.meta.url);
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    STANDARD_WEBHOOK_SECRET: reveal(standardCurrent),
    STRIPE_WEBHOOK_SECRET: stripeCurrent,
  };
  const program = startProgram(dir, 'src/server.ts', env);
  const output = (): string => program.output();
  try {
    await waitFor('express-receiver listening', async () => output().includes('listening on'));
    expect(output()).not.toContain('note:'); // the configured secrets were used
    const body = JSON.stringify({ type: 'ping' });
    const headers = await createSigner({ secrets: standardCurrent }).sign({ body });
    const endpoint = `http://127.0.0.1:${port}/webhooks/standard`;
    expect((await post(endpoint, headers, body)).status).toBe(204);
    expect((await post(endpoint, headers, body)).status).toBe(409);
    await waitFor('the event logged', async () => output().includes('standard webhook'));
    expect(output()).toContain('(secret: current)');

    // src/send.ts (`pnpm send`) against the running server, with the same environment.
    const sent = await promisify(execFile)(
      process.execPath,
      ['--conditions=@portcullis/source', 'src/send.ts'],
      { cwd: dir, env, timeout: 10_000 },
    );
    const lines = sent.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'standard genuine: 204',
      'standard tampered: 401',
      'standard replayed: 409',
      'stripe genuine: 204',
      'stripe tampered: 401',
      'stripe replayed: 409',
    ]);
    expect(lines[1]).toContain('"code":"ERR_WEBHOOK_SIGNATURE_MISMATCH"');
    await waitFor('the stripe event logged', async () => output().includes('stripe webhook'));
    expect(output()).not.toContain(reveal(standardCurrent));
    expect(output()).not.toContain(stripeCurrent);
  } finally {
    expect(await program.stop()).not.toBeNull(); // it exited on SIGTERM
  }
});
