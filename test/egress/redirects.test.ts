// Redirects are followed by hand: every hop re-checked (allow-list, scheme, address at connect),
// no https: → http:, Authorization and cookies dropped across origins, a hop limit, the fetch
// standard's method rules, and the caller's `redirect` mode honoured.
import { createSecureFetch, type SecureFetchOptions } from '@portcullis/egress';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedResolver, type Origin, startOrigin } from '../harness/httpOrigin.ts';
import { makeTestPki } from '../harness/tls.ts';

let a: Origin; // redirects according to the path
let b: Origin; // a second origin (another port)
let target: Origin; // a "private" server the chain tries to reach

function redirector(to: (path: string) => string | undefined) {
  return (req: { url?: string | undefined }, res: import('node:http').ServerResponse) => {
    const path = req.url ?? '/';
    const status = Number(/[?&]status=(\d+)/.exec(path)?.[1] ?? 302);
    const location = to(path);
    if (location === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"end"}');
    } else res.writeHead(status, { location }).end();
  };
}

beforeAll(async () => {
  target = await startOrigin({ host: '127.0.0.3' });
  b = await startOrigin();
  a = await startOrigin({
    handler: redirector((path) => {
      if (path.startsWith('/to-metadata')) return 'http://169.254.169.254/latest/meta-data/';
      if (path.startsWith('/to-metadata-v6')) return 'http://[::ffff:a9fe:a9fe]/';
      if (path.startsWith('/to-private-name')) return `http://internal.test:${target.port}/`;
      if (path.startsWith('/to-b')) return `http://public-b.test:${b.port}/landed`;
      if (path.startsWith('/to-same')) return '/landed';
      if (path.startsWith('/loop')) return '/loop';
      if (path.startsWith('/to-file')) return 'file:///etc/passwd';
      if (path.startsWith('/to-garbage')) return 'http://[not-an-address/';
      if (path.startsWith('/to-credentials')) return `http://user:pw@public-b.test:${b.port}/`;
      if (path.startsWith('/to-other-host')) return `http://not-allowed.test:${b.port}/`;
      return undefined;
    }),
  });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), target?.close()]);
});

function make(extra: Partial<SecureFetchOptions> = {}) {
  return createSecureFetch({
    allowHosts: [
      `public-a.test:${a.port}`,
      `public-b.test:${b.port}`,
      `internal.test:*`,
      '169.254.169.254',
      '[::ffff:a9fe:a9fe]',
    ],
    allowLoopbackHttp: true,
    // a and b stand for public servers: their loopback address is exempted; 127.0.0.3 is not.
    allowAddresses: ['127.0.0.1'],
    resolver: fixedResolver({
      'public-a.test': '127.0.0.1',
      'public-b.test': '127.0.0.1',
      'internal.test': '127.0.0.3',
    }),
    ...extra,
  });
}

describe('redirect chains into private space are refused at the hop that goes there', () => {
  for (const [path, code, hop] of [
    ['/to-metadata', 'ERR_EGRESS_ADDRESS_REFUSED', 1],
    ['/to-metadata-v6', 'ERR_EGRESS_ADDRESS_REFUSED', 1],
    ['/to-private-name', 'ERR_EGRESS_ADDRESS_REFUSED', 1],
    ['/to-other-host', 'ERR_EGRESS_HOST_NOT_ALLOWED', 1],
    ['/to-file', 'ERR_EGRESS_INSECURE_SCHEME', 1],
    ['/to-garbage', 'ERR_EGRESS_REDIRECT_REFUSED', 1],
    ['/to-credentials', 'ERR_EGRESS_REDIRECT_REFUSED', 1],
  ] as const) {
    it(`${path} → ${code}`, async () => {
      const secureFetch = make();
      const before = target.connections;
      try {
        await expect(secureFetch(`http://public-a.test:${a.port}${path}`)).rejects.toMatchObject({
          code,
          hop,
        });
        expect(target.connections).toBe(before);
      } finally {
        await secureFetch.close();
      }
    });
  }

  it('a hop limit: a redirect loop ends in ERR_EGRESS_TOO_MANY_REDIRECTS after maxRedirects', async () => {
    const secureFetch = make({ maxRedirects: 3 });
    const before = a.requests.length;
    try {
      await expect(secureFetch(`http://public-a.test:${a.port}/loop`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TOO_MANY_REDIRECTS',
      });
      expect(a.requests.length - before).toBe(4);
    } finally {
      await secureFetch.close();
    }
  });
});

