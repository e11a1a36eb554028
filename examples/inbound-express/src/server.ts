// Runs the app: `pnpm start` (node --conditions=@portcullis/source src/server.ts).
//   WEBHOOK_SECRET      the sender's Standard Webhooks secret (whsec_…); required
//   WEBHOOK_SOURCES     comma-separated CIDRs webhooks may come from (default: loopback only)
//   TRUSTED_PROXY_HOPS  proxies of yours in front that append to X-Forwarded-For (default 0)
//   PORT                where to listen (default 3000, on 127.0.0.1)
import { redacted } from '@portcullis/core';
import { createApp } from './app.ts';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error('set WEBHOOK_SECRET (a whsec_… Standard Webhooks secret)');
const app = createApp({
  webhookSecrets: redacted(secret),
  webhookSources: (process.env.WEBHOOK_SOURCES ?? '127.0.0.1/8,::1').split(','),
  trustedProxyHops: Number(process.env.TRUSTED_PROXY_HOPS ?? 0),
  onEvent: (event) => console.log('webhook', JSON.stringify(event)),
});
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
process.once('SIGTERM', () => server.close());
