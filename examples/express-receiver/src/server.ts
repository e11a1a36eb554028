// Runs the receiver: `node --conditions=@portcullis/source src/server.ts` (or `pnpm start`).
// Configuration comes from the environment:
//   STANDARD_WEBHOOK_SECRET, STANDARD_WEBHOOK_SECRET_PREVIOUS   Standard Webhooks secrets (whsec_…)
//   STRIPE_WEBHOOK_SECRET, STRIPE_WEBHOOK_SECRET_PREVIOUS       Stripe endpoint secrets (whsec_…)
//   REDIS_URL   a Redis shared by every replica for replay protection (memory store when unset)
//   PORT        where to listen (default 3000)
// The *_PREVIOUS secrets are for rotation: set the new secret as current, keep the old one as
// previous until every sender signs with the new one, then unset it.
import { MemoryStore, redacted, type Store } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { generateSecret, type LabelledSecret } from '@portcullis/webhooks';
import { createApp } from './app.ts';

/** The live secrets for one sender, from two environment variables: current first. */
export function secretsFromEnv(env: NodeJS.ProcessEnv, name: string): LabelledSecret[] | undefined {
  const current = env[name];
  if (!current) return undefined;
  const secrets: LabelledSecret[] = [{ label: 'current', secret: redacted(current) }];
  const previous = env[`${name}_PREVIOUS`];
  if (previous) secrets.push({ label: 'previous', secret: redacted(previous) });
  return secrets;
}

/** The replay store: Redis when a URL is given (a fleet), else one process's memory. */
export async function replayStore(
  redisUrl: string | undefined,
): Promise<Store & { close?(): Promise<void> }> {
  if (!redisUrl) return new MemoryStore();
  return RedisStore.connect({ url: redacted(redisUrl), keyPrefix: 'express-receiver:' });
}

async function main(): Promise<void> {
  const env = process.env;
  // Without configured secrets, make throwaway ones so the server starts; they are not printed.
  const throwaway = (): LabelledSecret[] => [{ label: 'current', secret: generateSecret() }];
  const standardSecrets = secretsFromEnv(env, 'STANDARD_WEBHOOK_SECRET');
  const stripeSecrets = secretsFromEnv(env, 'STRIPE_WEBHOOK_SECRET');
  if (!standardSecrets || !stripeSecrets) {
    console.log(
      'note: STANDARD_WEBHOOK_SECRET or STRIPE_WEBHOOK_SECRET unset: using a random secret for this run',
    );
  }
  const store = await replayStore(env.REDIS_URL);
  const app = createApp({
    standardSecrets: standardSecrets ?? throwaway(),
    stripeSecrets: stripeSecrets ?? throwaway(),
    store,
    onEvent: ({ source, id, matchedSecret, event }) => {
      const type = (event as { type?: unknown }).type;
      console.log(
        `${source} webhook ${id ?? '(no id header)'} ${String(type)} (secret: ${matchedSecret.label ?? matchedSecret.index})`,
      );
    },
  });
  const port = Number(env.PORT ?? 3000);
  const server = app.listen(port, () => {
    console.log(`listening on http://localhost:${port}/webhooks/standard and /webhooks/stripe`);
    console.log(`replay store: ${env.REDIS_URL ? 'Redis' : 'memory (one process)'}`);
  });
  const stop = (): void => {
    server.close(() => void store.close?.());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Listen only when run as a program, not when a test imports this file.
if (import.meta.main) await main();
