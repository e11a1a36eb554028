// Tries the running receiver: `pnpm --filter @portcullis-examples/express-receiver send`, with the
// same STANDARD_WEBHOOK_SECRET and STRIPE_WEBHOOK_SECRET as the server (and PORT, default 3000).
// Sends to each route a genuine webhook, a tampered copy and a replay, and prints the answers.
import { createSigner, schemes } from '@portcullis/webhooks';

const base = `http://127.0.0.1:${process.env.PORT ?? 3000}/webhooks`;
const routes = [
  ['standard', schemes.standard, process.env.STANDARD_WEBHOOK_SECRET],
  ['stripe', schemes.stripe, process.env.STRIPE_WEBHOOK_SECRET],
] as const;

for (const [route, scheme, secret] of routes) {
  if (!secret) throw new Error(`set the ${route} secret the server uses (see server.ts)`);
  const body = JSON.stringify({ id: `evt_${Date.now()}`, type: 'invoice.paid' });
  // Sign the exact bytes that are sent.
  const headers = await createSigner({ scheme, secrets: secret }).sign({ body });
  for (const [what, payload] of [
    ['genuine', body],
    ['tampered', body.replace('invoice.paid', 'invoice.void')],
    ['replayed', body],
  ] as const) {
    const response = await fetch(`${base}/${route}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: payload,
    });
    const answer = response.status === 204 ? '' : await response.text();
    console.log(`${route} ${what}: ${response.status} ${answer}`);
  }
}
