// Through a forward proxy (a minimal CONNECT proxy on loopback standing in for Smokescreen or
// Envoy): requests are tunnelled through undici's ProxyAgent, TLS to the origin is still egress'
// (validated end to end), and the allow-list and literal-address checks still run here, before
// the proxy sees anything. Names are resolved by the proxy, not here (the README says so).
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { createSecureFetch } from '@portcullis/egress';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Origin, startOrigin } from '../harness/httpOrigin.ts';
import { makeTestPki, type TestPki } from '../harness/tls.ts';

let pki: TestPki;
let origin: Origin;
let proxy: Server;
let proxyUrl: string;
const tunnels: string[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  pki = await makeTestPki();
  origin = await startOrigin({ tls: { cert: pki.server.cert, key: pki.server.key } });
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    sockets.add(client);
    const [host, port] = [
      target.slice(0, target.lastIndexOf(':')),
      target.slice(target.lastIndexOf(':') + 1),
    ];
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([origin?.close(), new Promise((r) => proxy?.close(r))]);
});

describe('proxy', () => {
  it('tunnels an allowed request, with TLS to the origin validated end to end', async () => {
    const secureFetch = createSecureFetch({
      allowHosts: [`127.0.0.1:${origin.port}`],
      allowAddresses: ['127.0.0.1'],
      tls: { ca: pki.ca },
      proxy: proxyUrl,
    });
    try {
      const response = await secureFetch(`${origin.url}/via-proxy`);
      expect(await response.json()).toEqual({ ok: true });
      expect(tunnels).toContain(`127.0.0.1:${origin.port}`);
      expect(origin.requests.at(-1)?.url).toBe('/via-proxy');
    } finally {
      await secureFetch.close();
    }
    const untrusted = createSecureFetch({
      allowHosts: [`127.0.0.1:${origin.port}`],
      allowAddresses: ['127.0.0.1'],
      proxy: proxyUrl,
    });
    try {
      await expect(untrusted(`${origin.url}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TLS_FAILED',
      });
    } finally {
      await untrusted.close();
    }
  });

  it('the allow-list and literal addresses are still checked here: the proxy sees nothing', async () => {
    const secureFetch = createSecureFetch({
      allowHosts: ['api.partner.test', '169.254.169.254', '[::ffff:a9fe:a9fe]'],
      proxy: proxyUrl,
    });
    const before = tunnels.length;
    try {
      await expect(secureFetch('https://evil.test/')).rejects.toMatchObject({
        code: 'ERR_EGRESS_HOST_NOT_ALLOWED',
      });
      for (const url of ['https://169.254.169.254/', 'https://[::ffff:a9fe:a9fe]/']) {
        await expect(secureFetch(url)).rejects.toMatchObject({
          code: 'ERR_EGRESS_ADDRESS_REFUSED',
        });
      }
      expect(tunnels.length).toBe(before);
    } finally {
      await secureFetch.close();
    }
  });

  it('a name is resolved by the proxy, not here (that check moves to the proxy)', async () => {
    const lookups: string[] = [];
    const secureFetch = createSecureFetch({
      allowHosts: ['api.partner.test'],
      proxy: proxyUrl,
      resolver: async (h) => {
        lookups.push(h);
        return [{ address: '127.0.0.1' }];
      },
    });
    try {
      // This proxy refuses anything but 127.0.0.1, as a proxy refusing private space would.
      await expect(secureFetch('https://api.partner.test/')).rejects.toMatchObject({
        code: 'ERR_EGRESS_NETWORK',
      });
      expect(tunnels.at(-1)).toBe('api.partner.test:443');
      expect(lookups).toEqual([]);
    } finally {
      await secureFetch.close();
    }
  });

  it("proxy: 'env' reads HTTPS_PROXY once, at construction", async () => {
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = proxyUrl;
    const secureFetch = createSecureFetch({
      allowHosts: [`127.0.0.1:${origin.port}`],
      allowAddresses: ['127.0.0.1'],
      tls: { ca: pki.ca },
      proxy: 'env',
    });
    if (saved === undefined) delete process.env.HTTPS_PROXY;
    else process.env.HTTPS_PROXY = saved;
    const before = tunnels.length;
    try {
      expect((await secureFetch(`${origin.url}/env`)).status).toBe(200);
      expect(tunnels.length).toBe(before + 1);
    } finally {
      await secureFetch.close();
    }
  });
});
