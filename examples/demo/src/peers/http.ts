// A node:http server on 127.0.0.1 that stops with the demo (see processes.ts).
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onStop } from './processes.ts';

/** A listening loopback server: its origin and a `close()` that drops open connections. */
export interface LoopbackServer {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `handler` on a free 127.0.0.1 port; a handler that throws answers a bare 500. */
export async function serve(handler: RequestListener): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const close = onStop(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}
