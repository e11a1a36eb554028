// A real HTTP receiver on 127.0.0.1: Node's http server, the raw body read by readIncomingMessage,
// failures answered with the error's status and caller-safe JSON. Sent with fetch and our signer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSigner,
  createVerifier,
  generateSecret,
  isWebhookError,
  readIncomingMessage,
} from '@portcullis/webhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';

const secret = generateSecret();
const verifier = createVerifier({ secrets: secret });
const signer = createSigner({ secrets: secret });
const received: unknown[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    try {
      const input = await readIncomingMessage(req, { maxBodyBytes: 64 * 1024 });
      await verifier.verify(input);
      received.push(JSON.parse(new TextDecoder().decode(input.body as Uint8Array)));
      res.writeHead(204).end();
    } catch (error) {
      const status = isWebhookError(error) ? (error.status ?? 400) : 500;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('accepts a signed delivery, refuses a forged one (401) and a replay (409) with safe JSON', async () => {
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });
  const headers = await signer.sign({ body });
  const post = (b: string, h: Record<string, string> = headers) =>
    fetch(url, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: b });

  expect((await post(body)).status).toBe(204);
  expect(received).toEqual([JSON.parse(body)]);

  const forged = await post(body.replace('in_1', 'in_2'));
  expect(forged.status).toBe(401);
  const forgedJson = (await forged.json()) as Record<string, unknown>;
  expect(forgedJson).toEqual({
    name: 'WebhookError',
    code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    message: 'No webhook signature matched.',
    status: 401,
  });
  expect(JSON.stringify(forgedJson)).not.toContain(headers['webhook-signature']!.slice(3));

  const replay = await post(body);
  expect(replay.status).toBe(409);
  expect(((await replay.json()) as { code: string }).code).toBe('ERR_WEBHOOK_REPLAYED');

  const big = await post('x'.repeat(70 * 1024));
  expect(big.status).toBe(413);
  expect(received).toHaveLength(1);
});
