// Twilio behind an Express mount: under `app.use('/twilio', router)` Express rewrites `req.url`
// to be relative to the mount (`/sms`), while Twilio signed the full URL (`…/twilio/sms`). The
// original request target is `req.originalUrl`. A real Express app and Router on 127.0.0.1.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSigner,
  createVerifier,
  isWebhookError,
  readIncomingMessage,
  schemes,
} from '@portcullis/webhooks';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';

const origin = 'https://hooks.example.com';
const token = 'twilio-auth-token-express';
const form = 'Body=hello&From=%2B15550001&To=%2B15550002';
let server: Server;
let base: string;

beforeAll(async () => {
  const verifier = createVerifier({ scheme: schemes.twilio, secrets: token, store: false });
  const router = express.Router();
  router.post('/sms', express.raw({ type: () => true }), async (req, res) => {
    try {
      await verifier.verify(await readIncomingMessage(req, { publicOrigin: origin }));
      res.status(204).end();
    } catch (error) {
      if (!isWebhookError(error)) {
        res.status(500).json({ code: 'UNEXPECTED' });
        return;
      }
      res.status(error.status ?? 400).json(error);
    }
  });
  const app = express();
  app.use('/twilio', router);
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

async function post(path: string, signedUrl: string): Promise<Response> {
  const headers = await createSigner({ scheme: schemes.twilio, secrets: token }).sign({
    body: form,
    url: signedUrl,
  });
  return fetch(base + path, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
}

it('verifies a genuine delivery to a route of a mounted Router (req.originalUrl)', async () => {
  const response = await post('/twilio/sms', `${origin}/twilio/sms`);
  expect(response.status).toBe(204);
});

it('keeps the query string of the original target', async () => {
  const response = await post('/twilio/sms?tenant=7', `${origin}/twilio/sms?tenant=7`);
  expect(response.status).toBe(204);
});

it('refuses a signature made for the mount-relative URL', async () => {
  const response = await post('/twilio/sms', `${origin}/sms`);
  expect(response.status).toBe(401);
  expect(((await response.json()) as { code: string }).code).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
});
