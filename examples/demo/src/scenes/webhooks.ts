// Demo scene for @portcullis/webhooks: a webhook receiver on 127.0.0.1 with a Standard Webhooks
// route and a Stripe route. Genuine deliveries are accepted; a forged one per scheme, a replay and
// a stale message are refused with stable codes; and a route whose body parser ran before
// verification (the most common integration bug) is diagnosed by explain().
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MemoryStore } from '@portcullis/core';
import {
  createSigner,
  createVerifier,
  explain,
  generateSecret,
  isWebhookError,
  readIncomingMessage,
  schemes,
  type Verifier,
} from '@portcullis/webhooks';
import { serve } from '../peers/http.ts';
import type { Scene } from '../scene.ts';

const STOPPED_BY = '@portcullis/webhooks';

async function answer(res: ServerResponse, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    res.writeHead(204).end();
  } catch (error) {
    const status = isWebhookError(error) ? (error.status ?? 400) : 500;
    const code = isWebhookError(error) ? error.code : 'ERR_INTERNAL';
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code }));
  }
}

/** `"204"` or `"400 ERR_…"`: what the receiver answered. */
async function describe(response: Response): Promise<string> {
  if (response.status < 300) return String(response.status);
  const { code } = (await response.json()) as { code: string };
  return `${response.status} ${code}`;
}

export const webhooksScene: Scene = {
  name: 'webhooks',
  title:
    '@portcullis/webhooks: forged, replayed and stale webhooks refused; a parsed body diagnosed',
  async run({ say, record }) {
    const standardSecret = generateSecret();
    const stripeSecret = generateStripeLike();
    const store = new MemoryStore();
    const standard = createVerifier({ secrets: standardSecret, store });
    const stripe = createVerifier({ scheme: schemes.stripe, secrets: stripeSecret, store });
    const routes: Record<string, (req: IncomingMessage) => Promise<void>> = {
      '/webhooks/standard': async (req) =>
        void (await standard.verify(await readIncomingMessage(req))),
      '/webhooks/stripe': async (req) => void (await stripe.verify(await readIncomingMessage(req))),
      // The bug: a JSON body parser ran first, so the verifier gets an object, not the bytes sent.
      '/webhooks/parsed': async (req) => {
        const raw = await readIncomingMessage(req);
        const parsed: unknown = JSON.parse(new TextDecoder().decode(raw.body));
        await (standard as Verifier).verify({ headers: raw.headers, body: parsed as string });
      },
    };
    const receiver = await serve((req, res) => {
      const route = routes[req.url ?? ''];
      if (route === undefined) res.writeHead(404).end();
      else void answer(res, () => route(req));
    });
    try {
      say(`webhook receiver at ${receiver.url} (Standard Webhooks and Stripe routes)`);
      const post = (path: string, headers: Record<string, string>, body: string) =>
        fetch(`${receiver.url}${path}`, { method: 'POST', headers, body }).then(describe);
      const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1042', amount: 4200 } });

      const signer = createSigner({ secrets: standardSecret });
      const headers = await signer.sign({ body });
      say(
        `genuine Standard Webhooks delivery → ${await post('/webhooks/standard', headers, body)}`,
      );
      const forged = await post('/webhooks/standard', headers, body.replace('4200', '1'));
      record({
        scenario: 'forged payment webhook (Standard Webhooks)',
        happened: `amount changed to 1 under the genuine signature → ${forged}`,
        stoppedBy: STOPPED_BY,
        held: forged.includes('ERR_WEBHOOK_SIGNATURE_MISMATCH'),
      });
      const replayed = await post('/webhooks/standard', headers, body);
      record({
        scenario: 'replayed webhook',
        happened: `the same delivery sent again → ${replayed}`,
        stoppedBy: `${STOPPED_BY} replay store`,
        held: replayed.includes('ERR_WEBHOOK_REPLAYED'),
      });
      const late = await signer.sign({ body, timestamp: Math.floor(Date.now() / 1000) - 600 });
      const stale = await post('/webhooks/standard', late, body);
      record({
        scenario: 'webhook signed 10 minutes ago',
        happened: `outside the 5-minute tolerance → ${stale}`,
        stoppedBy: STOPPED_BY,
        held: stale.includes('ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE'),
      });

      const stripeBody = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' });
      const stripeSigner = createSigner({ scheme: schemes.stripe, secrets: stripeSecret });
      const genuine = await post(
        '/webhooks/stripe',
        await stripeSigner.sign({ body: stripeBody }),
        stripeBody,
      );
      say(`genuine Stripe delivery → ${genuine}`);
      const attacker = createSigner({ scheme: schemes.stripe, secrets: generateStripeLike() });
      const forgedStripe = await post(
        '/webhooks/stripe',
        await attacker.sign({ body: stripeBody }),
        stripeBody,
      );
      record({
        scenario: "forged payment webhook (Stripe's scheme)",
        happened: `Stripe-Signature made with a guessed secret → ${forgedStripe}`,
        stoppedBy: STOPPED_BY,
        held: forgedStripe.includes('ERR_WEBHOOK_SIGNATURE_MISMATCH'),
      });

      const fresh = await signer.sign({ body });
      const parsedAnswer = await post('/webhooks/parsed', fresh, body);
      const diagnosis = await explain({
        secrets: standardSecret,
        headers: fresh,
        body: JSON.parse(body) as unknown as string,
      });
      say(`explain(): ${diagnosis.summary} ${diagnosis.likelyCauses[0]?.split('.')[0] ?? ''}.`);
      record({
        scenario: 'body parser ran before verification',
        happened: `genuine delivery → ${parsedAnswer}; explain() names the ${diagnosis.failedCheck} check: a body parser ran first`,
        stoppedBy: `${STOPPED_BY} explain()`,
        held:
          diagnosis.failedCheck === 'body' && /body parser/.test(diagnosis.likelyCauses[0] ?? ''),
      });
    } finally {
      await receiver.close();
    }
  },
};

function generateStripeLike(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex')}`;
}