describe('headers, methods and modes across redirects', () => {
  it('Authorization and Cookie are dropped across origins and kept on the same origin', async () => {
    const secureFetch = make();
    try {
      const headers = {
        authorization: 'Bearer tok-secret-1',
        cookie: 'session=s1',
        'x-trace': 't',
      };
      const cross = await secureFetch(`http://public-a.test:${a.port}/to-b`, { headers });
      expect(cross.status).toBe(200);
      expect(cross.redirected).toBe(true);
      expect(cross.url).toBe(`http://public-b.test:${b.port}/landed`);
      const atB = b.requests.at(-1);
      expect(atB?.headers.authorization).toBeUndefined();
      expect(atB?.headers.cookie).toBeUndefined();
      expect(atB?.headers['x-trace']).toBe('t');

      const same = await secureFetch(`http://public-a.test:${a.port}/to-same`, { headers });
      expect(same.status).toBe(200);
      expect(a.requests.at(-1)?.headers.authorization).toBe('Bearer tok-secret-1');
    } finally {
      await secureFetch.close();
    }
  });

  it('303 turns POST into GET without a body; 307 and 308 keep method and body', async () => {
    const secureFetch = make();
    try {
      await (
        await secureFetch(`http://public-a.test:${a.port}/to-same?status=303`, {
          method: 'POST',
          body: '{"n":1}',
          headers: { 'content-type': 'application/json' },
        })
      ).text();
      const after303 = a.requests.at(-1);
      expect(after303).toMatchObject({ method: 'GET', url: '/landed', body: '' });
      expect(after303?.headers['content-type']).toBeUndefined();
      for (const status of [307, 308]) {
        await (
          await secureFetch(`http://public-a.test:${a.port}/to-same?status=${status}`, {
            method: 'POST',
            body: '{"n":2}',
          })
        ).text();
        expect(a.requests.at(-1)).toMatchObject({
          method: 'POST',
          url: '/landed',
          body: '{"n":2}',
        });
      }
    } finally {
      await secureFetch.close();
    }
  });

  it("redirect: 'manual' returns the 3xx as is; redirect: 'error' refuses it; maxRedirects 0 refuses every redirect", async () => {
    const secureFetch = make();
    const strict = make({ maxRedirects: 0 });
    try {
      const manual = await secureFetch(`http://public-a.test:${a.port}/to-metadata`, {
        redirect: 'manual',
      });
      expect(manual.status).toBe(302);
      expect(manual.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
      await expect(
        secureFetch(`http://public-a.test:${a.port}/to-same`, { redirect: 'error' }),
      ).rejects.toMatchObject({ code: 'ERR_EGRESS_REDIRECT_REFUSED' });
      await expect(strict(`http://public-a.test:${a.port}/to-same`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TOO_MANY_REDIRECTS',
      });
    } finally {
      await Promise.all([secureFetch.close(), strict.close()]);
    }
  });

  it('https: → http: is refused even to an allowed loopback host', async () => {
    const pki = await makeTestPki();
    const secure = await startOrigin({
      tls: { cert: pki.server.cert, key: pki.server.key },
      handler: (_req, res) => {
        res.writeHead(302, { location: `http://public-b.test:${b.port}/landed` }).end();
      },
    });
    const secureFetch = make({
      allowHosts: [`127.0.0.1:${secure.port}`, `public-b.test:${b.port}`],
      tls: { ca: pki.ca },
    });
    const before = b.requests.length;
    try {
      await expect(secureFetch(`${secure.url}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_REDIRECT_REFUSED',
        hop: 1,
      });
      expect(b.requests.length).toBe(before);
    } finally {
      await secureFetch.close();
      await secure.close();
    }
  });
});
