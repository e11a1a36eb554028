// The peers the fleet talks to, all on 127.0.0.1 and started by main.ts: a client-credentials
// token endpoint (counts the token requests it answers), a "payments" API that accepts only the
// tokens it issued (counts the calls), and a throwaway redis-server when REDIS_URL is not set.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { timingSafeEqual } from '@portcullis/core';

/** The token endpoint and the API it guards, on one loopback server. */
export interface AuthAndApi {
  readonly url: string;
  readonly tokenRequests: () => number;
  readonly apiCalls: () => number;
  close(): Promise<void>;
}

/** `id:secret` from an HTTP Basic header (RFC 6749 §2.3.1: each part form-urlencoded first). */
function basicCredentials(header: string | undefined): string {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match?.[1]) return '';
  const [id = '', secret = ''] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
  try {
    return `${decodeURIComponent(id.replaceAll('+', ' '))}:${decodeURIComponent(secret.replaceAll('+', ' '))}`;
  } catch {
    return '';
  }
}

/** Starts the token endpoint (`POST /token`, HTTP Basic) and the API (`GET /balance`, Bearer). */
export async function startAuthAndApi(clientId: string, clientSecret: string): Promise<AuthAndApi> {
  const issued = new Set<string>();
  let tokenRequests = 0;
  let apiCalls = 0;
  const expected = `${clientId}:${clientSecret}`;
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.method === 'POST' && req.url === '/token') {
      if (!timingSafeEqual(basicCredentials(req.headers.authorization), expected)) {
        json(401, { error: 'invalid_client' });
        return;
      }
      tokenRequests++;
      const token = randomBytes(24).toString('base64url');
      issued.add(token);
      json(200, { access_token: token, token_type: 'Bearer', expires_in: 300 });
      return;
    }
    if (req.method === 'GET' && req.url === '/balance') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || !issued.has(token)) {
        json(401, { error: 'invalid_token' });
        return;
      }
      apiCalls++;
      json(200, { currency: 'EUR', available: 1200 });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests: () => tokenRequests,
    apiCalls: () => apiCalls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/** A redis-server of our own on a free loopback port (no persistence), ready when this resolves. */
export async function startRedisServer(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const stop = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', stop);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', () =>
      reject(
        new Error(
          'redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL',
        ),
      ),
    );
  });
  const deadline = Date.now() + 10_000;
  const ready = (async () => {
    while (Date.now() < deadline) {
      if (await answersPing(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not answer within 10 s');
  })();
  await Promise.race([ready, failed]);
  return { url: `redis://127.0.0.1:${port}`, stop };
}
