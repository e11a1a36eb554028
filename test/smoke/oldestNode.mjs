// Runs the BUILT packages (dist/, as published) on the oldest Node the packages support
// (engines: >=22.11), as a consumer would import them: no TypeScript, no source condition.
// Started by scripts/check.sh with Node 22.11.0 after the build step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import {
  isPortcullisError,
  ManualClock,
  MemoryStore,
  redacted,
  timingSafeEqual,
} from '@portcullis/core';
import { createAccessTokenVerifier, createTokenProvider } from '@portcullis/oauth';
import { RedisStore } from '@portcullis/store-redis';
import { createSigner, createVerifier, generateSecret, schemes } from '@portcullis/webhooks';
import { createVerifier as createEdgeVerifier } from '@portcullis/webhooks/verify';

let checks = 0;
const check = async (name, fn) => {
  try {
    await fn();
  } catch (error) {
    throw new Error(`smoke check "${name}" failed on Node ${process.version}`, { cause: error });
  }
  checks++;
};

await check('core', async () => {
  const secret = redacted('s3cret');
  assert.equal(`${secret}`, '[REDACTED]');
  assert.ok(!inspect({ secret }).includes('s3cret'));
  assert.ok(timingSafeEqual('a', 'a') && !timingSafeEqual('a', 'b'));
  const clock = new ManualClock(0);
  const store = new MemoryStore({ clock });
  assert.equal(await store.setIfAbsent('k', '1', 10), true);
  assert.equal(await store.setIfAbsent('k', '1', 10), false);
  clock.advance(10);
  assert.equal(await store.setIfAbsent('k', '1', 10), true);
});

// Every published package's main entry loads and exports something on the oldest Node (a
// dependency needing a newer Node — undici 8 wants 22.19 — fails here, not at a user's).
const testManifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const name of Object.keys(testManifest.dependencies).filter((n) =>
  n.startsWith('@portcullis/'),
)) {
  await check(`${name} loads`, async () => {
    const loaded = await import(name);
    assert.ok(Object.keys(loaded).length > 0, `${name} exports nothing`);
  });
}

for (const crypto of ['node', 'webcrypto']) {
  await check(`webhooks (${crypto})`, async () => {
    const secret = generateSecret();
    const signer = createSigner({ secrets: secret, crypto });
    const body = '{"type":"ping"}';
    const headers = await signer.sign({ body });
    const verifier = createVerifier({ secrets: secret, crypto });
    assert.ok((await verifier.verify({ headers, body })).id);
    await assert.rejects(verifier.verify({ headers, body }), (e) =>
      isPortcullisError(e, 'ERR_WEBHOOK_REPLAYED'),
    );
    const edge = createEdgeVerifier({ secrets: secret, crypto });
    await assert.rejects(edge.verify({ headers, body: `${body} ` }), (e) =>
      isPortcullisError(e, 'ERR_WEBHOOK_SIGNATURE_MISMATCH'),
    );
    const stripe = createSigner({ scheme: schemes.stripe, secrets: 'whsec_test', crypto });
    assert.ok(Object.keys(await stripe.sign({ body })).length > 0);
  });
}

await check('oauth and store-redis load and construct', async () => {
  assert.equal(typeof createTokenProvider, 'function');
  assert.equal(
    typeof createAccessTokenVerifier({ issuer: 'https://issuer.example', audience: 'api' }).verify,
    'function',
  );
  await assert.rejects(
    createAccessTokenVerifier({ issuer: 'https://issuer.example', audience: 'api' }).verify(
      'not-a-jwt',
    ),
    (e) => isPortcullisError(e),
  );
  assert.equal(typeof RedisStore.connect, 'function');
});

process.stdout.write(
  `   Node ${process.version}: ${checks} smoke checks of the built packages passed\n`,
);
