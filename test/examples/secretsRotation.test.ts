// examples/secrets-rotation, run for real: a webhook secret rotated while deliveries keep
// verifying; the OAuth client's secret taken from the cache against a real oidc-provider; then
// main.ts, run as a program like `pnpm start`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runRotation } from '../../examples/secrets-rotation/src/rotation.ts';
import {
  createApiTokens,
  OAUTH_CLIENT_SECRET,
} from '../../examples/secrets-rotation/src/wiring.ts';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';

let oidc: OidcPeer;
beforeAll(async () => {
  oidc = await startOidc();
});
afterAll(async () => {
  await oidc?.stop();
});

it('every delivery verifies through the rotation; previous is matched, then stops, then is retired', async () => {
  const run = await runRotation({ seconds: 60, rotateAtSecond: 10, graceSec: 30 });
  expect(run.deliveries.every((d) => d.verified)).toBe(true);
  const labels = run.deliveries.map((d) => d.matched);
  expect(labels.slice(0, 10).every((l) => l === 'current')).toBe(true);
  expect(labels).toContain('previous');
  const lastPrevious = labels.lastIndexOf('previous');
  expect(labels.slice(lastPrevious + 1).every((l) => l === 'current')).toBe(true);
  expect(run.deliveries.some((d) => d.senderSecrets === 2)).toBe(true);
  expect(run.retiredAt).toBeGreaterThanOrEqual(10 + 30 - 1);
  expect(run.stagesAfter).toEqual(['current', '(retired)']);
});

it('the OAuth client takes its secret from the cache (secretSource) at each token request', async () => {
  const provider = new MemoryProvider({
    secrets: { [OAUTH_CLIENT_SECRET]: OIDC_CLIENTS.basic.secret },
  });
  // Forced refreshes unthrottled here, so the test need not wait out forceRefreshIntervalMs.
  const secrets = createSecretsCache(provider, {
    ttlMs: 60_000,
    forceRefreshIntervalMs: 0,
    forceRefreshJitterMs: 0,
  });
  const tokens = createApiTokens(secrets, oidc.issuer, OIDC_CLIENTS.basic.clientId, OIDC_RESOURCE);
  expect((await tokens.getToken()).type).toBe('Bearer');
  // The secret changes in the provider: the next token request uses the new (here: wrong) one.
  provider.set(OAUTH_CLIENT_SECRET, 'a-secret-the-server-does-not-know');
  await secrets.get(OAUTH_CLIENT_SECRET, { forceRefresh: true });
  tokens.invalidate();
  await expect(tokens.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLIENT_REJECTED' });
  await secrets.close();
});

it('main.ts runs as a program and reports no refused delivery', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@portcullis/source', 'src/main.ts'],
    { cwd: new URL('../../examples/secrets-rotation/', import.meta.url).pathname, timeout: 30_000 },
  );
  expect(stdout).toContain('60 deliveries, 0 refused');
  expect(stdout).not.toMatch(/whsec_/);
});
