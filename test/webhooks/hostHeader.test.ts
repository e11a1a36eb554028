// A real node:http server on 127.0.0.1, sent raw HTTP/1.1 over a socket (fetch will not send a
// crafted Host): Node accepts `Host: hooks.example.com/other-hook#`, and an adapter that builds
// `request.url` as `http://${Host}${req.url}` (Hono, Next.js, Remix on Node) then reads the path
// `/other-hook` for a request routed to `/hook-b`. With `publicOrigin`, readRequest must refuse
// such a request, and readIncomingMessage (which uses the request target, not Host) must sign-check
// the route's real path.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Readable } from 'node:stream';
import {
  createSigner,
  createVerifier,
  isWebhookError,
  readIncomingMessage,
  readRequest,
  schemes,
} from '@portcullis/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const origin = 'https://hooks.example.com';
const token = 'twilio-auth-token';
const form = 'Body=hi&From=%2B15550001';
const signer = createSigner({ scheme: schemes.twilio, secrets: token });
let server: Server;
let port: number;
const seenHosts: (string | undefined)[] = [];

/** What a Node adapter does: a Fetch Request whose URL is built from the Host header. */
function adapterRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  return new Request(`http://${req.headers.host ?? ''}${req.url ?? '/'}`, {
    method: req.method ?? 'POST',
    headers,
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seenHosts.push(req.headers.host);
    try {
      // A fresh verifier per request: no replay store in the way of the cases below.
      const verifier = createVerifier({ scheme: schemes.twilio, secrets: token, store: false });
      const input =
        req.headers['x-reader'] === 'fetch'
          ? await readRequest(adapterRequest(req), { publicOrigin: origin })
          : await readIncomingMessage(req, { publicOrigin: origin });
      await verifier.verify(input);
      res.writeHead(204).end();
    } catch (error) {
      const status = isWebhookError(error) ? (error.status ?? 400) : 500;
      const json = JSON.stringify(isWebhookError(error) ? error : { code: 'UNEXPECTED' });
      res
        .writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
        })
        .end(json);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Sends one raw HTTP/1.1 POST; resolves the status and the JSON body (bounded: 5 s). */
function rawPost(
  target: string,
  host: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: { code?: string; header?: string } }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(5_000, () => socket.destroy(new Error('raw request timed out')));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const status = Number(head.split(' ')[1]);
      try {
        resolve({ status, json: body === '' ? {} : JSON.parse(body) });
      } catch (error) {
        reject(error);
      }
    });
    const lines = [
      `POST ${target} HTTP/1.1`,
      `Host: ${host}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(form)}`,
      'Connection: close',
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n${form}`);
  });
}

/** A genuine Twilio signature, for `path` on the configured origin. */
const signedFor = (path: string) => signer.sign({ body: form, url: `${origin}${path}` });

describe.each(['fetch', 'node'])('publicOrigin over a real socket (%s reader)', (reader) => {
  it('a signature for the route itself verifies with a plain Host', async () => {
    const headers = { ...(await signedFor('/hook-b')), 'x-reader': reader };
    const response = await rawPost('/hook-b', 'hooks.example.com', headers);
    expect(response.status).toBe(204);
  });

  it('a Host smuggling "/other-hook#" never makes /other-hook\'s signature verify at /hook-b', async () => {
    const headers = { ...(await signedFor('/other-hook')), 'x-reader': reader };
    const host = 'hooks.example.com/other-hook#';
    const before = seenHosts.length;
    const response = await rawPost('/hook-b', host, headers);
    // Node did accept the Host, so the refusal is ours.
    expect(seenHosts.slice(before)).toEqual([host]);
    if (reader === 'fetch') {
      // The adapter's URL is http://hooks.example.com/other-hook#/hook-b: refused outright.
      expect(response.status).toBe(400);
      expect(response.json.code).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    } else {
      // readIncomingMessage never reads Host: the signed URL is origin + /hook-b, which does not match.
      expect(response.status).toBe(401);
      expect(response.json.code).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
    }
  });

  it.each([
    'hooks.example.com/x',
    'hooks.example.com\\x',
    'hooks.example.com?',
    'hooks.example.com#',
    '',
  ])('the Host %j cannot choose the signed path', async (host) => {
    // A genuine signature for exactly the path and query the adapter's URL would show.
    const built = new URL(`http://${host}/hook-b`);
    expect(built.pathname + built.search).not.toBe('/hook-b');
    const headers = { ...(await signedFor(built.pathname + built.search)), 'x-reader': reader };
    const response = await rawPost('/hook-b', host, headers);
    expect(response.status).not.toBe(204);
    expect([400, 401]).toContain(response.status);
    if (reader === 'fetch') expect(response.json.code).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
  });

  it('a genuine signature for /hook-b still verifies under a hostile Host only where Host is unused', async () => {
    const headers = { ...(await signedFor('/hook-b')), 'x-reader': reader };
    const response = await rawPost('/hook-b', 'hooks.example.com/other-hook#', headers);
    expect(response.status).toBe(reader === 'fetch' ? 400 : 204);
  });

  it('a request target with a fragment, or in absolute form, is refused', async () => {
    for (const target of ['/other-hook#/hook-b', 'http://vendor.example/hook-b']) {
      const headers = { ...(await signedFor('/other-hook')), 'x-reader': reader };
      const response = await rawPost(target, 'hooks.example.com', headers);
      expect(response.status, target).toBe(400);
      expect(response.json.code).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    }
  });
});
