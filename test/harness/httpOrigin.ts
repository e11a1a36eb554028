// Loopback HTTP and HTTPS origins for the egress tests: a real `node:http`/`node:https` server on
// 127.0.0.1 (or another loopback address) and a free port, recording every connection and request
// it receives, so a test can assert "refused before any socket" as well as what arrived.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request an origin received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** With TLS and a client certificate: its subject (RFC 4514 text); otherwise undefined. */
  clientSubject: string | undefined;
  /** The local address the connection arrived on (which loopback address was dialled). */
  localAddress: string | undefined;
}

export type OriginHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => void | Promise<void>;

/** A running origin, started by {@link startOrigin}. */
export interface Origin {
  /** `http://127.0.0.1:<port>` or `https://…`. */
  url: string;
  port: number;
  host: string;
  /** TCP connections accepted so far (TLS handshakes that failed count too). */
  readonly connections: number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export interface StartOriginOptions {
  /** Loopback address to listen on. Default: `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default: a free one. */
  port?: number;
  /** Serve HTTPS with these `node:https` options (cert, key, ca, requestCert, min/maxVersion…). */
  tls?: ServerOptions;
  /** Answers each request. Default: `200` with `{"ok":true}` as JSON. */
  handler?: OriginHandler;
}

/** Starts an origin on loopback; `close()` drops every open connection. */
export async function startOrigin(options: StartOriginOptions = {}): Promise<Origin> {
  const host = options.host ?? '127.0.0.1';
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const handler: OriginHandler =
    options.handler ??
    ((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const socket = req.socket as TLSSocket;
      const peer = socket.encrypted === true ? socket.getPeerX509Certificate?.() : undefined;
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        clientSubject: peer?.subject,
        localAddress: req.socket.localAddress,
      });
      Promise.resolve(handler(req, res, body)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  };
  const server: Server =
    options.tls === undefined
      ? createServer(listener)
      : (createHttpsServer(options.tls, listener) as unknown as Server);
  // Long enough that undici (which subtracts a safety margin from the hint) keeps connections.
  server.keepAliveTimeout = 10_000;
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A failed handshake is the test's point, not an error of the harness.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls === undefined ? 'http' : 'https';
  return {
    url: `${scheme}://${host}:${port}`,
    port,
    host,
    get connections() {
      return connections;
    },
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A resolver for tests: names → fixed addresses; unknown names fail like NXDOMAIN. */
export function fixedResolver(
  table: Record<string, string | string[]>,
  calls?: string[],
): (hostname: string) => Promise<{ address: string }[]> {
  return async (hostname) => {
    calls?.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return (Array.isArray(entry) ? entry : [entry]).map((address) => ({ address }));
  };
}
