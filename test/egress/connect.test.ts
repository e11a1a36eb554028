// Addresses are checked at connect time, after DNS, on real loopback sockets: a name that
// resolves to a refused address never gets a socket; the socket goes to exactly the address that
// was checked (DNS rebinding cannot swap it); one lookup per connection; connections are pooled.
import { createSecureFetch, isEgressError } from '@portcullis/egress';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedResolver, type Origin, startOrigin } from '../harness/httpOrigin.ts';

let origin: Origin;
beforeAll(async () => {
  origin = await startOrigin();
});
afterAll(async () => {
  await origin?.close();
});

describe('connect-time address check', () => {
  it('refuses a name that resolves to loopback: no socket is opened', async () => {
    const secureFetch = createSecureFetch({
      allowHosts: [`api.partner.test:${origin.port}`],
      allowLoopbackHttp: true,
      resolver: fixedResolver({ 'api.partner.test': '127.0.0.1' }),
    });
    const before = origin.connections;
    try {
      const error = await secureFetch(`http://api.partner.test:${origin.port}/`).catch((e) => e);
      expect(isEgressError(error, 'ERR_EGRESS_ADDRESS_REFUSED')).toBe(true);
      expect(error.range).toBe('loopback');
      expect(error.host).toBe('api.partner.test');
      expect(origin.connections).toBe(before);
    } finally {
      await secureFetch.close();
    }
  });

  it('the same call reaches the server once the address is exempted (the refusal above was the check)', async () => {
    const calls: string[] = [];
    const secureFetch = createSecureFetch({
      allowHosts: [`api.partner.test:${origin.port}`],
      allowLoopbackHttp: true,
      allowAddresses: ['127.0.0.0/8'],
      resolver: fixedResolver({ 'api.partner.test': '127.0.0.1' }, calls),
    });
    const before = origin.connections;
    try {
      const response = await secureFetch(`http://api.partner.test:${origin.port}/a`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
      for (let i = 0; i < 5; i++)
        await (await secureFetch(`http://api.partner.test:${origin.port}/b`)).text();
      // One lookup per new connection (never one per request, never a second one per connection),
      // and pooled connections are reused.
      const opened = origin.connections - before;
      expect(calls).toHaveLength(opened);
      expect(opened).toBeLessThan(6);
      const seen = origin.requests.at(-1);
      expect(seen?.headers.host).toBe(`api.partner.test:${origin.port}`);
    } finally {
      await secureFetch.close();
    }
  });

  it('DNS rebinding: the socket goes to the address that was checked, not to a second answer', async () => {
    // Two servers on the same port: 127.0.0.2 (exempted, the "checked" answer) and 127.0.0.1
    // (what a second lookup would return). Only one lookup happens, and it lands on 127.0.0.2.
    const checked = await startOrigin({ host: '127.0.0.2' });
    const rebound = await startOrigin({ host: '127.0.0.1', port: checked.port });
    let answers = 0;
    const secureFetch = createSecureFetch({
      allowHosts: [`rebind.test:${checked.port}`],
      allowLoopbackHttp: true,
      allowAddresses: ['127.0.0.2'],
      resolver: async () => [{ address: answers++ === 0 ? '127.0.0.2' : '127.0.0.1' }],
    });
    try {
      const response = await secureFetch(`http://rebind.test:${checked.port}/`);
      expect(response.status).toBe(200);
      await response.text();
      expect(answers).toBe(1);
      expect(checked.requests).toHaveLength(1);
      expect(checked.requests[0]?.localAddress).toBe('127.0.0.2');
      expect(rebound.connections).toBe(0);
    } finally {
      await secureFetch.close();
      await Promise.all([checked.close(), rebound.close()]);
    }
  });

  it('a name with one refused address among allowed ones is refused whole', async () => {
    const secureFetch = createSecureFetch({
      allowHosts: [`mixed.test:${origin.port}`],
      allowLoopbackHttp: true,
      allowAddresses: ['127.0.0.1'],
      resolver: fixedResolver({ 'mixed.test': ['127.0.0.1', '169.254.169.254'] }),
    });
    const before = origin.connections;
    try {
      await expect(secureFetch(`http://mixed.test:${origin.port}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_ADDRESS_REFUSED',
        range: 'linkLocal',
      });
      expect(origin.connections).toBe(before);
    } finally {
      await secureFetch.close();
    }
  });

  it('plain http: to a non-loopback address is refused even with allowLoopbackHttp', async () => {
    const secureFetch = createSecureFetch({
      allowHosts: ['*:*'],
      allowLoopbackHttp: true,
      allowAddresses: ['10.0.0.0/8'],
      resolver: fixedResolver({ 'internal.test': '10.1.2.3' }),
    });
    try {
      await expect(secureFetch('http://internal.test/')).rejects.toMatchObject({
        code: 'ERR_EGRESS_INSECURE_SCHEME',
      });
    } finally {
      await secureFetch.close();
    }
  });

  it('a name that does not resolve is ERR_EGRESS_DNS_FAILED; a refused connection ERR_EGRESS_NETWORK', async () => {
    const closed = await startOrigin();
    await closed.close();
    const secureFetch = createSecureFetch({
      allowHosts: ['*:*'],
      allowLoopbackHttp: true,
      allowAddresses: ['127.0.0.1'],
      resolver: fixedResolver({ 'gone.test': '127.0.0.1' }),
    });
    try {
      await expect(secureFetch('http://nowhere.test/')).rejects.toMatchObject({
        code: 'ERR_EGRESS_DNS_FAILED',
      });
      await expect(secureFetch(`http://gone.test:${closed.port}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_NETWORK',
      });
    } finally {
      await secureFetch.close();
    }
  });
});
