import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/** One fault, applied to the next request(s) instead of forwarding them. */
export type Fault =
  /** Forward this one (to fault a later request of a sequence). */
  | { kind: 'pass' }
  /** Answer with this status, headers and body (throttling, a 5xx, an HTML gateway page…). */
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: string }
  /** Close the connection abruptly (TCP RST) once the request has arrived. */
  | { kind: 'reset' }
  /** Read the request and never answer (the connection stays open until the proxy stops). */
  | { kind: 'hang' };

/** A 400 `ThrottlingException` as AWS's JSON protocol writes it. */
export const AWS_THROTTLING: Fault = {
  kind: 'respond',
  status: 400,
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': 'ThrottlingException',
  },
  body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
};

/** A 429 `TooManyRequestsException`, optionally with `Retry-After` (seconds). */
export function tooManyRequests(retryAfterSec?: number): Fault {
  return {
    kind: 'respond',
    status: 429,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': 'TooManyRequestsException',
      ...(retryAfterSec === undefined ? {} : { 'retry-after': String(retryAfterSec) }),
    },
    body: JSON.stringify({ __type: 'TooManyRequestsException', message: 'Too many requests' }),
  };
}

/** A 502 with an HTML body, as a load balancer in front of a service answers. */
export const GATEWAY_HTML: Fault = {
  kind: 'respond',
  status: 502,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
};

/**
 * A small HTTP proxy on 127.0.0.1 between an SDK and a plain-HTTP server (moto): it forwards
 * every request unless faults are queued, in which case the next request gets the next fault.
 * It counts what it saw, so a test can assert how many attempts a client made.
 */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give this to the SDK as its endpoint. */
  readonly endpoint: string;
  /** Requests received (faulted or forwarded) since start or the last `resetCounts()`. */
  readonly requests: number;
  /** Requests forwarded to the upstream. */
  readonly forwarded: number;
  /** The `x-amz-target` operation of each request received (e.g. `secretsmanager.GetSecretValue`). */
  readonly operations: readonly string[];
  /** Queues faults for the next requests, in order. */
  inject(...faults: Fault[]): void;
  /** Applies `fault` to every request until `clear()`. */
  always(fault: Fault): void;
  /** Drops queued and standing faults. */
  clear(): void;
  resetCounts(): void;
  /** Closes the proxy and every open connection (hung ones included). */
  stop(): Promise<void>;
}

/** Starts a fault proxy in front of `upstream` (`http://127.0.0.1:<port>`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const upstreamUrl = new URL(upstream);
  const queue: Fault[] = [];
  let standing: Fault | undefined;
  let requests = 0;
  let forwarded = 0;
  const operations: string[] = [];
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    forwarded++;
    const upstreamRequest = httpRequest(
      {
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstreamUrl.host },
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    req.pipe(upstreamRequest);
  };

  const server = createServer((req, res) => {
    requests++;
    const target = req.headers['x-amz-target'];
    operations.push((typeof target === 'string' ? target : '').replace(/^secretsmanager\./, ''));
    const fault = queue.shift() ?? standing;
    if (fault === undefined || fault.kind === 'pass') return forward(req, res);
    req.resume();
    req.on('end', () => {
      if (fault.kind === 'reset') {
        req.socket.resetAndDestroy();
      } else if (fault.kind === 'respond') {
        res.writeHead(fault.status, fault.headers ?? {});
        res.end(fault.body ?? '');
      }
      // 'hang': never answer.
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('harness: no proxy port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get requests() {
      return requests;
    },
    get forwarded() {
      return forwarded;
    },
    get operations() {
      return operations;
    },
    inject(...faults) {
      queue.push(...faults);
    },
    always(fault) {
      standing = fault;
    },
    clear() {
      queue.length = 0;
      standing = undefined;
    },
    resetCounts() {
      requests = 0;
      forwarded = 0;
      operations.length = 0;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
