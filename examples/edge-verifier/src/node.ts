// Local development only: serves the Fetch-API handler on Node (node:http → Request → handler →
// Response). On Workers, Deno or Bun you deploy handler.ts as it is and this file is not needed.
// Run: WEBHOOK_SECRET=whsec_… node --conditions=@portcullis/source src/node.ts   (PORT, default 8787)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import handler, { type FetchHandler } from './handler.ts';

/** Turns a Node request into a Fetch `Request`; the body is streamed, not buffered. */
export function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  });
}

/** Writes a Fetch `Response` to a Node response. */
export async function sendResponse(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

/** Listens on 127.0.0.1:`port` (0: any free port) and resolves once listening. */
export async function serve(fetchHandler: FetchHandler, port = 0): Promise<Server> {
  const server = createServer(async (req, res) => {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    try {
      await sendResponse(await fetchHandler.fetch(toRequest(req, origin)), res);
    } catch {
      // The handler answers its own errors; this is the adapter failing.
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

if (import.meta.main) {
  const server = await serve(handler, Number(process.env.PORT ?? 8787));
  const { port } = server.address() as AddressInfo;
  console.log(`edge verifier on http://127.0.0.1:${port}/ (POST Standard Webhooks here)`);
  if (!process.env.WEBHOOK_SECRET)
    console.log('note: set WEBHOOK_SECRET, or every request gets 500');
}
