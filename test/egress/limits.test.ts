// Response limits on real sockets: a declared size over the cap is refused before the body is
// read, an undeclared (chunked) or compressed body is counted as it streams (a gzip bomb stops at
// the cap, counted after decompression), a gateway's HTML is refused by the content-type check,
// and a server that hangs ends in a typed timeout.
import { gzipSync } from 'node:zlib';
import { createSecureFetch, isEgressError, type SecureFetchOptions } from '@portcullis/egress';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Origin, startOrigin } from '../harness/httpOrigin.ts';

const CAP = 64 * 1024;
const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x61)); // 50 MiB of "a", ~50 KiB on the wire
let origin: Origin;

beforeAll(async () => {
  origin = await startOrigin({
    handler: (req, res) => {
      const path = req.url ?? '/';
      if (path === '/declared-large') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': CAP + 1 });
        res.end(Buffer.alloc(CAP + 1, 0x20));
      } else if (path === '/chunked-large') {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 20; i++) res.write(Buffer.alloc(8 * 1024, 0x20));
        res.end();
      } else if (path === '/fits') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ data: 'x'.repeat(1000) }));
      } else if (path === '/gzip-bomb') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': bomb.length,
        });
        res.end(bomb);
      } else if (path === '/gateway-html') {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
      } else if (path === '/no-content') {
        res.writeHead(204).end();
      } else if (path === '/hang') {
        // never answers
      } else {
        res.writeHead(404).end();
      }
    },
  });
});
afterAll(async () => {
  await origin?.close();
});

function make(extra: Partial<SecureFetchOptions> = {}) {
  return createSecureFetch({
    allowHosts: [`127.0.0.1:${origin.port}`],
    allowAddresses: ['127.0.0.1'],
    allowLoopbackHttp: true,
    maxResponseBytes: CAP,
    ...extra,
  });
}

describe('maxResponseBytes', () => {
  it('a declared content-length over the cap is refused before the body is read', async () => {
    const secureFetch = make();
    try {
      await expect(secureFetch(`${origin.url}/declared-large`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_RESPONSE_TOO_LARGE',
        status: 502,
      });
    } finally {
      await secureFetch.close();
    }
  });

  it('a chunked body is counted as it streams: reading it fails with the typed error', async () => {
    const secureFetch = make();
    try {
      const response = await secureFetch(`${origin.url}/chunked-large`);
      const error = await response.text().catch((e: unknown) => e);
      expect(isEgressError(error, 'ERR_EGRESS_RESPONSE_TOO_LARGE')).toBe(true);
    } finally {
      await secureFetch.close();
    }
  });

  it('a gzip bomb is stopped at the cap, counted after decompression', async () => {
    const secureFetch = make();
    try {
      const response = await secureFetch(`${origin.url}/gzip-bomb`);
      const error = await response.arrayBuffer().catch((e: unknown) => e);
      expect(isEgressError(error, 'ERR_EGRESS_RESPONSE_TOO_LARGE')).toBe(true);
    } finally {
      await secureFetch.close();
    }
  });

  it('a body that fits reads as usual', async () => {
    const secureFetch = make();
    try {
      const body = (await (await secureFetch(`${origin.url}/fits`)).json()) as { data: string };
      expect(body.data).toHaveLength(1000);
    } finally {
      await secureFetch.close();
    }
  });
});

describe('allowContentTypes', () => {
  it("a gateway's HTML error page is refused; JSON (with parameters) and bodiless responses pass", async () => {
    const secureFetch = make({ allowContentTypes: ['application/json'] });
    try {
      await expect(secureFetch(`${origin.url}/gateway-html`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_CONTENT_TYPE_REFUSED',
      });
      expect((await secureFetch(`${origin.url}/fits`)).status).toBe(200);
      expect((await secureFetch(`${origin.url}/no-content`)).status).toBe(204);
    } finally {
      await secureFetch.close();
    }
  });
});

describe('timeouts', () => {
  it('a server that never answers ends in ERR_EGRESS_TIMEOUT after headersTimeoutMs', async () => {
    const secureFetch = make({ headersTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(secureFetch(`${origin.url}/hang`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TIMEOUT',
        status: 504,
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await secureFetch.close();
    }
  });

  it("the caller's AbortSignal ends the call with the signal's reason", async () => {
    const secureFetch = make();
    try {
      const reason = new Error('caller gave up');
      const controller = new AbortController();
      const pending = secureFetch(`${origin.url}/hang`, { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await expect(pending).rejects.toBe(reason);
    } finally {
      await secureFetch.close();
    }
  });
});
