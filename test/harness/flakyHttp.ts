import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { waitFor } from './ports.ts';

/** What the scripted server does with one request. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Accepts the request and never answers (the client's timeout must end it). */
  | 'hang'
  /** Destroys the connection without a response (ECONNRESET on the client). */
  | 'reset'
  /** 200 with `chunks` body chunks of `chunkBytes`, `gapMs` apart. */
  | { slowBody: { chunks: number; chunkBytes: number; gapMs: number } };

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
  /** Which connection (1-based, in accept order) carried it. */
  connection: number;
}

/** A loopback HTTP server that answers from a script, for resilience tests. */
export interface FlakyHttp {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Connections accepted so far. */
  readonly connectionsOpened: number;
  /** Connections open now. */
  readonly connectionsOpen: number;
  /** Replies for the next requests, in order; when they run out, `fallback` answers. */
  script(replies: Reply[], fallback?: Reply): void;
  /** Waits (bounded) until no connection is open, then returns how many remain (0). */
  settled(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Starts a {@link FlakyHttp} on 127.0.0.1 and a kernel-chosen port. */
export async function startFlakyHttp(): Promise<FlakyHttp> {
  let queue: Reply[] = [];
  let fallback: Reply = { status: 200, body: 'ok' };
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const ids = new WeakMap<Socket, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let opened = 0;

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      at: Date.now(),
      connection: ids.get(req.socket) ?? 0,
    });
    req.resume();
    const reply = queue.shift() ?? fallback;
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    if ('slowBody' in reply) {
      const { chunks, chunkBytes, gapMs } = reply.slowBody;
      res.writeHead(200, { 'content-length': String(chunks * chunkBytes) });
      let sent = 0;
      const next = (): void => {
        if (res.destroyed) return;
        res.write(Buffer.alloc(chunkBytes, 0x61));
        if (++sent === chunks) return void res.end();
        const timer = setTimeout(() => {
          timers.delete(timer);
          next();
        }, gapMs);
        timers.add(timer);
      };
      next();
      return;
    }
    const body = reply.body ?? `status ${reply.status}`;
    res.writeHead(reply.status, {
      'content-length': String(Buffer.byteLength(body)),
      ...reply.headers,
    });
    res.end(body);
  };

  const server = createServer(answer);
  server.on('connection', (socket) => {
    opened++;
    ids.set(socket, opened);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('harness: no address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    get connectionsOpened() {
      return opened;
    },
    get connectionsOpen() {
      return sockets.size;
    },
    script(replies, otherwise) {
      queue = [...replies];
      if (otherwise !== undefined) fallback = otherwise;
    },
    async settled(timeoutMs = 5000) {
      await waitFor('all client connections closed', async () => sockets.size === 0, {
        timeoutMs,
        intervalMs: 10,
      });
      return sockets.size;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
