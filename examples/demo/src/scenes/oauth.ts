// Demo scene for @portcullis/oauth: a real OAuth server (oidc-provider) and an API requiring its
// tokens on 127.0.0.1. 200 concurrent calls cost one token request; a forged token is refused;
// then the authorization server is stopped mid-scene and calls keep being served on the cached
// token, and once that token runs out the calls fail fast with a typed error instead of hanging.
import { ManualClock, redacted } from '@portcullis/core';
import { createTokenProvider, isOAuthError } from '@portcullis/oauth';
import { SCOPE, startOAuthServer, startProtectedApi } from '../peers/authorization.ts';
import type { Scene } from '../scene.ts';

const RESOURCE = 'https://api.demo.test';

export const oauthScene: Scene = {
  name: 'oauth',
  title: '@portcullis/oauth: one token for many calls, forged tokens refused, an outage ridden out',
  async run({ say, record }) {
    const as = await startOAuthServer(RESOURCE);
    const api = await startProtectedApi(as.issuer, RESOURCE, (_req, res, claims) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ client: claims.client_id }));
    });
    // The client's clock is a manual one so the scene can jump minutes ahead; the API checks
    // tokens on the real clock (where they are seconds old).
    const clock = new ManualClock(Date.now());
    let tokenFetches = 0; // every request the client sends to the authorization server
    const tokens = createTokenProvider({
      issuer: as.issuer,
      clientId: as.secretClient.clientId,
      clientAuth: { method: 'client_secret_basic', secret: redacted(as.secretClient.secret) },
      scope: SCOPE,
      resource: RESOURCE,
      allowInsecureHttp: true, // the demo's loopback server only
      clock,
      fetch: (input, init) => {
        if (String(input instanceof Request ? input.url : input).startsWith(as.issuer))
          tokenFetches++;
        return fetch(input, init);
      },
    });
    const calls = async (n: number): Promise<number> => {
      const responses = await Promise.all(
        Array.from({ length: n }, () => tokens.fetch(`${api.url}/invoices`)),
      );
      await Promise.all(responses.map((r) => r.body?.cancel()));
      return responses.filter((r) => r.status === 200).length;
    };
    try {
      say(`authorization server (oidc-provider) at ${as.issuer}, API at ${api.url}`);
      const ok = await calls(200);
      const requests = as.tokenRequests();
      record({
        scenario: 'token requests per API call',
        happened: `200 API calls (${ok} × 200), ${requests} token request${requests === 1 ? '' : 's'}`,
        stoppedBy: '@portcullis/oauth token cache (single flight)',
        held: ok === 200 && requests === 1,
      });

      const forged = await fetch(`${api.url}/invoices`, {
        headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.' },
      });
      const { code } = (await forged.json()) as { code: string };
      record({
        scenario: 'forged access token (alg none)',
        happened: `refused: ${forged.status} ${code}`,
        stoppedBy: '@portcullis/oauth verifier',
        held: forged.status === 401,
      });

      const token = await tokens.getToken();
      say(`the token as a log line sees it: ${token.value} (fingerprint ${token.fingerprint})`);
      await as.close();
      const before = tokenFetches;
      say(
        'authorization server stopped; the client jumps 4 min 10 s ahead, into its refresh window',
      );
      clock.advance(250_000);
      const during = await calls(50);
      const still = await tokens.getToken();
      const failedRefreshes = tokenFetches - before;
      record({
        scenario: 'authorization server down',
        happened: `50 calls during the outage → ${during} × 200 on the cached token; ${failedRefreshes} background refresh attempt(s) failed`,
        stoppedBy: '@portcullis/oauth (serves a valid token while the server is down)',
        held: during === 50 && still.fingerprint === token.fingerprint && failedRefreshes >= 1,
      });

      clock.advance(60_000); // past expiry minus the 30 s safety margin: no valid token is left
      const started = performance.now();
      const after = await tokens.getToken().then(
        () => 'a token was served',
        (e: unknown) => (isOAuthError(e) ? e.code : String(e)),
      );
      const tookMs = Math.round(performance.now() - started);
      record({
        scenario: 'authorization server still down when the token expires',
        happened: `no expired token sent: ${after} after ${tookMs} ms (no hang)`,
        stoppedBy: '@portcullis/oauth',
        held: after === 'ERR_OAUTH_SERVER_UNAVAILABLE' && tookMs < 5_000,
      });
    } finally {
      tokens.close();
      await Promise.all([api.close(), as.close()]);
    }
  },
};
