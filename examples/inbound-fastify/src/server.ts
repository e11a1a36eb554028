// Runs the app: `pnpm start` (node --conditions=@portcullis/source src/server.ts).
//   WEBHOOK_SECRET      the sender's Standard Webhooks secret (whsec_…); a throwaway one when unset
//   WEBHOOK_SOURCES     comma-separated CIDRs webhooks may come from (default: loopback only)
//   TRUSTED_PROXY_HOPS  proxies of yours in front that append to X-Forwarded-For (default 0)
//   APIKEY_PEPPER       the API keys' HMAC key (≥ 32 bytes); a throwaway one when unset
//   AUDIT_KEY           the audit chain's HMAC key (≥ 32 bytes); a throwaway one when unset
//   AUDIT_DIR           where the audit trail (JSONL) goes (default ./audit)
//   PORT                where to listen (default 3000, on 127.0.0.1)
// With a throwaway pepper it issues a demo API key at start and prints it once (keys live in
// memory here: use PostgresKeyRepository in production, and never print a real key).
import { randomBytes } from 'node:crypto';
import { createApiKeys, MemoryKeyRepository } from '@portcullis/apikeys';
import { createAuditLog, JsonlSink } from '@portcullis/audit';
import { redacted, reveal } from '@portcullis/core';
import { generateSecret } from '@portcullis/webhooks';
import { createApp } from './app.ts';

const env = process.env;
const throwaway = (): string => randomBytes(32).toString('base64url');
const apiKeys = createApiKeys({
  prefix: 'pc_demo',
  pepper: redacted(env.APIKEY_PEPPER ?? throwaway()),
  repository: new MemoryKeyRepository(),
});
const auditDir = env.AUDIT_DIR ?? './audit';
const audit = createAuditLog({
  sink: new JsonlSink({ directory: auditDir }),
  key: redacted(env.AUDIT_KEY ?? throwaway()),
});
const app = createApp({
  webhookSecrets: env.WEBHOOK_SECRET ? redacted(env.WEBHOOK_SECRET) : generateSecret(),
  webhookSources: (env.WEBHOOK_SOURCES ?? '127.0.0.1/8,::1').split(','),
  trustedProxyHops: Number(env.TRUSTED_PROXY_HOPS ?? 0),
  onEvent: (event) => console.log('webhook', JSON.stringify(event)),
  orders: { apiKeys, audit },
});
const port = Number(env.PORT ?? 3000);
await app.listen({ port, host: '127.0.0.1' });
console.log(`listening on 127.0.0.1:${port}; audit trail in ${auditDir}`);
if (!env.APIKEY_PEPPER) {
  const demo = await apiKeys.issue({
    owner: 'demo-partner',
    name: 'demo',
    scopes: ['orders:write'],
  });
  console.log(`demo API key (orders:write), shown once: ${reveal(demo.key)}`);
}
process.once('SIGTERM', () => {
  void app.close().then(() => audit.close());
});
