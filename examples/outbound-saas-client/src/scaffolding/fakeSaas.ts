// Local stand-ins for the GitHub and Stripe REST APIs on 127.0.0.1, just enough of each for the
// SDK calls the example makes. They check what the real services check first: the credential.
// GitHub also has an endpoint that redirects to the cloud metadata address, as a compromised or
// malicious upstream might.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeApi {
  url: string;
  /** Requests answered with 2xx. */
  served(): number;
  /** The Authorization header of the last request. */
  lastAuthorization(): string | undefined;
  close(): Promise<void>;
}

async function start(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => boolean,
): Promise<FakeApi> {
  let served = 0;
  let last: string | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      last = req.headers.authorization;
      if (handle(req, res, Buffer.concat(chunks).toString('utf8'))) served++;
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: () => served,
    lastAuthorization: () => last,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** GitHub: `GET /repos/:owner/:repo/issues` with a bearer token; `/tarball` redirects to metadata. */
export function startFakeGitHub(): Promise<FakeApi> {
  return start((req, res) => {
    if (!/^Bearer [\w.-]+$/.test(req.headers.authorization ?? '')) {
      json(res, 401, { message: 'Bad credentials' });
      return false;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const issues = /^\/repos\/([\w-]+)\/([\w-]+)\/issues$/.exec(path);
    if (req.method === 'GET' && issues !== null) {
      json(res, 200, [
        { id: 1, number: 7, title: 'Rotate the webhook secret', state: 'open' },
        { id: 2, number: 8, title: 'Pin the CA bundle', state: 'open' },
      ]);
      return true;
    }
    if (req.method === 'GET' && /\/tarball\//.test(path)) {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return false;
    }
    json(res, 404, { message: 'Not Found' });
    return false;
  });
}

/** Stripe: `POST /v1/customers` (form-encoded) and `GET /v1/customers/:id`, with the secret key. */
export function startFakeStripe(secretKey: string): Promise<FakeApi> {
  return start((req, res, body) => {
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      json(res, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided' },
      });
      return false;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && path === '/v1/customers') {
      const form = new URLSearchParams(body);
      json(res, 200, { id: 'cus_1', object: 'customer', email: form.get('email') });
      return true;
    }
    if (req.method === 'GET' && path === '/v1/customers/cus_1') {
      json(res, 200, { id: 'cus_1', object: 'customer', email: 'ada@example.com' });
      return true;
    }
    json(res, 404, { error: { type: 'invalid_request_error', message: 'No such resource' } });
    return false;
  });
}
