// examples/inbound-hono over real HTTP (on @hono/node-server): the shared inbound cases.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from '../../examples/inbound-hono/src/app.ts';
import { inboundSuite } from './inboundCases.ts';

inboundSuite('hono', async (options) => {
  const app = createApp({ ...options, remoteAddress: (c) => getConnInfo(c).remote.address });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(s as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
