// What SDKs hand a fetch: a string, a URL, a Request (of this realm), init headers as a record,
// array or Headers, and streamed bodies (read once up front, so a 307 can replay them).
import { createSecureFetch } from '@portcullis/egress';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Origin, startOrigin } from '../harness/httpOrigin.ts';

let origin: Origin;
beforeAll(async () => {
  origin = await startOrigin({
    handler: (req, res) => {
      if (req.url === '/replay') {
        res.writeHead(307, { location: '/landed' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
  });
});
afterAll(async () => {
  await origin?.close();
});

const make = () =>
  createSecureFetch({
    allowHosts: [`127.0.0.1:${origin.port}`],
    allowAddresses: ['127.0.0.1'],
    allowLoopbackHttp: true,
  });

it('accepts a URL, a Request and every kind of headers init', async () => {
  const secureFetch = make();
  try {
    await (await secureFetch(new URL(`${origin.url}/url`), { headers: [['x-a', '1']] })).text();
    expect(origin.requests.at(-1)).toMatchObject({ url: '/url', headers: { 'x-a': '1' } });
    const request = new Request(`${origin.url}/request`, {
      method: 'PUT',
      headers: { 'x-b': '2' },
      body: 'from-request',
    });
    await (await secureFetch(request, { headers: new Headers({ 'x-c': '3' }) })).text();
    expect(origin.requests.at(-1)).toMatchObject({
      method: 'PUT',
      url: '/request',
      body: 'from-request',
      headers: { 'x-b': '2', 'x-c': '3' },
    });
  } finally {
    await secureFetch.close();
  }
});

it('a streamed body is read once and replayed across a 307', async () => {
  const secureFetch = make();
  try {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed-'));
        controller.enqueue(new TextEncoder().encode('body'));
        controller.close();
      },
    });
    const response = await secureFetch(`${origin.url}/replay`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(origin.requests.slice(-2).map((r) => [r.url, r.body])).toEqual([
      ['/replay', 'streamed-body'],
      ['/landed', 'streamed-body'],
    ]);
  } finally {
    await secureFetch.close();
  }
});

it('a Request aimed at a refused host is refused like a string URL', async () => {
  const secureFetch = make();
  try {
    await expect(secureFetch(new Request('https://169.254.169.254/'))).rejects.toMatchObject({
      code: 'ERR_EGRESS_HOST_NOT_ALLOWED',
    });
  } finally {
    await secureFetch.close();
  }
});
