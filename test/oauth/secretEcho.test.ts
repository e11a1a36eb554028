// A token endpoint (or a WAF in front of it) that echoes the request back in its error answer:
// the client secret must not reach any rendering of the error the provider rejects with, at any
// depth of `cause`. A real HTTP server on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import { inspect } from 'node:util';
import { createTokenProvider, isOAuthError } from '@portcullis/oauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.ts';

const SECRET = 'echo-secret-7f3a9c1e5b2d4f6a8c0e';
let server: Server;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const echo = `${req.headers.authorization ?? ''} ${body} ${decodeURIComponent(body)}`;
      switch (req.url) {
        case '/json-400':
          res.writeHead(400, { 'content-type': 'application/json', 'x-echo': encodeURI(echo) });
          res.end(JSON.stringify({ error: 'invalid_request', error_description: echo, echo }));
          return;
        case '/json-500':
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'server_error', error_description: echo }));
          return;
        case '/html-403':
          res.writeHead(403, { 'content-type': 'text/html' });
          res.end(`<html><body>Request blocked: ${echo}</body></html>`);
          return;
        case '/challenge-401':
          res.writeHead(401, {
            'content-type': 'application/json',
            'www-authenticate': `Basic realm="${encodeURI(echo)}", error="invalid_client"`,
          });
          res.end(JSON.stringify({ error: 'invalid_client', error_description: echo }));
          return;
        default:
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              access_token: echo.replace(/[^\x21-\x7e]/g, ''),
              token_type: 'weird',
            }),
          );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    inspect(error, { depth: Number.POSITIVE_INFINITY }),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    String(error),
    e.stack ?? '',
    JSON.stringify(error),
    JSON.stringify(error, Object.getOwnPropertyNames(error)),
  ];
}

const FORMS = [SECRET, encodeURIComponent(SECRET), Buffer.from(`svc:${SECRET}`).toString('base64')];

describe('a token endpoint that echoes the request body', () => {
  for (const path of ['/json-400', '/json-500', '/html-403', '/challenge-401', '/ok-but-weird']) {
    for (const method of ['client_secret_post', 'client_secret_basic'] as const) {
      it(`keeps the secret out of every rendering of the error (${path}, ${method})`, async () => {
        const tokens = createTokenProvider({
          tokenEndpoint: `${base}${path}`,
          clientId: 'svc',
          clientAuth: { method, secret: SECRET },
          allowInsecureHttp: true,
          timeoutMs: 2000,
        });
        const error = await tokens.getToken().then(
          () => undefined,
          (e: unknown) => e,
        );
        tokens.close();
        expect(isOAuthError(error)).toBe(true);
        for (const text of renderings(error)) {
          for (const form of FORMS) expect(text).not.toContain(form);
        }
      });
    }
  }
});
