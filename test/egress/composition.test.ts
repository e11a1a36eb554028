// The composition points on real sockets: `tokens` from @portcullis/oauth's provider against a
// real oidc-provider (Authorization added, a 401 replaces the token once), `resilience` as any
// object with execute(fn, { signal }) (here a tiny retry-once policy), and `audit` (one event per
// call, with no path, query or token). Nothing secret reaches an error, even through inspect.
import { inspect } from 'node:util';
import { redacted } from '@portcullis/core';
import {
  createSecureFetch,
  type EgressAuditEvent,
  type ResiliencePolicy,
  type TokenSource,
} from '@portcullis/egress';
import { createTokenProvider, type TokenProvider } from '@portcullis/oauth';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type Origin, startOrigin } from '../harness/httpOrigin.ts';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';

let oidc: OidcPeer;
let api: Origin;
let refuseNext = 0;
let failNext = 0;

beforeAll(async () => {
  oidc = await startOidc();
  api = await startOrigin({
    handler: (req, res) => {
      if (failNext > 0) {
        failNext--;
        req.socket.destroy(); // a reset: the pipeline's job to retry
        return;
      }
      if (refuseNext > 0 || !/^Bearer ey/.test(req.headers.authorization ?? '')) {
        refuseNext = Math.max(0, refuseNext - 1);
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders":[]}');
    },
  });
});
afterAll(async () => {
  await Promise.all([api?.close(), oidc?.stop()]);
});

function provider(): TokenProvider {
  return createTokenProvider({
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.basic.clientId,
    clientAuth: { method: 'client_secret_basic', secret: redacted(OIDC_CLIENTS.basic.secret) },
    scope: 'orders:read',
    resource: OIDC_RESOURCE,
    allowInsecureHttp: true,
  });
}

const base = () => ({
  allowHosts: [`127.0.0.1:${api.port}`],
  allowAddresses: ['127.0.0.1'],
  allowLoopbackHttp: true,
});

it('the oauth TokenProvider is a TokenSource (structural: egress does not depend on oauth)', () => {
  expectTypeOf<TokenProvider>().toExtend<TokenSource>();
});

describe('tokens', () => {
  it('adds Authorization from the oauth provider; many calls cost one token request', async () => {
    const secureFetch = createSecureFetch({ ...base(), tokens: provider() });
    oidc.resetCounts();
    try {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => secureFetch(`${api.url}/orders`)),
      );
      for (const r of responses) expect(await r.json()).toEqual({ orders: [] });
      expect(oidc.tokenRequests).toBe(1);
    } finally {
      await secureFetch.close();
    }
  });

  it('a 401 replaces the token once and retries once; a second 401 is returned as is', async () => {
    const secureFetch = createSecureFetch({ ...base(), tokens: provider() });
    try {
      await (await secureFetch(`${api.url}/warm`)).text();
      oidc.resetCounts();
      refuseNext = 1;
      const recovered = await secureFetch(`${api.url}/orders`, { method: 'POST', body: 'x=1' });
      expect(recovered.status).toBe(200);
      expect(api.requests.at(-1)?.body).toBe('x=1');
      expect(oidc.tokenRequests).toBe(1);
      refuseNext = 2;
      const refused = await secureFetch(`${api.url}/orders`);
      expect(refused.status).toBe(401);
      refuseNext = 0;
    } finally {
      await secureFetch.close();
    }
  });

  it('a DPoP token is refused with a typed error rather than sent without its proof', async () => {
    const dpop: TokenSource = { getToken: async () => ({ value: redacted('t'), type: 'DPoP' }) };
    const secureFetch = createSecureFetch({ ...base(), tokens: dpop });
    try {
      await expect(secureFetch(`${api.url}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TOKEN_UNSUPPORTED',
      });
    } finally {
      await secureFetch.close();
    }
  });
});

it("a token source that hangs is cut short by the caller's signal", async () => {
  const hanging: TokenSource = { getToken: () => new Promise(() => {}) };
  const secureFetch = createSecureFetch({ ...base(), tokens: hanging });
  try {
    const reason = new Error('caller timeout');
    const controller = new AbortController();
    const pending = secureFetch(`${api.url}/`, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  } finally {
    await secureFetch.close();
  }
});

describe('resilience (the structural execute(fn, { signal }) slot)', () => {
  it('runs each request through execute: a retry-once policy survives one connection reset', async () => {
    const signals: AbortSignal[] = [];
    let executions = 0;
    const retryOnce: ResiliencePolicy = {
      async execute(fn, { signal }) {
        executions++;
        const controller = new AbortController();
        signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
        signals.push(controller.signal);
        try {
          return await fn({ signal: controller.signal });
        } catch {
          return fn({ signal: controller.signal });
        }
      },
    };
    const secureFetch = createSecureFetch({
      ...base(),
      tokens: provider(),
      resilience: retryOnce,
    });
    try {
      failNext = 1;
      const response = await secureFetch(`${api.url}/orders`);
      expect(response.status).toBe(200);
      expect(executions).toBe(1);
      expect(signals).toHaveLength(1);
    } finally {
      failNext = 0;
      await secureFetch.close();
    }
  });

  it('without it, the same reset is a typed network error', async () => {
    const secureFetch = createSecureFetch({ ...base(), tokens: provider() });
    try {
      failNext = 1;
      await expect(secureFetch(`${api.url}/orders`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_NETWORK',
      });
    } finally {
      failNext = 0;
      await secureFetch.close();
    }
  });
});

describe('audit', () => {
  it('one event per call with origin and outcome, never the path, query or token', async () => {
    const events: EgressAuditEvent[] = [];
    const secureFetch = createSecureFetch({
      ...base(),
      allowHosts: [`127.0.0.1:${api.port}`, 'api.partner.test'],
      tokens: provider(),
      audit: (e) => {
        events.push(e);
        throw new Error('a broken audit hook changes nothing');
      },
    });
    try {
      await (await secureFetch(`${api.url}/orders/ord_123?api_key=k-secret`)).text();
      await secureFetch('https://169.254.169.254/latest/meta-data/').catch(() => {});
      await secureFetch('https://user:pass@api.partner.test/').catch(() => {});
      expect(events.map((e) => [e.outcome, e.status ?? e.code])).toEqual([
        ['ok', 200],
        ['refused', 'ERR_EGRESS_HOST_NOT_ALLOWED'],
        ['refused', 'ERR_EGRESS_INVALID_URL'],
      ]);
      expect(events[0]).toMatchObject({ method: 'GET', origin: api.url, redirects: 0 });
      const text = JSON.stringify(events);
      expect(text).not.toMatch(/ord_123|k-secret|pass|Bearer/);
    } finally {
      await secureFetch.close();
    }
  });

  it('telemetry counts calls by outcome and code and records durations', async () => {
    const counts: [string, Record<string, unknown> | undefined][] = [];
    const durations: string[] = [];
    const secureFetch = createSecureFetch({
      ...base(),
      tokens: provider(),
      telemetry: {
        count: (name, _v, attributes) => counts.push([name, attributes]),
        record: (name) => durations.push(name),
        span: (_name, fn) => fn(),
      },
    });
    try {
      await (await secureFetch(`${api.url}/orders`)).text();
      await secureFetch('https://10.0.0.1/').catch(() => {});
      expect(counts).toEqual([
        ['egress.requests', { outcome: 'ok' }],
        ['egress.requests', { outcome: 'refused', code: 'ERR_EGRESS_HOST_NOT_ALLOWED' }],
      ]);
      expect(durations).toEqual(['egress.duration_ms', 'egress.duration_ms']);
    } finally {
      await secureFetch.close();
    }
  });

  it('errors carry no URL credentials, query or token, even through util.inspect', async () => {
    const secureFetch = createSecureFetch({
      ...base(),
      allowHosts: ['*:*'],
      tokens: { getToken: async () => ({ value: redacted('tok-very-secret') }) },
    });
    try {
      const errors = await Promise.all([
        secureFetch('https://alice:pw-secret@10.0.0.1/?token=q-secret').catch((e: unknown) => e),
        secureFetch('https://10.0.0.1/?token=q-secret').catch((e: unknown) => e),
        secureFetch(`http://127.0.0.1:1/x?token=q-secret`).catch((e: unknown) => e),
      ]);
      for (const error of errors) {
        const text = inspect(error, { depth: Number.POSITIVE_INFINITY });
        expect(text).toMatch(/EgressError/);
        expect(text).not.toMatch(/pw-secret|q-secret|tok-very-secret/);
      }
    } finally {
      await secureFetch.close();
    }
  });
});
